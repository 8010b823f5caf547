"""What the quotation and order pages show: lines with "why this price", tax per rate, the
revision chain, the event history, and which action buttons the member may use."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.core import workflow
from salesdesk.core.money import currency_places
from salesdesk.sales import progress, selectors
from salesdesk.sales.models import Quotation, SalesOrder
from salesdesk.sales.totals import LineInput, Totals, document_totals
from salesdesk.sales.web import credit

PROGRESS_LABELS = {
    "none": _("none"),
    "partial": _("partial"),
    "delivered": _("delivered"),
    "invoiced": _("invoiced"),
    "paid": _("paid"),
}


@dataclass
class TaxRow:
    rate: Decimal
    included: bool
    base: Decimal
    amount: Decimal


def tax_rows(totals: Totals) -> list[TaxRow]:
    return [TaxRow(rate=t.rate.normalize(), included=t.included, base=t.base, amount=t.amount) for t in totals.taxes]


def line_totals(lines, currency_code: str) -> Totals:
    return document_totals(
        [
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax.rate if line.tax else None,
                tax_included=bool(line.tax and line.tax.included_in_price),
            )
            for line in lines
        ],
        places=currency_places(currency_code),
    )


def explanation(line) -> list[str]:
    value = line.price_explanation
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value or []]


def _events(document):
    return list(workflow.events_for(document).order_by("at", "id"))


def document_context(request, document, *, kind: str) -> dict[str, Any]:
    m = request.membership
    lines = list(document.lines.select_related("product", "tax"))
    for line in lines:
        line.why = explanation(line)
    totals = line_totals(lines, document.currency.code)
    context: dict[str, Any] = {
        "kind": kind,
        "lines": lines,
        "taxes": tax_rows(totals),
        "events": _events(document),
        "pdf_url": reverse(f"sales:{kind}-pdf", args=[document.pk]),
    }
    if kind == "quotation":
        context.update(_quotation_context(m, document))
    else:
        context.update(_order_context(m, document, lines))
    return context


def _quotation_context(m, q: Quotation) -> dict[str, Any]:
    change = m.has_perm("sales.change_quotation")
    targets = workflow.allowed_targets(q) if change else set()
    S = Quotation.Status
    superseded = q.later_revisions.exists()
    order = q.orders.exclude(status=SalesOrder.Status.CANCELLED).first()
    return {
        "previous": q.previous,
        "next_revision": q.later_revisions.first(),
        "revisions": _revision_chain(q),
        "order": order,
        "can_edit": change and q.status == S.DRAFT,
        "can_send": S.SENT in targets and not superseded,
        "can_accept": S.ACCEPTED in targets and not superseded,
        "can_reject": S.REJECTED in targets and not superseded,
        "can_cancel": S.CANCELLED in targets,
        "can_revise": change and q.status not in (S.DRAFT, S.ACCEPTED) and not superseded,
        "can_convert": q.status == S.ACCEPTED and order is None and m.has_perm("sales.add_salesorder"),
        "default_email": q.sent_to or q.customer.email,
    }


def _revision_chain(q: Quotation) -> list[Quotation]:
    """Every revision of this quotation number, oldest first (a handful at most)."""
    return list(
        Quotation.objects.filter(company_id=q.company_id, number=q.number).order_by("revision").only("pk", "number", "revision", "status")
    )


def _order_context(m, order: SalesOrder, lines) -> dict[str, Any]:
    change = m.has_perm("sales.change_salesorder")
    targets = workflow.allowed_targets(order) if change else set()
    S = SalesOrder.Status
    delivery = progress.delivery_state((line.quantity, line.delivered_quantity) for line in lines)
    invoicing = progress.invoice_state((line.quantity, line.invoiced_quantity) for line in lines)
    touched = delivery != progress.NONE or invoicing != progress.NONE
    states = {k: PROGRESS_LABELS.get(v, v) for k, v in selectors.order_progress(order).items()}
    approvals = list(order.price_approvals.select_related("requested_by", "decided_by").prefetch_related("lines__product"))
    held = order.status == S.CREDIT_HOLD
    return {
        "progress": states,
        "credit_hold": credit.hold_context(order, order.company.base_currency) if held else None,
        "can_release": held and m.has_perm(credit.RELEASE_PERM),
        # Billing sits above sales: its panel on this page is fetched by URL (htmx), never imported.
        "show_billing": m.has_perm("billing.view_invoice"),
        "revisions": list(order.revisions.select_related("actor").order_by("-revision")),
        "approvals": approvals,
        "pending_approval": next((a for a in approvals if a.status == a.Status.PENDING), None),
        "can_edit": change and order.status == S.DRAFT,
        "can_confirm": S.CONFIRMED in targets and order.status in (S.DRAFT, S.PENDING_APPROVAL),
        "can_cancel": S.CANCELLED in targets and not touched,
        "can_amend": change and order.status == S.CONFIRMED,
    }
