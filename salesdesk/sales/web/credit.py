"""Credit control on the order pages: why an order is held, the release queue and its explanations.

An order whose confirmation would take the customer over their credit limit (or whose
customer has an invoice overdue too long) waits in `credit_hold` until a sales manager, an
accountant or an administrator releases it with a reason.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from salesdesk.core import workflow
from salesdesk.core.models import DocumentEvent
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.display import display
from salesdesk.core.web.home import home_card
from salesdesk.core.web.pages import page_of
from salesdesk.customers import selectors as customer_selectors
from salesdesk.sales import selectors
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked
from salesdesk.sales.models import SalesOrder

RELEASE_PERM = "sales.release_salesorder"
QUEUE_PAGE = 50


def _amount(raw) -> str:
    try:
        return display(Decimal(str(raw)))
    except (InvalidOperation, ValueError):
        return str(raw)


def refusal_message(exc: CreditLimitExceeded | CustomerBlocked, currency: str) -> str:
    """What the seller reads when confirmation is refused for credit: the figures behind it (company currency)."""
    details = exc.details or {}
    if isinstance(exc, CreditLimitExceeded):
        return _(
            "Order held for credit: with this order of %(currency)s %(order)s the customer's exposure of %(exposure)s "
            "would pass their credit limit of %(limit)s. A sales manager or an accountant can release it with a reason."
        ) % {
            "currency": currency,
            "order": _amount(details.get("order_amount", "")),
            "exposure": _amount(details.get("exposure", "")),
            "limit": _amount(details.get("credit_limit", "")),
        }
    if details.get("reason") == "overdue":
        return _(
            "Order held for credit: the customer has an invoice %(days)s days overdue, and orders are blocked after %(limit)s days. "
            "A sales manager or an accountant can release it with a reason."
        ) % {"days": details.get("days_overdue", ""), "limit": details.get("overdue_block_days", "")}
    return _("The customer's file is blocked: unblock the customer before confirming the order.")


def hold_context(order: SalesOrder, currency: str) -> dict[str, Any]:
    """The figures shown on a held order: the customer's limit, exposure and available credit, and why it is held."""
    credit = customer_selectors.customer_credit(order.customer)
    event = workflow.events_for(order).filter(to_status=SalesOrder.Status.CREDIT_HOLD).order_by("-at", "-id").first()
    return {
        "reason": (event.note if event else "") or "credit_limit_exceeded",
        "credit": credit,
        "base_currency": currency,
        "overdue_block_days": order.customer.overdue_block_days,
    }


def _hold_reasons(company, orders) -> dict[int, str]:
    """Why each order was held (the refusal noted on its move to credit hold), in one query."""
    if not orders:
        return {}
    events = DocumentEvent.objects.filter(
        company=company,
        content_type=ContentType.objects.get_for_model(SalesOrder),
        object_id__in=[order.pk for order in orders],
        to_status=SalesOrder.Status.CREDIT_HOLD,
    ).order_by("at", "id")
    return {object_id: note for object_id, note in events.values_list("object_id", "note") if note}


class CreditHoldListView(CompanyRequiredMixin, View):
    """Orders waiting for a credit release, oldest first, with each customer's limit and exposure."""

    permission = RELEASE_PERM

    def get(self, request):
        held = (
            selectors.orders_visible(request.company, request.membership)
            .filter(status=SalesOrder.Status.CREDIT_HOLD)
            .select_related("customer", "salesperson", "currency")
            .order_by("date", "id")
        )
        page = page_of(held, QUEUE_PAGE, request.GET.get("page"))
        orders = list(page.object_list)
        credits = {}
        reasons = _hold_reasons(request.company, orders)
        for order in orders:  # one account row per customer on the page
            if order.customer_id not in credits:
                credits[order.customer_id] = customer_selectors.customer_credit(order.customer)
            order.credit = credits[order.customer_id]
            order.hold_reason = reasons.get(order.pk, "credit_limit_exceeded")
        return render(
            request,
            "sales/credit_holds.html",
            {"orders": orders, "page": page, "base_currency": request.company.base_currency},
        )


@home_card(order=31)
def credit_holds_card(request):
    m = request.membership
    if not m.has_perm(RELEASE_PERM):
        return None
    count = selectors.orders_visible(request.company, m).filter(status=SalesOrder.Status.CREDIT_HOLD).count()
    return {
        "title": gettext_lazy("Orders held for credit"),
        "value": count,
        "icon": "shield-exclamation",
        "url": reverse("sales:credit-holds"),
        "hint": "",
    }
