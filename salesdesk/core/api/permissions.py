"""Role permissions, checked against the user's membership in the request's company.

Roles are Django groups; a membership carries the user's roles in one company, so the same
person can be an accountant in one company and a salesperson in another.
"""

from rest_framework import permissions

from salesdesk.core import tenancy

_METHOD_ACTIONS = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def model_perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class CompanyRolePermission(permissions.BasePermission):
    """Authenticated, a member of the request's company, and holding the action's permission.

    A view names the permission of a custom action in `action_perms`; otherwise the
    standard view/add/change/delete permission of its model applies.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        tenancy.resolve(request)
        perm = required_perm(request, view)
        return perm is None or request.membership.has_perm(perm)


def required_perm(request, view) -> str | None:
    action = getattr(view, "action", None)
    explicit = getattr(view, "action_perms", {})
    if action in explicit:
        return explicit[action]
    model = getattr(getattr(view, "queryset", None), "model", None) or getattr(view, "perm_model", None)
    if model is None:
        return None
    return model_perm(model, _METHOD_ACTIONS.get(request.method, "view"))
