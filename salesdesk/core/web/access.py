"""Who may open a page: signed in, a member of the current company, holding the permission."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def no_company(request):
    return render(request, "no_company.html", status=403)


class CompanyRequiredMixin:
    """Signed-in members of `request.company` only; `permission` (or `write_permission` for
    POST) is checked against the member's roles, and a missing one is a 403."""

    permission: str | None = None
    write_permission: str | None = None

    def required_permission(self, request) -> str | None:
        if request.method == "POST" and self.write_permission:
            return self.write_permission
        return self.permission

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            return no_company(request)
        perm = self.required_permission(request)
        if perm and not request.membership.has_perm(perm):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def require(request, perm: str) -> None:
    """Raise 403 unless the member holds `perm`."""
    if not request.membership.has_perm(perm):
        raise PermissionDenied
