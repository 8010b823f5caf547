"""Deadlocks and serialization failures are retried a few times before anyone hears of them.

When two transactions wait on each other, PostgreSQL ends one of them (a deadlock); it may
also end one that could not be serialized. That transaction's work was rolled back as a
whole, so running the action again is safe, and it then usually just waits its turn. The
fixed lock order every service follows (`core.locking`) makes this rare; this is the bounded
retry the design asks for. After the last try the user gets 409 `concurrent_change` ("try
again"), never a 500.

It wraps whole requests: a retry runs the view again from the start, in a new transaction,
with the request body kept in memory for it (a web form's fields are kept by Django; an API
upload, read from the stream, is not retried).
"""

import random
import time

from django.contrib import messages
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# PostgreSQL's SQLSTATEs for "deadlock detected" and "could not serialize access".
RETRYABLE_STATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CODE = "concurrent_change"


def retryable(exc: BaseException | None) -> bool:
    """Whether `exc` (or the driver error behind it) is a deadlock or serialization failure."""
    seen = 0
    while exc is not None and seen < 5:
        if getattr(exc, "sqlstate", None) in RETRYABLE_STATES or getattr(exc, "pgcode", None) in RETRYABLE_STATES:
            return True
        exc, seen = exc.__cause__, seen + 1
    return False


def _multipart(request) -> bool:
    return (request.content_type or "").startswith("multipart/")


def _api(request) -> bool:
    return request.path.startswith("/api/")


def _busy(request):
    message = _("Someone changed the same records at the same moment. Nothing was saved: please try again.")
    if _api(request):
        return JsonResponse({"code": CODE, "message": message, "details": {}}, status=409)
    messages.error(request, message)
    back = request.META.get("HTTP_REFERER") or request.path
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    return HttpResponseRedirect(back)


class RetryConflictsMiddleware:
    """Runs a writing request's view again when the database ended its transaction as a deadlock
    victim, up to `ATTEMPTS` times in all, with a short random pause between tries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS and not _multipart(request):
            request.body  # noqa: B018 (read once and kept, so a retry reads it again)
        # The transactions open before the view (none, outside tests): a retry is only safe once
        # every transaction the view opened has been rolled back.
        request.retry_depth = len(connection.atomic_blocks)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.method in SAFE_METHODS or not retryable(exception):
            return None
        if len(connection.atomic_blocks) != getattr(request, "retry_depth", 0) or connection.needs_rollback:
            return None
        match = request.resolver_match
        if match is None or (_multipart(request) and _api(request)):
            return _busy(request)  # the API reads an upload from the stream, which is gone
        for attempt in range(1, ATTEMPTS):
            time.sleep(random.uniform(0.01, 0.05) * attempt)
            try:
                return match.func(request, *match.args, **match.kwargs)
            except DatabaseError as exc:
                if not retryable(exc):
                    raise
        return _busy(request)
