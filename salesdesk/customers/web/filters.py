"""The customer filter of document lists (orders, quotations, contracts, deliveries, returns, invoices, payments)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.web.resource import Filter
from salesdesk.customers import selectors

# Up to this many customers the filter is a drop-down; beyond it, a box for the customer's
# code: a list of thousands of names helps nobody, and it made every list page build and
# send all of them (100,000 customers took a page from 30 ms to 3 s).
SHORT_LIST = 300


CUSTOMER = _("customer")


class CustomerFilter(Filter):
    def __init__(self, name: str = "customer", label=CUSTOMER, lookup: str = "customer_id"):
        super().__init__(name, label, lookup)

    def _visible(self, request):
        return selectors.customers_visible(request.company, request.membership)

    def _short_list(self, request) -> list[tuple[str, str]] | None:
        """The drop-down's choices, or None when the customers are too many for one."""
        rows = list(self._visible(request).order_by("code").values_list("pk", "code", "name")[: SHORT_LIST + 1])
        if len(rows) > SHORT_LIST:
            return None
        return [(str(pk), f"{code} · {name}") for pk, code, name in rows]

    def widget(self, request) -> tuple[str, list[tuple[str, str]]]:
        choices = self._short_list(request)
        return ("select", choices) if choices is not None else ("code", [])

    def options(self, request) -> list[tuple[str, str]]:
        return self._short_list(request) or []

    def apply(self, qs, request, raw: str):
        raw = raw.strip()
        if not raw:
            return qs
        # A drop-down sends the customer's id, the box a code: accept either, within the user's scope.
        match = Q(code__iexact=raw) | (Q(pk=int(raw)) if raw.isdigit() and len(raw) < 19 else Q())
        ids = list(self._visible(request).filter(match).values_list("pk", flat=True)[:2])
        return qs.filter(**{f"{self.lookup}__in": ids})
