"""Writing off what a customer will not pay: the rest of an invoice goes to bad debts, with a reason."""

from django.db import transaction
from django.utils import timezone

from salesdesk.billing.errors import NotOpen, OverAllocation
from salesdesk.billing.models import Invoice, WriteOff
from salesdesk.billing.services import common, settlement
from salesdesk.core import audit
from salesdesk.core.errors import Invalid
from salesdesk.ledger import services as ledger
from salesdesk.ledger.models import Account


@transaction.atomic
def invoice_write_off(*, invoice: Invoice, actor, reason: str, amount=None) -> WriteOff:
    """Write off (part of) what is due on a posted invoice: bad-debt expense against the receivable."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": ["Say why the amount is written off."]})
    common.lock_for_settling([invoice.pk])  # its order first, as every settlement
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("company", "customer", "currency").get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.POSTED or invoice.amount_due <= 0:
        raise NotOpen(invoice=invoice.pk, status=invoice.status)
    amount = invoice.amount_due if amount is None else common.positive_amount(amount, places=invoice.currency.decimal_places)
    if amount > invoice.amount_due:
        raise OverAllocation(invoice=invoice.pk, amount=str(amount), amount_due=str(invoice.amount_due))
    settled_before = invoice.total_amount - invoice.amount_due
    base = common.base_part(before=settled_before, after=settled_before + amount, rate=invoice.rate)
    on = timezone.localdate()
    entry = ledger.post_entry(
        company=invoice.company,
        date=on,
        memo=f"write-off {invoice.number}",
        lines=[
            {"role": Account.Role.BAD_DEBT, "debit": base, "memo": reason[:255]},
            {"role": Account.Role.RECEIVABLE, "customer": invoice.customer, "credit": base, "memo": invoice.number},
        ],
        actor=actor,
        source=invoice,
    )
    settlement.settle(invoice, actor=actor, written_off=amount)
    write_off = WriteOff.objects.create(
        company=invoice.company, invoice=invoice, amount=amount, date=on, reason=reason, journal_entry=entry, actor=actor
    )
    audit.record(instance=invoice, actor=actor, action="update", before={"written_off": ""}, after={"written_off": f"{amount} ({reason})"})
    return write_off
