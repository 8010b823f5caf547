"""Resolve the company a request acts in.

API clients choose it with the `X-Company` header, the browser with the company switcher
(kept in the session); otherwise it is the user's default company. A company the user does
not belong to is refused with 403, whether it exists or not.
"""

from rest_framework.exceptions import PermissionDenied

from salesdesk.accounts.models import Membership
from salesdesk.core.prepared import Prepared

SESSION_KEY = "salesdesk_company"


def _active(user):
    return Membership.objects.select_related("company", "team").filter(user_id=user, is_active=True)


# Every request reads one of these: composed once (core.prepared).
_BY_CODE = Prepared(lambda user, code: _active(user).filter(company__code=code).order_by("pk")[:1], int, str)
_BY_COMPANY = Prepared(lambda user, company: _active(user).filter(company_id=company).order_by("pk")[:1], int, int)
_FIRST = Prepared(lambda user: _active(user).order_by("company__code")[:1], int)


def _membership(user, code: str | None) -> Membership | None:
    if code and "\x00" in code:
        return None  # no company code holds a NUL, and PostgreSQL refuses to compare one
    if code:
        return _BY_CODE.first(user.pk, code)
    if user.default_company_id:
        found = _BY_COMPANY.first(user.pk, user.default_company_id)
        if found:
            return found
    return _FIRST.first(user.pk)


def resolve_request_company(request):
    user = request.user
    if not user or not user.is_authenticated:
        raise PermissionDenied()
    code = (request.headers.get("X-Company") or "").strip()
    if code:
        membership = _membership(user, code)
        if membership is None:
            raise PermissionDenied("You do not belong to that company.")
    else:
        session = getattr(request, "session", None)
        chosen = session.get(SESSION_KEY) if session is not None else None
        membership = _membership(user, chosen) if chosen else None
        membership = membership or _membership(user, None)
        if membership is None:
            raise PermissionDenied("You do not belong to any company.")
    return membership.company, membership


def memberships_of(user):
    return Membership.objects.select_related("company").filter(user=user, is_active=True).order_by("company__code")
