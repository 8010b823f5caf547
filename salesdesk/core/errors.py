"""Domain errors: a stable `code`, a human message and machine-readable details.

The API turns them into `{"code", "message", "details"}` bodies; `status` says which HTTP
status (409 for a business rule that refuses the request, 400 for invalid input).
"""

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"
    status: ClassVar[int] = 409
    default_message: ClassVar[Any] = _("The request breaks a business rule.")

    def __init__(self, message: Any = None, **details: Any) -> None:
        self.message = str(message or self.default_message)
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = _("This status change is not allowed.")


class Invalid(DomainError):
    """Invalid input caught by a service: 400 with the failing fields in `details`."""

    code = "invalid"
    status = 400
    default_message = _("Invalid input.")

    def __init__(self, fields: dict[str, list[str]] | None = None, message: Any = None) -> None:
        # Messages are strings; nested input (document lines) keeps one dict of fields per line.
        super().__init__(message, **{k: [m if isinstance(m, dict) else str(m) for m in v] for k, v in (fields or {}).items()})


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used with a different request.")


class IdempotencyKeyInProgress(DomainError):
    code = "idempotency_key_in_progress"
    default_message = _("A request with this Idempotency-Key is still being processed.")


class ProtectedRecord(DomainError):
    code = "protected"
    default_message = _("This record is in use and cannot be deleted.")


# Every code the API can answer with, for the OpenAPI description and the convention tests.
def all_error_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    stack = [DomainError]
    while stack:
        cls = stack.pop()
        codes[cls.code] = str(cls.default_message)
        stack.extend(cls.__subclasses__())
    return codes
