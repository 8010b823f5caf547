"""Where goods and money meet: a delivery refused at the door and a return credited.

Billing sits above fulfilment, so these actions live here: fulfilment moves the goods and
their cost, and billing credits what was invoiced for them, in one transaction.
"""

from decimal import Decimal

from django.db import transaction

from salesdesk.billing.errors import OverCredit
from salesdesk.billing.models import Invoice, InvoiceLine
from salesdesk.billing.services.credit_notes import invoice_credit
from salesdesk.billing.services.invoices import invoice_cancel
from salesdesk.core.errors import InvalidTransition
from salesdesk.core.money import ZERO
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.fulfilment.services import returns as return_services
from salesdesk.sales.models import SalesOrderLine

BILLED = (Invoice.Status.POSTED, Invoice.Status.PAID)


def _creditable(lines) -> list[tuple[InvoiceLine, Decimal]]:
    return [(line, line.quantity - line.credited_quantity) for line in lines if line.quantity > line.credited_quantity]


def _credit_by_invoice(picks: list[tuple[InvoiceLine, Decimal]], *, actor, reason: str, **links) -> list[Invoice]:
    """One posted credit note per invoice for the chosen (invoice line, quantity) pairs."""
    by_invoice: dict[int, list[dict]] = {}
    invoices: dict[int, Invoice] = {}
    for line, quantity in picks:
        by_invoice.setdefault(line.invoice_id, []).append({"invoice_line": line.pk, "quantity": quantity})
        invoices[line.invoice_id] = line.invoice
    return [invoice_credit(invoice=invoices[pk], actor=actor, lines=by_invoice[pk], reason=reason, **links) for pk in sorted(by_invoice)]


def _take(candidates, wanted: Decimal, used: dict[int, Decimal] | None = None) -> list[tuple[InvoiceLine, Decimal]]:
    """Pick `wanted` from the candidates in turn; `used` holds what earlier picks of the same
    action took per invoice line (two return lines of one product draw on the same invoice)."""
    used = {} if used is None else used
    picks = []
    for line, left in _creditable(candidates):
        if wanted <= 0:
            break
        take = min(left - used.get(line.pk, ZERO), wanted)
        if take <= 0:
            continue
        picks.append((line, take))
        used[line.pk] = used.get(line.pk, ZERO) + take
        wanted -= take
    return picks


@transaction.atomic
def delivery_refuse(*, delivery: Delivery, actor, reason: str) -> tuple[Delivery, list[Invoice]]:
    """The customer refuses a shipped delivery: goods back to stock, cost of goods sold reversed,
    the order owes the goods again, and whatever was invoiced for them is credited. One action."""
    delivery, refused = fulfilment.delivery_take_back(delivery=delivery, actor=actor, reason=reason)
    picks: list[tuple[InvoiceLine, Decimal]] = []
    order_lines = {line.pk: line for line in SalesOrderLine.objects.filter(pk__in=list(refused))}
    for line_id in sorted(refused):
        line = order_lines[line_id]
        candidates = (
            InvoiceLine.objects.filter(order_line_id=line_id, invoice__kind=Invoice.Kind.INVOICE, invoice__status__in=BILLED)
            .select_related("invoice")
            .order_by("-invoice__posted_at", "-id")
        )
        # The invoice of this very delivery first, then the latest.
        ranked = sorted(candidates, key=lambda c: c.invoice.delivery_id != delivery.pk)
        # What the invoices of this very delivery billed is credited, and so is whatever is billed
        # beyond what the customer now has (an order billed up front); never more than refused.
        billed_here = sum((left for c, left in _creditable(ranked) if c.invoice.delivery_id == delivery.pk), ZERO)
        to_credit = min(refused[line_id], max(billed_here, line.invoiced_quantity - line.delivered_quantity))
        if to_credit <= 0:
            continue
        picks += _take(ranked, to_credit)
    notes = _credit_by_invoice(picks, actor=actor, reason=f"refused delivery {delivery.number}: {reason}", delivery=delivery)
    # A draft invoice of the refused delivery would bill goods that came back: it is cancelled too.
    for draft in Invoice.objects.filter(delivery=delivery, kind=Invoice.Kind.INVOICE, status=Invoice.Status.DRAFT).order_by("id"):
        invoice_cancel(invoice=draft, actor=actor, reason=f"delivery {delivery.number} refused")
    return delivery, notes


def _return_candidates(request: ReturnRequest, product_id: int):
    qs = InvoiceLine.objects.filter(
        invoice__customer_id=request.customer_id, invoice__kind=Invoice.Kind.INVOICE, invoice__status__in=BILLED, product_id=product_id
    )
    if request.invoice_id:
        qs = qs.filter(invoice_id=request.invoice_id)
    elif request.sales_order_id:
        qs = qs.filter(invoice__sales_order_id=request.sales_order_id)
    return list(qs.select_related("invoice").order_by("-invoice__issue_date", "-id"))


@transaction.atomic
def return_credit(*, request: ReturnRequest, actor) -> tuple[ReturnRequest, list[Invoice]]:
    """Credit the received goods kept by us (restocked or scrapped) at the price they were invoiced at."""
    request = return_services.locked(request)
    if request.status != ReturnRequest.Status.RECEIVED:
        raise InvalidTransition(from_status=request.status, to_status=ReturnRequest.Status.CREDITED, allowed=[])
    picks: list[tuple[InvoiceLine, Decimal]] = []
    credited: dict[int, Decimal] = {}
    used: dict[int, Decimal] = {}
    for return_line, quantity in fulfilment.creditable_lines(request):
        taken = _take(_return_candidates(request, return_line.product_id), quantity, used)
        picks += taken
        credited[return_line.pk] = sum((q for _, q in taken), ZERO)
    if not picks:
        raise OverCredit(reason="none of the returned goods kept was invoiced to this customer", return_request=request.pk)
    notes = _credit_by_invoice(picks, actor=actor, reason=f"return {request.number}", return_request=request)
    fulfilment.return_mark_credited(request=request, actor=actor, credited=credited, note=", ".join(n.number for n in notes))
    return request, notes
