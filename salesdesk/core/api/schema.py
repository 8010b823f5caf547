"""OpenAPI post-processing: the shared error body, error responses and common headers."""

from salesdesk.core.errors import all_error_codes

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string", "description": "Stable error code."},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": True},
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def add_common_headers_and_errors(result, generator, request, public):
    codes = all_error_codes()
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
        **_ERROR_SCHEMA,
        "description": "Error codes: " + "; ".join(f"`{c}`: {m}" for c, m in sorted(codes.items())),
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault("415", _error("`unsupported_media_type`: send JSON (or form data)."))
            if path.startswith("/api/v1/auth/"):
                responses.setdefault("400", _error("Invalid input or `invalid_credentials`."))
                continue
            responses.setdefault("400", _error("Invalid input: `code` is `invalid` and `details` names each field."))
            responses.setdefault("401", _error("Not authenticated."))
            responses.setdefault(
                "403", _error("`permission_denied`: the role may not do this, or `X-Company` names a company you do not belong to.")
            )
            if "{" in path:
                responses.setdefault("404", _error("`not_found`."))
            if method in {"post", "patch", "delete"}:
                responses.setdefault("409", _error("A business rule refused the request; see `code`."))
            params = operation.setdefault("parameters", [])
            params.append(
                {
                    "in": "header",
                    "name": "X-Company",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "Code of the company to act in (default: the user's default company).",
                }
            )
            if method == "post":
                params.append(
                    {
                        "in": "header",
                        "name": "Idempotency-Key",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 255},
                        "description": "Makes a retry of this POST return the first response without doing the work again.",
                    }
                )
    return result
