"""Payments: money received, allocated to invoices, the rest kept as the customer's credit; chargebacks.

The payment's ledger entry credits the customer's receivable with the whole amount when it
is recorded, so money not yet allocated already lowers what the customer owes. Allocating
only matches money to invoices (and books the exchange difference when the invoice's rate
and the payment's differ). A reversal (chargeback) undoes the allocations, reopening the
invoices, and posts the mirror entries.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.billing import reads
from salesdesk.billing.errors import OverAllocation
from salesdesk.billing.models import Invoice, Payment, PaymentAllocation
from salesdesk.billing.services import common, open_items, settlement
from salesdesk.core import arithmetic, instances, rows, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.money import ZERO
from salesdesk.ledger import services as ledger
from salesdesk.ledger.models import Account
from salesdesk.sales import services as sales_services

SERIES = "PAY"


def allocation_input(payment_like, allocations) -> list[tuple[Invoice, Decimal]]:
    """[(invoice, amount)] from input, every invoice the customer's own posted invoice in the money's currency."""
    if allocations is None:
        return []
    if not isinstance(allocations, (list, tuple)):
        raise Invalid({"allocations": ["Give a list of {invoice, amount}."]})
    result, line_errors, failed = [], [], False
    for raw in allocations:
        errors: dict = {}
        invoice = raw.get("invoice") if isinstance(raw, dict) else None
        if isinstance(invoice, int) and not isinstance(invoice, bool):
            invoice = Invoice.objects.filter(company_id=payment_like.company_id, pk=invoice).first()
        if not isinstance(invoice, Invoice) or invoice.company_id != payment_like.company_id:
            errors["invoice"] = ["Unknown invoice."]
        elif invoice.customer_id != payment_like.customer_id:
            errors["invoice"] = ["This invoice belongs to another customer."]
        elif invoice.kind != Invoice.Kind.INVOICE or invoice.status not in (Invoice.Status.POSTED, Invoice.Status.PAID):
            errors["invoice"] = ["Only posted invoices take payments."]
        elif invoice.currency_id != payment_like.currency_id:
            errors["invoice"] = ["The invoice is in another currency."]
        amount = None
        try:
            amount = common.positive_amount(raw.get("amount") if isinstance(raw, dict) else None)
        except Invalid as exc:
            errors.update(exc.details)
        line_errors.append(errors)
        failed = failed or bool(errors)
        if not errors:
            result.append((invoice, amount))
    if failed:
        raise Invalid({"allocations": line_errors})
    return result


def _allocate(payment: Payment, pairs: list[tuple[Invoice, Decimal]], actor, on, *, new: bool = False) -> None:
    """Allocate the payment's money to the invoices. `new`: the payment was written in this
    transaction with these allocations already in its figures (allocated, unallocated), so
    they are not moved again; nobody else can see it yet."""
    total = sum((amount for _, amount in pairs), ZERO)
    if not new and total > payment.unallocated_amount:
        raise OverAllocation(payment=payment.pk, amount=str(total), unallocated=str(payment.unallocated_amount))
    allocated = ZERO if new else payment.allocated_amount  # allocated before each allocation
    # Invoices locked in id order, as every settlement does, so concurrent allocations cannot deadlock.
    for invoice, amount in sorted(pairs, key=lambda pair: pair[0].pk):
        invoice = reads.locked_invoice(invoice)
        if amount > invoice.amount_due:
            raise OverAllocation(invoice=invoice.pk, amount=str(amount), amount_due=str(invoice.amount_due))
        settled_before = invoice.total_amount - invoice.amount_due
        allocated_before, allocated = allocated, allocated + amount
        if not new:
            updated = arithmetic.bump(
                Payment,
                where={"id": payment.pk},
                add={"allocated_amount": amount, "unallocated_amount": -amount},
                at_least={"unallocated_amount": amount},
            )
            if not updated:
                raise OverAllocation(payment=payment.pk, amount=str(amount))
            payment.allocated_amount += amount
            payment.unallocated_amount -= amount
        settlement.settle(invoice, actor=actor, paid=amount)
        allocation = rows.insert(PaymentAllocation(company=payment.company, payment=payment, invoice=invoice, amount=amount, date=on))
        entry = settlement.exchange_difference(
            company=payment.company,
            customer=payment.customer,
            invoice_side=common.base_part(before=settled_before, after=settled_before + amount, rate=invoice.rate),
            money_side=common.base_part(before=allocated_before, after=allocated_before + amount, rate=payment.rate),
            on=on,
            actor=actor,
            source=payment,
        )
        if entry is not None:
            allocation.exchange_entry = entry
            allocation.save(update_fields=["exchange_entry"])


def payment_create(
    *, company, actor, customer, amount, date=None, method=Payment.Method.BANK_TRANSFER, reference="", currency=None, allocations=None
) -> Payment:
    """Record money received and allocate it; what is not allocated stays as the customer's credit."""
    if customer is None or customer.company_id != company.pk:
        raise Invalid({"customer": ["Unknown customer."]})
    currency = common.document_currency(company, customer, currency)
    amount = common.positive_amount(amount, places=currency.decimal_places)
    if method not in Payment.Method.values:
        raise Invalid({"method": [f"Choose one of {', '.join(Payment.Method.values)}."]})
    on = date or timezone.localdate()
    with transaction.atomic():
        probe = instances.new(Payment, company=company, customer=customer, currency=currency)
        pairs = allocation_input(probe, allocations)
        allocated = sum((a for _, a in pairs), ZERO)
        if allocated > amount:
            raise OverAllocation(amount=str(amount), allocated=str(allocated))
        # Their orders and the invoices before the journal counter and the customer's account row
        # (the ledger posting moves them), the order every settlement locks in.
        common.lock_for_settling([invoice for invoice, _ in pairs])
        rate = common.rate_for(company, currency, on)
        _, number = common.take_number(company, SERIES, on)
        payment = rows.insert(
            instances.new(
                Payment,
                company=company,
                number=number,
                customer=customer,
                date=on,
                amount=amount,
                currency=currency,
                rate=rate,
                method=method,
                reference=str(reference or "")[:80],
                # Written with its allocations below already counted: no second write of its figures.
                allocated_amount=allocated,
                unallocated_amount=amount - allocated,
                created_by=actor,
            )
        )
        base = common.to_base(amount, rate)
        payment.journal_entry = ledger.post_entry(
            company=company,
            date=on,
            memo=number,
            lines=[
                {"role": Account.Role.CASH, "debit": base, "memo": number},
                {"role": Account.Role.RECEIVABLE, "customer": customer, "credit": base, "memo": number},
            ],
            actor=actor,
            source=payment,
        )
        # Its entry and its first event in one statement on PostgreSQL (one round trip).
        rows.save_fields_with(
            payment, ["journal_entry"], [workflow.event_row(payment, actor=actor, note=f"received {amount} {currency.code}")]
        )
        _allocate(payment, pairs, actor, on, new=True)
        open_items.sync_payment(payment, fresh=True)
    return payment


@transaction.atomic
def payment_allocate(*, payment: Payment, actor, allocations) -> Payment:
    """Allocate a payment's unallocated money (the customer's credit) to invoices."""
    payment = Payment.objects.select_for_update(of=("self",)).select_related("company", "customer", "currency").get(pk=payment.pk)
    if payment.status != Payment.Status.POSTED:
        raise InvalidTransition(from_status=payment.status, to_status="allocated", allowed=[])
    pairs = allocation_input(payment, allocations)
    if not pairs:
        raise Invalid({"allocations": ["Give at least one allocation."]})
    common.lock_for_settling([invoice for invoice, _ in pairs])
    _allocate(payment, pairs, actor, timezone.localdate())
    open_items.sync_payment(payment)
    return payment


def payment_reverse(*, payment: Payment, actor, reason: str = "") -> Payment:
    """A chargeback: the money went back. The invoices it paid are open again; the entries are mirrored."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related("company", "customer").get(pk=payment.pk)
        if payment.status != Payment.Status.POSTED:
            raise InvalidTransition(from_status=payment.status, to_status=Payment.Status.REVERSED, allowed=[])
        allocations = list(payment.allocations.select_related("invoice", "exchange_entry").order_by("invoice_id", "id"))
        common.lock_for_settling([allocation.invoice_id for allocation in allocations])
        for allocation in allocations:
            settlement.settle(allocation.invoice, actor=actor, paid=-allocation.amount)
            if allocation.exchange_entry is not None:
                ledger.reverse_entry(entry=allocation.exchange_entry, actor=actor)
        payment.reversal_entry = ledger.reverse_entry(entry=payment.journal_entry, actor=actor, memo=f"chargeback {payment.number}")
        payment.reversal_reason = reason
        payment.unallocated_amount = ZERO
        payment.save(update_fields=["reversal_entry", "reversal_reason", "unallocated_amount"])
        workflow.transition(payment, to=Payment.Status.REVERSED, actor=actor, note=reason)
        open_items.sync_payment(payment)
    return payment


@transaction.atomic
def credit_note_apply(*, credit_note: Invoice, invoice: Invoice, amount, actor) -> Invoice:
    """Use a credit note's remaining credit to settle another invoice of the same customer."""
    common.lock_for_settling([credit_note.pk, getattr(invoice, "pk", None)])
    credit_note = Invoice.objects.select_for_update().get(pk=credit_note.pk, company_id=credit_note.company_id)
    if credit_note.kind != Invoice.Kind.CREDIT_NOTE or credit_note.status != Invoice.Status.POSTED:
        raise InvalidTransition(
            from_status=credit_note.status, to_status="applied", allowed=[], reason="only a posted credit note with credit left"
        )
    pairs = allocation_input(credit_note, [{"invoice": invoice, "amount": amount}])
    target, amount = pairs[0]
    if amount > credit_note.amount_due:
        raise OverAllocation(credit_note=credit_note.pk, amount=str(amount), credit_left=str(credit_note.amount_due))
    settled = settlement.credit_used(credit_note, target, amount, actor=actor, on=timezone.localdate())
    if settled.sales_order_id:
        # Settled by credit instead of money: for the order the invoice is paid all the same.
        sales_services.order_record_payment(order=settled.sales_order, amount=amount)
    return Invoice.objects.get(pk=target.pk)
