"""Deposits: money received before invoicing, held as a liability to the customer.

Receiving one debits cash and credits customer deposits (not revenue). Applying part of it
to an invoice moves that part from customer deposits to the customer's receivable; a refund
pays the rest back out of cash. The customer's unapplied deposits (read by the credit check)
move in the same transaction.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.billing import reads
from salesdesk.billing.errors import OverAllocation
from salesdesk.billing.models import Deposit, DepositApplication, Invoice, PaymentMethod
from salesdesk.billing.services import common, settlement
from salesdesk.billing.services.payments import allocation_input
from salesdesk.billing.services.settlement import exchange_difference
from salesdesk.core import arithmetic, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.locking import lock_keys
from salesdesk.core.money import ZERO
from salesdesk.customers import services as customer_services
from salesdesk.ledger import services as ledger
from salesdesk.ledger.models import Account
from salesdesk.sales.models import SalesOrder

SERIES = "DEP"
Status = Deposit.Status


@transaction.atomic
def deposit_create(
    *, company, actor, customer, amount, date=None, sales_order=None, method="bank_transfer", reference="", currency=None
) -> Deposit:
    """Receive a deposit against a customer or one of their orders (not a cancelled one)."""
    if customer is None or customer.company_id != company.pk:
        raise Invalid({"customer": ["Unknown customer."]})
    if sales_order is not None:
        # The order as it is now (locked), not as the caller last saw it.
        sales_order = (
            SalesOrder.objects.select_for_update(of=("self",)).select_related("currency").filter(pk=sales_order.pk).first() or sales_order
        )
        if sales_order.company_id != company.pk or sales_order.customer_id != customer.pk:
            raise Invalid({"sales_order": ["Not an order of this customer."]})
        if sales_order.status in (SalesOrder.Status.CANCELLED, SalesOrder.Status.CLOSED):
            raise InvalidTransition(
                from_status=sales_order.status, to_status="deposit", allowed=[], reason="the order is cancelled or closed"
            )
        currency = currency or sales_order.currency
    currency = common.document_currency(company, customer, currency)
    amount = common.positive_amount(amount, places=currency.decimal_places)
    if method not in PaymentMethod.values:
        raise Invalid({"method": ["Unknown payment method."]})
    on = date or timezone.localdate()
    with transaction.atomic():
        rate = common.rate_for(company, currency, on)
        _, number = common.take_number(company, SERIES, on)
        deposit = Deposit.objects.create(
            company=company,
            number=number,
            customer=customer,
            sales_order=sales_order,
            date=on,
            amount=amount,
            held_amount=amount,
            currency=currency,
            rate=rate,
            method=method,
            reference=str(reference or "")[:80],
            created_by=actor,
        )
        base = common.to_base(amount, rate)
        deposit.journal_entry = ledger.post_entry(
            company=company,
            date=on,
            memo=number,
            lines=[
                {"role": Account.Role.CASH, "debit": base, "memo": number},
                {"role": Account.Role.CUSTOMER_DEPOSITS, "credit": base, "memo": number},
            ],
            actor=actor,
            source=deposit,
        )
        deposit.save(update_fields=["journal_entry"])
        customer_services.account_add(customer_id=customer.pk, company_id=company.pk, unapplied_deposits=base)
        workflow.record_event(deposit, actor=actor, note=f"received {amount} {currency.code}")
    return deposit


def _use(deposit: Deposit, amount: Decimal, *, invoice: Invoice | None, actor, on) -> tuple[DepositApplication, Decimal]:
    """Take `amount` out of what the deposit holds: applied to `invoice`, or refunded when there is none.

    Returns the application and its value in the company's currency."""
    used_before = deposit.applied_amount + deposit.refunded_amount
    field = "applied_amount" if invoice is not None else "refunded_amount"
    updated = arithmetic.bump(
        Deposit, where={"id": deposit.pk}, add={field: amount, "held_amount": -amount}, at_least={"held_amount": amount}
    )
    if not updated:
        raise OverAllocation(deposit=deposit.pk, amount=str(amount), held=str(deposit.held_amount))
    base = common.base_part(before=used_before, after=used_before + amount, rate=deposit.rate)
    deposits_line = {"role": Account.Role.CUSTOMER_DEPOSITS, "debit": base, "memo": deposit.number}
    if invoice is not None:
        other = {"role": Account.Role.RECEIVABLE, "customer": deposit.customer, "credit": base, "memo": invoice.number}
    else:
        other = {"role": Account.Role.CASH, "credit": base, "memo": f"refund {deposit.number}"}
    entry = ledger.post_entry(
        company=deposit.company, date=on, memo=deposit.number, lines=[deposits_line, other], actor=actor, source=deposit
    )
    customer_services.account_add(customer_id=deposit.customer_id, company_id=deposit.company_id, unapplied_deposits=-base)
    deposit.refresh_from_db()
    if deposit.held_amount == 0:
        workflow.transition(deposit, to=Status.REFUNDED if deposit.refunded_amount > 0 else Status.APPLIED, actor=actor)
    return DepositApplication.objects.create(
        company=deposit.company, deposit=deposit, invoice=invoice, amount=amount, date=on, journal_entry=entry, actor=actor
    ), base


def _apply(deposit: Deposit, invoice: Invoice, amount: Decimal, actor) -> DepositApplication:
    on = timezone.localdate()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if amount > invoice.amount_due:
        raise OverAllocation(invoice=invoice.pk, amount=str(amount), amount_due=str(invoice.amount_due))
    settled_before = invoice.total_amount - invoice.amount_due
    application, base = _use(deposit, amount, invoice=invoice, actor=actor, on=on)
    settlement.settle(invoice, actor=actor, paid=amount)
    exchange_difference(
        company=deposit.company,
        customer=deposit.customer,
        invoice_side=common.base_part(before=settled_before, after=settled_before + amount, rate=invoice.rate),
        money_side=base,
        on=on,
        actor=actor,
        source=deposit,
    )
    return application


def _locked(deposit: Deposit) -> Deposit:
    """The deposit locked, after its order: posting the order's invoice locks the order first and
    the order's deposits last (to apply them), so a refund or an application locking the
    deposit first would deadlock with it."""
    order_id = Deposit.objects.filter(pk=deposit.pk).values_list("sales_order_id", flat=True).first()
    if order_id:
        lock_keys(SalesOrder, [order_id])
    return (
        Deposit.objects.select_for_update(of=("self",))
        .select_related("company", "customer", "currency")
        .get(pk=deposit.pk, company_id=deposit.company_id)
    )


@transaction.atomic
def deposit_apply(*, deposit: Deposit, invoice, amount=None, actor) -> Deposit:
    """Apply (part of) a held deposit to a posted invoice of the same customer; by default as much as both allow."""
    deposit = _locked(deposit)
    if deposit.status != Status.HELD:
        raise InvalidTransition(from_status=deposit.status, to_status=Status.APPLIED, allowed=[])
    if amount is None:
        # As much as both allow, read from the invoice as it is now.
        invoice_id = invoice.pk if isinstance(invoice, Invoice) else invoice
        if isinstance(invoice_id, int) and not isinstance(invoice_id, bool):
            due = Invoice.objects.filter(company_id=deposit.company_id, pk=invoice_id).values_list("amount_due", flat=True).first()
            if due is not None and due > 0:
                amount = min(deposit.held_amount, due)
    pairs = allocation_input(deposit, [{"invoice": invoice, "amount": amount}])
    target, amount = pairs[0]
    if amount > deposit.held_amount:
        raise OverAllocation(deposit=deposit.pk, amount=str(amount), held=str(deposit.held_amount))
    _apply(deposit, target, amount, actor)
    deposit.refresh_from_db()
    return deposit


@transaction.atomic
def deposit_refund(*, deposit: Deposit, actor, amount=None, reason: str = "") -> Deposit:
    """Pay back what the deposit still holds (all of it by default)."""
    deposit = _locked(deposit)
    if deposit.status != Status.HELD:
        raise InvalidTransition(from_status=deposit.status, to_status=Status.REFUNDED, allowed=[])
    amount = deposit.held_amount if amount is None else common.positive_amount(amount, places=deposit.currency.decimal_places)
    if amount > deposit.held_amount:
        raise OverAllocation(deposit=deposit.pk, amount=str(amount), held=str(deposit.held_amount))
    _use(deposit, amount, invoice=None, actor=actor, on=timezone.localdate())
    if reason:
        workflow.record_event(deposit, actor=actor, note=f"refund: {reason}")
    deposit.refresh_from_db()
    return deposit


def apply_order_deposits(*, invoice: Invoice, actor) -> bool:
    """When an order's invoice posts, its held deposits pay it, oldest first (company setting).
    True when one did (the invoice's figures moved in the database)."""
    applied = False
    for deposit in reads.held_deposits(invoice):
        due = reads.amount_due(invoice)
        if due <= ZERO:
            break
        deposit.company, deposit.customer = invoice.company, invoice.customer
        _apply(deposit, invoice, min(deposit.held_amount, due), actor)
        applied = True
    return applied
