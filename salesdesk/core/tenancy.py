"""Which company a request acts in, and the user's membership (roles, team) there.

The accounts app provides the resolver (named in settings, so the kernel imports no app).
Every query of a business table goes through `scoped(model, request)` or a selector that
takes the company, never a bare `Model.objects`.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def resolve(request):
    """Set `request.company` and `request.membership`; raise PermissionDenied for a foreign company."""
    if getattr(request, "_salesdesk_tenancy_done", False):
        return request.company
    resolver = import_string(settings.SALESDESK_COMPANY_RESOLVER)
    company, membership = resolver(request)
    request.company = company
    request.membership = membership
    request._salesdesk_tenancy_done = True
    # DRF wraps the Django request; keep both in step.
    inner = getattr(request, "_request", None)
    if inner is not None:
        inner.company, inner.membership, inner._salesdesk_tenancy_done = company, membership, True
    return company


def scoped(model, company):
    """All rows of `model` that belong to `company`."""
    return model.objects.filter(company=company)
