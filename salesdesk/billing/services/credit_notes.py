"""Credit notes: for a whole invoice or chosen lines, never more than was invoiced (`over_credit`)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.billing.errors import OverCredit
from salesdesk.billing.models import Invoice, InvoiceLine
from salesdesk.billing.services import common
from salesdesk.billing.services.invoices import _decimal, _locked, _write_lines
from salesdesk.billing.services.posting import invoice_post
from salesdesk.core import workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.money import ZERO

Status = Invoice.Status
Kind = Invoice.Kind


def invoice_credit(
    *, invoice: Invoice, actor, lines=None, reason: str = "", post: bool = True, delivery=None, return_request=None
) -> Invoice:
    """A credit note for the whole invoice or for chosen {invoice_line, quantity}; posted at once unless `post` is False.

    `delivery` names the delivery refused at the door, `return_request` the return whose goods it credits."""
    with transaction.atomic():
        common.lock_for_settling([invoice.pk])  # the order before the invoice: posting the note moves it
        invoice = _locked(invoice)
        if invoice.kind != Kind.INVOICE or invoice.status not in (Status.POSTED, Status.PAID):
            raise InvalidTransition(
                from_status=invoice.status, to_status="credited", allowed=[], reason="only a posted invoice can be credited"
            )
        originals = {line.pk: line for line in invoice.lines.select_related("product", "tax")}
        pending: dict[int, Decimal] = {}
        for line_id, quantity in InvoiceLine.objects.filter(original_line_id__in=list(originals), invoice__status=Status.DRAFT).values_list(
            "original_line_id", "quantity"
        ):
            pending[line_id] = pending.get(line_id, ZERO) + quantity
        left = {pk: line.quantity - line.credited_quantity - pending.get(pk, ZERO) for pk, line in originals.items()}
        if lines is None:
            wanted = {pk: quantity for pk, quantity in left.items() if quantity > 0}
            if not wanted:
                raise OverCredit(reason="everything on this invoice was already credited")
        else:
            wanted, line_errors, failed = {}, [], False
            for raw in lines if isinstance(lines, (list, tuple)) else []:
                errors: dict = {}
                ref = raw.get("invoice_line") if isinstance(raw, dict) else None
                line_id = ref.pk if isinstance(ref, InvoiceLine) else ref
                if not isinstance(line_id, int) or isinstance(line_id, bool) or line_id not in originals:
                    errors["invoice_line"] = ["Not a line of this invoice."]
                quantity = _decimal(raw.get("quantity") if isinstance(raw, dict) else None, errors, "quantity", minimum=Decimal("0.0001"))
                line_errors.append(errors)
                failed = failed or bool(errors)
                if not errors:
                    wanted[line_id] = wanted.get(line_id, ZERO) + quantity
            if failed or not wanted:
                raise Invalid({"lines": line_errors or ["Choose at least one line to credit."]})
            for line_id, quantity in wanted.items():
                if quantity > left[line_id]:
                    raise OverCredit(invoice_line=line_id, quantity=str(quantity), creditable=str(max(left[line_id], ZERO)))
        note = Invoice.objects.create(
            company=invoice.company,
            kind=Kind.CREDIT_NOTE,
            customer=invoice.customer,
            salesperson=invoice.salesperson,
            sales_order=invoice.sales_order,
            original_invoice=invoice,
            delivery=delivery,
            return_request=return_request,
            currency=invoice.currency,
            issue_date=timezone.localdate(),
            reason=reason,
            customer_reference=invoice.customer_reference,
            created_by=actor,
        )
        built = [
            InvoiceLine(
                company=invoice.company,
                original_line=originals[pk],
                order_line_id=originals[pk].order_line_id,
                product=originals[pk].product,
                description=originals[pk].description,
                quantity=wanted[pk],
                unit_price=originals[pk].unit_price,
                discount_percent=originals[pk].discount_percent,
                tax=originals[pk].tax,
                tax_rate=originals[pk].tax_rate,
                tax_included=originals[pk].tax_included,
            )
            for pk in sorted(wanted, key=lambda pk: (originals[pk].sequence, pk))
        ]
        _write_lines(note, built)
        workflow.record_event(note, actor=actor, note=f"credit note for {invoice.number}" + (f": {reason}" if reason else ""))
        if post:
            note = invoice_post(invoice=note, actor=actor)
    return note
