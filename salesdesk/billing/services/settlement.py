"""Settling invoices: what is paid, credited and written off, and what is still due.

Every change goes through `settle`, one conditional UPDATE that refuses to settle more than
is due (the database check `invoice_due_is_total_less_settled` backs it up). It keeps the
invoice's status (posted or paid), its next due date, its open items (read by the ageing
totals), the customer's oldest open due date (read by the overdue block) and the order's
payment progress in step.
"""

import copy
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from salesdesk.billing import reads
from salesdesk.billing.errors import OverAllocation
from salesdesk.billing.models import Dispute, DisputeOutcome, Invoice
from salesdesk.billing.services import common, open_items
from salesdesk.core import arithmetic, cursors, rows, workflow
from salesdesk.core.money import ZERO
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger import services as ledger
from salesdesk.ledger.models import Account
from salesdesk.sales import services as sales_services

Status = Invoice.Status
# What settling reads back from its UPDATE: every figure it moves and everything its rules
# below look at.
_SETTLED = (
    "status",
    "kind",
    "total_amount",
    "amount_paid",
    "amount_credited",
    "amount_written_off",
    "amount_due",
    "disputed_amount",
    "next_due_date",
    "sales_order",
    "customer",
)


def next_due_date(instalments: list[tuple[date, Decimal]], covered: Decimal) -> date | None:
    """The due date of the first instalment not fully covered by `covered` (earliest instalments are paid first)."""
    running = ZERO
    for due, amount in sorted(instalments):
        running += amount
        if running > covered:
            return due
    return None


_REFRESH_SQL: dict = {}


def refresh_oldest_due(company_id: int, customer_id: int) -> None:
    """The customer's oldest due date still open (an index range read, run when settlement
    changes), set on the customer's account by one UPDATE that reads it."""
    oldest_sql, oldest_params = reads.oldest_open_due_date_statement(company_id, customer_id)
    sql = _REFRESH_SQL.get(oldest_sql)
    if sql is None:
        meta, quote = CustomerAccount._meta, connection.ops.quote_name
        column = {name: quote(meta.get_field(name).column) for name in ("oldest_overdue_due_date", "company", "customer")}
        # Names come from the model and the read's own SQL; values go as parameters.
        sql = _REFRESH_SQL[oldest_sql] = (
            f"UPDATE {quote(meta.db_table)} SET {column['oldest_overdue_due_date']} = ({oldest_sql})"  # noqa: S608
            f" WHERE {column['company']} = %s AND {column['customer']} = %s"
        )
    with cursors.cursor(connection) as cursor:
        cursor.execute(sql, [*oldest_params, company_id, customer_id])


def settle(invoice: Invoice, *, actor, paid: Decimal = ZERO, credited: Decimal = ZERO, written_off: Decimal = ZERO) -> Invoice:
    """Add (or, negative, take back) settlement on a posted invoice; refused beyond what is due."""
    change = paid + credited + written_off
    now = arithmetic.bump(
        Invoice,
        where={"id": invoice.pk, "company": invoice.company_id, "status": [Status.POSTED, Status.PAID]},
        add={"amount_paid": paid, "amount_credited": credited, "amount_written_off": written_off, "amount_due": -change},
        at_least={"amount_due": change} if change > 0 else None,
        returning=_SETTLED,
    )
    if now is None:
        current = Invoice.objects.filter(pk=invoice.pk).values_list("amount_due", flat=True).first()
        raise OverAllocation(invoice=invoice.pk, amount=str(change), amount_due=str(current))
    # The figures as the UPDATE left them (the row stays locked to the end of the
    # transaction), on a copy: the caller's instance stays as it was given.
    invoice = copy.copy(invoice)
    for attname, value in now.items():
        setattr(invoice, attname, value)
    covered = invoice.total_amount - invoice.amount_due
    before = invoice.next_due_date
    instalments = list(invoice.instalments.values_list("due_date", "amount")) if invoice.amount_due > 0 else []
    invoice.next_due_date = next_due_date(instalments, covered) if instalments else None
    # The due date is saved with the new status when there is one (one UPDATE).
    changed = ("next_due_date",) if invoice.next_due_date != before else ()
    if invoice.amount_due == 0 and invoice.status == Status.POSTED:
        workflow.transition(invoice, to=Status.PAID, actor=actor, extra_fields=changed)
    elif invoice.amount_due > 0 and invoice.status == Status.PAID:
        workflow.transition(invoice, to=Status.POSTED, actor=actor, note="reopened", extra_fields=changed)
    elif changed:
        rows.save_fields(invoice, changed)
    if invoice.sales_order_id and paid and invoice.kind == Invoice.Kind.INVOICE:
        sales_services.order_record_payment(order=invoice.sales_order, amount=paid)
    if invoice.sales_order_id and written_off and invoice.kind == Invoice.Kind.INVOICE:
        # What the company gave up on is no longer owed on the order: it can close once the rest is paid.
        sales_services.order_record_credit(order=invoice.sales_order, amount=written_off)
    if invoice.kind == Invoice.Kind.INVOICE:
        refresh_oldest_due(invoice.company_id, invoice.customer_id)
        if invoice.disputed_amount > invoice.amount_due:
            _disputes_follow_due(invoice, actor=actor)
    open_items.sync_invoice(invoice, instalments)
    return invoice


def _disputes_follow_due(invoice: Invoice, *, actor) -> None:
    """Money paid or credited beyond the undisputed part settles what was disputed: the customer
    paid it after all. The disputed amount never exceeds what is due, so the newest open
    disputes give way first; one covered in full is resolved as collected."""
    excess = invoice.disputed_amount - invoice.amount_due
    now = timezone.now()
    for dispute in (
        Dispute.objects.select_for_update().filter(invoice_id=invoice.pk, status=Dispute.Status.OPEN).order_by("-opened_at", "-id")
    ):
        if excess <= 0:
            break
        cut = min(dispute.amount, excess)
        excess -= cut
        if cut < dispute.amount:
            dispute.amount -= cut
            rows.save_fields(dispute, ("amount",))
            continue
        dispute.outcome, dispute.resolution_note = DisputeOutcome.COLLECT, "paid while disputed"
        dispute.resolved_by, dispute.resolved_at = actor, now
        workflow.transition(
            dispute,
            to=Dispute.Status.RESOLVED,
            actor=actor,
            note="collect: paid while disputed",
            extra_fields=("outcome", "resolution_note", "resolved_by", "resolved_at"),
        )
    lowered = invoice.disputed_amount - invoice.amount_due
    arithmetic.bump(Invoice, where={"id": invoice.pk}, add={"disputed_amount": -lowered})
    invoice.disputed_amount, invoice.disputed = invoice.amount_due, invoice.amount_due > 0
    rows.save_fields(invoice, ("disputed",))
    workflow.record_event(invoice, actor=actor, note=f"disputed amount lowered by {lowered}: paid or credited while disputed")


def exchange_difference(*, company, customer, invoice_side: Decimal, money_side: Decimal, on, actor, source):
    """Post the difference between what a settled part was worth at the invoice's rate and at the money's rate."""
    difference = invoice_side - money_side
    if difference == 0:
        return None
    receivable = {"role": Account.Role.RECEIVABLE, "customer": customer}
    exchange = {"role": Account.Role.EXCHANGE_DIFFERENCE}
    if difference > 0:  # the money was worth less than the invoice: a loss clears the rest of the receivable
        lines = [{**exchange, "debit": difference}, {**receivable, "credit": difference}]
    else:
        lines = [{**receivable, "debit": -difference}, {**exchange, "credit": -difference}]
    return ledger.post_entry(company=company, date=on, memo="exchange difference", lines=lines, actor=actor, source=source)


def credit_used(credit_note: Invoice, invoice: Invoice, amount: Decimal, *, actor, on: date) -> Invoice:
    """`amount` of a credit note's credit settles `invoice` (the one it credits, or another of the
    customer's). The two parts were booked on the receivable at their own documents' rates, so
    what they are worth in the company's currency can differ: by a rate (another invoice) or
    by a cent of rounding (a second partial credit note). That difference is booked as for a
    payment, so the customer's receivable stays what their open documents add up to.
    Returns the invoice as settling left it."""
    settled = settle(invoice, actor=actor, credited=amount)
    used = settle(credit_note, actor=actor, paid=amount)
    invoice_to = settled.total_amount - settled.amount_due
    credit_to = used.total_amount - used.amount_due
    exchange_difference(
        company=invoice.company,
        customer=invoice.customer,
        invoice_side=common.base_part(before=invoice_to - amount, after=invoice_to, rate=invoice.rate),
        money_side=common.base_part(before=credit_to - amount, after=credit_to, rate=credit_note.rate),
        on=on,
        actor=actor,
        source=credit_note,
    )
    return settled
