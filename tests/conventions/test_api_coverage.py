"""Every API operation is covered by the schema fuzzer, and documents its errors."""

from tests.api.test_fuzz import api_schema, fuzz_operations, salesperson_operations, schema_operation_labels


def test_every_api_operation_is_fuzzed():
    fuzzed = set(fuzz_operations())
    in_schema = schema_operation_labels()
    assert in_schema, "the OpenAPI schema has no operations"
    assert fuzzed == in_schema, f"not fuzzed: {sorted(in_schema - fuzzed)}; not in the schema: {sorted(fuzzed - in_schema)}"


def test_salesperson_fuzzing_is_a_subset_with_every_read():
    reads = {label for label in schema_operation_labels() if label.startswith("GET ")}
    assert reads <= set(salesperson_operations()) <= set(fuzz_operations())


def test_every_operation_documents_its_errors_with_the_error_component():
    problems = []
    for path, item in api_schema().raw_schema["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for status, response in operation["responses"].items():
                if not status.startswith("4"):
                    continue
                ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
                if ref != "#/components/schemas/Error":
                    problems.append(f"{method.upper()} {path} {status}: {ref}")
            if not path.startswith("/api/v1/auth/") and "403" not in operation["responses"]:
                problems.append(f"{method.upper()} {path}: no 403")
    assert not problems, "\n".join(problems)


def test_list_responses_are_paginated_with_next_previous_results():
    schemas = api_schema().raw_schema["components"]["schemas"]
    paginated = [name for name in schemas if name.startswith("Paginated")]
    assert paginated, "no paginated list schemas"
    for name in paginated:
        assert set(schemas[name]["properties"]) == {"next", "previous", "results"}, name
