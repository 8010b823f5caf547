"""One error body for every API failure: `{"code", "message", "details"}`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from salesdesk.core.errors import DomainError


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable error code.")
    message = serializers.CharField()
    details = serializers.DictField(child=serializers.JSONField(), help_text="Fields and their messages, or the figures behind a refusal.")


def _flatten(detail) -> dict:
    """DRF's nested error detail as {field: [messages]} (nested fields keep their structure)."""
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value):
    if isinstance(value, dict):
        return {str(k): _messages(v) for k, v in value.items()}
    if isinstance(value, list):
        if all(isinstance(v, (str, exceptions.ErrorDetail)) for v in value):
            return [str(v) for v in value]
        return [_messages(v) for v in value]
    return [str(value)]


def body(code: str, message: str, details: dict | None = None) -> dict:
    return {"code": code, "message": message, "details": details or {}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(body("invalid", _("Invalid input."), details), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = body("invalid", _("Invalid input."), _flatten(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        response.data = body("invalid", _("The request body could not be parsed."), {"non_field_errors": [str(exc.detail)]})
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = body("not_authenticated", str(exc.detail))
    elif isinstance(exc, exceptions.PermissionDenied):
        response.data = body("permission_denied", str(exc.detail))
    elif isinstance(exc, exceptions.NotFound):
        response.data = body("not_found", _("Not found."))
    else:
        response.data = body(getattr(exc, "default_code", "error"), str(getattr(exc, "detail", exc)))
    return response
