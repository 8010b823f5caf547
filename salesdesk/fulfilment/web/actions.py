"""POST `<pk>/<action>/` on a delivery or return: one service call, a flash message, back to the page.

A refused service call (a `DomainError`: 409 business rule, 400 bad input, 403 not allowed)
becomes an error message on the document's page and nothing is saved; a missing permission
is a 403 and a document outside the member's scope or company a 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
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


def form_errors(form) -> str:
    """A form's errors as one sentence: "field: message"."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def line_errors(exc: DomainError, formset) -> DomainError:
    """A service's per-line errors (`lines: [{product: [...]}, ...]`) go on their rows; the rest stays for the form."""
    details = exc.details if isinstance(exc.details, dict) else {}
    per_line = details.get("lines")
    if isinstance(per_line, list) and all(isinstance(item, dict) for item in per_line):
        rows = formset.kept_forms()
        for row, errors in zip(rows, per_line, strict=False):
            for name, found in errors.items():
                row.add_error(name if name in row.fields else None, found)
        exc.details = {k: v for k, v in details.items() if k != "lines"}
        if not exc.details:
            exc.details = {"__all__": [_("Some lines need correcting.")]}
    return exc


class ActionView(CompanyRequiredMixin, View):
    detail_name = ""  # "fulfilment:delivery-detail"
    actions: dict[str, str] = {}  # action -> permission

    def required_permission(self, request):
        perm = self.actions.get(self.kwargs["action"])
        if perm is None:
            raise Http404
        return perm

    def queryset(self, request):
        raise NotImplementedError

    def detail(self, obj) -> str:
        return reverse(self.detail_name, args=[obj.pk])

    def get(self, request, pk, action):
        return redirect(reverse(self.detail_name, args=[pk]))

    def post(self, request, pk, action):
        document = get_object_or_404(self.queryset(request), pk=pk)
        try:
            getattr(self, f"do_{action.replace('-', '_')}")(request, document)
        except DomainError as exc:
            messages.error(request, describe(exc))
        return redirect(self.detail(document))
