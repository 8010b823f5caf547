"""Disputes and refusals to pay: (part of) an invoice is contested and kept out of dunning until
resolved by a credit note, a write-off, or "collect" (the customer pays after all).

The invoice's `disputed_amount` is the sum of its open disputes, moved with conditional
updates; it never exceeds what is still due.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesdesk.billing.errors import NotOpen, OverAllocation
from salesdesk.billing.models import Dispute, DisputeOutcome, DisputeReason, Invoice, InvoiceLine
from salesdesk.billing.services import common
from salesdesk.billing.services.invoices import _write_lines
from salesdesk.billing.services.posting import invoice_post
from salesdesk.billing.services.writeoffs import invoice_write_off
from salesdesk.core import arithmetic, workflow
from salesdesk.core.errors import Invalid
from salesdesk.core.money import ZERO, split
from salesdesk.sales.services import lines as line_service

Status = Dispute.Status
CENT = Decimal("0.01")


def _locked_invoice(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update(of=("self",)).select_related("company", "customer", "currency").get(pk=invoice.pk)


def _set_disputed(invoice: Invoice, delta: Decimal) -> None:
    """Move the invoice's disputed amount by `delta`; raising it beyond what is due is refused (409 `over_allocation`)."""
    limit = {"room": {"disputed_amount": "amount_due"}} if delta > 0 else {}
    updated = arithmetic.bump(Invoice, where={"id": invoice.pk}, add={"disputed_amount": delta}, **limit) if delta else 1
    if not updated:
        raise OverAllocation(
            invoice=invoice.pk, amount=str(delta), undisputed_due=str(max(invoice.amount_due - invoice.disputed_amount, ZERO))
        )
    invoice.refresh_from_db(fields=["disputed_amount"])
    invoice.disputed = invoice.disputed_amount > 0
    invoice.save(update_fields=["disputed"])


@transaction.atomic
def dispute_open(*, invoice: Invoice, actor, reason: str, amount=None, note: str = "") -> Dispute:
    """The customer contests `amount` of a posted invoice (all of what is due and undisputed by default)."""
    invoice = _locked_invoice(invoice)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.POSTED or invoice.amount_due <= 0:
        raise NotOpen(invoice=invoice.pk, status=invoice.status)
    if reason not in DisputeReason.values:
        raise Invalid({"reason": [f"Choose one of: {', '.join(DisputeReason.values)}."]})
    if amount is None:
        amount = invoice.amount_due - invoice.disputed_amount
    else:
        amount = common.positive_amount(amount, places=invoice.currency.decimal_places)
    if amount <= 0:
        raise OverAllocation(invoice=invoice.pk, amount=str(amount), undisputed_due="0.00")
    _set_disputed(invoice, amount)
    dispute = Dispute.objects.create(
        company=invoice.company, invoice=invoice, amount=amount, reason=reason, note=note or "", opened_by=actor
    )
    workflow.record_event(invoice, actor=actor, note=f"disputed {amount} ({reason})")
    return dispute


def _amount_lines(invoice: Invoice, amount: Decimal, label: str) -> list[InvoiceLine]:
    """Credit-note lines worth exactly `amount` with tax, split over the invoice's taxes by their share.

    Each tax's share is a gross amount: the net is searched around gross / (1 + rate) so that
    net plus its rounded tax gives the share to the cent (or the nearest below it, the rest
    then on an untaxed line)."""
    places = invoice.currency.decimal_places
    groups: dict[object, tuple[InvoiceLine, Decimal]] = {}
    for line in invoice.lines.select_related("tax", "product").order_by("sequence", "id"):
        # A line's amount is its net, with the tax included in its price or not: its share is net plus tax.
        gross = line.amount * (1 + line.tax_rate / 100) if line.tax_rate else line.amount
        first, total = groups.get(line.tax_id, (line, ZERO))
        groups[line.tax_id] = (first, total + gross)
    keys = list(groups)
    shares = split(amount, [groups[k][1] for k in keys], places)
    built = []
    for key, share in zip(keys, shares, strict=True):
        if share <= 0:
            continue
        model = groups[key][0]
        rate = model.tax_rate or ZERO
        if model.tax_included or not rate:
            candidates = [share]
        else:
            guess = (share / (1 + rate / 100)).quantize(CENT)
            candidates = [guess + CENT * step for step in (2, 1, 0, -1, -2) if guess + CENT * step > 0]
        best = None
        for net in candidates:
            line = InvoiceLine(company=invoice.company, product=model.product, description=label[:300], quantity=Decimal(1))
            line.unit_price, line.discount_percent, line.tax = net, ZERO, model.tax
            line.tax_rate, line.tax_included = model.tax_rate, model.tax_included  # as the invoice charged it
            total = line_service.apply_totals([line], places, frozen=True).total
            if total <= share and (best is None or total > best[0]):
                best = (total, line)
        if best is not None:
            built.append(best[1])
    # A total at a tax rate moves in steps of one or two cents (net + its rounded tax), so some
    # amounts cannot be hit by taxed lines alone: the missing cent(s) go on an untaxed line, so that
    # the credit note is worth exactly the disputed amount and no cent of it stays due (and dunned).
    short = amount - (line_service.apply_totals(built, places, frozen=True).total if built else ZERO)
    if short > 0:
        model = groups[keys[0]][0]
        line = InvoiceLine(company=invoice.company, product=model.product, description=label[:300], quantity=Decimal(1))
        line.unit_price, line.discount_percent, line.tax = short, ZERO, None
        line.tax_rate, line.tax_included = None, False
        built.append(line)
    return built


def _credit_amount(invoice: Invoice, amount: Decimal, *, actor, label: str) -> Invoice:
    note = Invoice.objects.create(
        company=invoice.company,
        kind=Invoice.Kind.CREDIT_NOTE,
        customer=invoice.customer,
        salesperson=invoice.salesperson,
        sales_order=invoice.sales_order,
        original_invoice=invoice,
        currency=invoice.currency,
        issue_date=timezone.localdate(),
        reason=label,
        customer_reference=invoice.customer_reference,
        created_by=actor,
    )
    _write_lines(note, _amount_lines(invoice, amount, label))
    workflow.record_event(note, actor=actor, note=f"credit note for {invoice.number}: {label}")
    return invoice_post(invoice=note, actor=actor)


@transaction.atomic
def dispute_resolve(*, dispute: Dispute, actor, outcome: str, note: str = "") -> Dispute:
    """Close a dispute: credit note or write-off for its amount (never more than is still due), or collect."""
    if outcome not in DisputeOutcome.values:
        raise Invalid({"outcome": [f"Choose one of: {', '.join(DisputeOutcome.values)}."]})
    common.lock_for_settling([dispute.invoice_id])  # the order first: a credit note or write-off moves it
    invoice = _locked_invoice(dispute.invoice)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk, company_id=invoice.company_id)
    if dispute.status != Status.OPEN:
        workflow.transition(dispute, to=Status.RESOLVED, actor=actor)  # raises invalid_transition
    _set_disputed(invoice, -dispute.amount)
    invoice.refresh_from_db()
    settle = min(dispute.amount, invoice.amount_due)
    label = _("Dispute settled: %(reason)s") % {"reason": dispute.get_reason_display()}
    if outcome == DisputeOutcome.CREDIT_NOTE:
        if settle <= 0:
            raise NotOpen(invoice=invoice.pk, status=invoice.status)
        dispute.credit_note = _credit_amount(invoice, settle, actor=actor, label=label)
    elif outcome == DisputeOutcome.WRITE_OFF:
        if settle <= 0:
            raise NotOpen(invoice=invoice.pk, status=invoice.status)
        dispute.write_off = invoice_write_off(invoice=invoice, actor=actor, reason=note or label, amount=settle)
    dispute.outcome, dispute.resolution_note = outcome, note or ""
    dispute.resolved_by, dispute.resolved_at = actor, timezone.now()
    workflow.transition(
        dispute,
        to=Status.RESOLVED,
        actor=actor,
        note=f"{outcome}: {note}" if note else outcome,
        extra_fields=("outcome", "resolution_note", "resolved_by", "resolved_at", "credit_note", "write_off"),
    )
    workflow.record_event(invoice, actor=actor, note=f"dispute resolved: {outcome}")
    return dispute
