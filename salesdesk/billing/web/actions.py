"""POST `<pk>/<action>/` on a billing document: one service call, a flash message, back to the page.

A refused service call (a `DomainError`: 409 business rule or 400 bad input) becomes an error
message on the document's page and nothing is saved; a missing permission is a 403 and a
document outside the member's scope or company a 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from salesdesk.core.errors import DomainError, Invalid
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import error_message


def describe(error: DomainError) -> str:
    """One sentence for a flash message, also when a service names fields inside list items."""
    if not isinstance(error, Invalid) or not error.details:
        return error_message(error)
    parts: list[str] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif value:
            parts.append(str(value))

    walk(error.details)
    return " ".join(parts) or error.message


class ActionView(CompanyRequiredMixin, View):
    kind = ""  # "invoice" -> billing:invoice-detail
    actions: dict[str, str] = {}  # action -> permission

    def required_permission(self, request):
        perm = self.actions.get(self.kwargs["action"])
        if perm is None:
            raise Http404
        return perm

    def queryset(self, request):
        raise NotImplementedError

    def detail(self, obj) -> str:
        return reverse(f"billing:{self.kind}-detail", args=[obj.pk])

    def get(self, request, pk, action):
        return redirect(reverse(f"billing:{self.kind}-detail", args=[pk]))

    def post(self, request, pk, action):
        document = get_object_or_404(self.queryset(request), pk=pk)
        try:
            target = getattr(self, f"do_{action.replace('-', '_')}")(request, document)
        except DomainError as exc:
            messages.error(request, describe(exc))
            target = self.detail(document)
        return redirect(target)
