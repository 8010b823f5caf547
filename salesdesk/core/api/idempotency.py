"""Idempotent POSTs: a retry with the same `Idempotency-Key` replays the first response.

The key, a hash of the body and the first response are stored in the same transaction as
the work itself, so either both happened or neither did. The same key with another body
gets 409 `idempotency_key_reused`.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from salesdesk.core.errors import IdempotencyKeyReused
from salesdesk.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


def _request_hash(request) -> str:
    django_request = getattr(request, "_request", request)
    try:
        raw = django_request.body
    except Exception:  # the stream was already read (multipart): hash the parsed data
        raw = json.dumps(request.data, cls=JSONEncoder, sort_keys=True, default=str).encode()
    return hashlib.sha256(f"{request.method} {request.path}\n".encode() + raw).hexdigest()


class IdempotentMixin:
    """For DRF views: wraps a POST that carries an Idempotency-Key."""

    def _idempotency_key(self, request) -> str | None:
        if request.method != "POST":
            return None
        key = request.headers.get(HEADER, "").strip()
        return key[:255] or None

    def dispatch(self, request, *args, **kwargs):
        key = self._idempotency_key(request)
        if key is None:
            return super().dispatch(request, *args, **kwargs)
        try:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        except _Replay as replay:
            # A concurrent request with the same key committed first: answer as it did.
            self.headers = {}
            response = Response(replay.record.body, status=replay.record.status_code)
            response["Idempotent-Replay"] = "true"
            return self.finalize_response(self.request, response, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = self._idempotency_key(request)
        self._idem = None
        if key is None or not request.user.is_authenticated:
            return
        digest = _request_hash(request)
        found = IdempotencyRecord.objects.filter(company=request.company, user=request.user, key=key).first()
        if found is not None:
            if found.request_hash != digest:
                raise IdempotencyKeyReused(key=key)
            raise _Replay(found)
        self._idem = (key, digest)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            response = Response(exc.record.body, status=exc.record.status_code)
            response["Idempotent-Replay"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        idem = getattr(self, "_idem", None)
        if idem and response.status_code < 500 and not response.has_header("Idempotent-Replay"):
            key, digest = idem
            self._idem = None
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        company=request.company,
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=digest,
                        status_code=response.status_code,
                        body=json.loads(json.dumps(getattr(response, "data", None), cls=JSONEncoder)),
                    )
            except IntegrityError:
                found = IdempotencyRecord.objects.get(company=request.company, user=request.user, key=key)
                raise _Replay(found) from None
        return super().finalize_response(request, response, *args, **kwargs)
