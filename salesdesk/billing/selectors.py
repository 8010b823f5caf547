"""Reads of billing: documents within the user's record scope, ageing and customer statements."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from salesdesk.accounts.selectors import scope_by_salesperson
from salesdesk.billing import ageing
from salesdesk.billing.models import Deposit, Dispute, DunningLetter, Invoice, InvoiceInstalment, Payment
from salesdesk.billing.services.common import to_base
from salesdesk.billing.services.settlement import unpaid_parts
from salesdesk.core.money import ZERO, round_money
from salesdesk.customers.models import Customer
from salesdesk.ledger.models import Account, JournalLine

# The invoice's payment state as `Invoice.payment_state` reads it, as conditions the database can
# answer: a draft or an invoice of nothing is unpaid; nothing left due is paid; part of it is
# partial. Cancelled drafts match no state: a list filtered by payment never shows them.
_LIVE = ~Q(status=Invoice.Status.CANCELLED)
_NOT_BILLED = Q(status=Invoice.Status.DRAFT) | Q(total_amount__lte=0)
PAYMENT_STATE = {
    "paid": _LIVE & ~_NOT_BILLED & Q(amount_due__lte=0),
    "partial": _LIVE & ~_NOT_BILLED & Q(amount_due__gt=0, amount_due__lt=F("total_amount")),
    "unpaid": _LIVE & (_NOT_BILLED | Q(amount_due__gte=F("total_amount"))),
}


def overdue(on: date | None = None) -> Q:
    """A posted invoice with money still due after its earliest open instalment's due date."""
    on = on or timezone.localdate()
    return Q(kind=Invoice.Kind.INVOICE, status=Invoice.Status.POSTED, amount_due__gt=0, next_due_date__lt=on)


def invoices_visible(company, membership) -> QuerySet:
    """Invoices and credit notes of the customers this member may see."""
    qs = Invoice.objects.filter(company=company).select_related("customer", "currency", "sales_order", "salesperson")
    return scope_by_salesperson(qs, membership, field="customer__salesperson")


def disputes_visible(company, membership) -> QuerySet:
    """Disputes on invoices of the customers this member may see."""
    qs = Dispute.objects.filter(company=company).select_related("invoice", "invoice__customer", "invoice__currency", "opened_by")
    return scope_by_salesperson(qs, membership, field="invoice__customer__salesperson")


def payments_visible(company, membership) -> QuerySet:
    qs = Payment.objects.filter(company=company).select_related("customer", "currency")
    return scope_by_salesperson(qs, membership, field="customer__salesperson")


def deposits_visible(company, membership) -> QuerySet:
    qs = Deposit.objects.filter(company=company).select_related("customer", "currency", "sales_order")
    return scope_by_salesperson(qs, membership, field="customer__salesperson")


def dunning_letters_visible(company, membership) -> QuerySet:
    qs = DunningLetter.objects.filter(company=company).select_related("customer", "currency")
    return scope_by_salesperson(qs, membership, field="customer__salesperson")


def open_invoices(company, membership) -> QuerySet:
    return invoices_visible(company, membership).filter(status=Invoice.Status.POSTED, amount_due__gt=0)


def ageing_report(company, membership, on: date, customer=None) -> dict:
    """Open amounts per customer and in total by ageing bucket, in the company's currency.

    Each instalment ages from its own due date. Money the customer has in hand (unallocated
    payments, unused credit notes) counts as current, negative, so a customer's total is
    what they owe net. Invoices and instalments are read as plain values, and the customers
    of the rows in one query."""
    invoices = open_invoices(company, membership).order_by()
    payments = _money_in_hand(company, membership)
    if customer is not None:
        invoices, payments = invoices.filter(customer=customer), payments.filter(customer=customer)
    rows = _ageing_rows(invoices, payments, on)
    customers = Customer.objects.in_bulk(list(rows))
    for row in rows.values():
        row["customer"] = customers[row["customer"]]
    ordered = sorted(rows.values(), key=lambda r: (-r["total"], r["customer"].code))
    return {"on": on, "rows": ordered, "totals": _summed(ordered)}


def ageing_totals(company, membership, on: date) -> dict[str, Decimal]:
    """The ageing report's totals (`ageing_report(...)["totals"]`), summed by the database.

    The dashboards show only these. Documents in the company's currency (rate 1: nearly all)
    are summed per due date in SQL, the earliest instalments paid first as `unpaid_parts`
    does, so the cost is one pass over the open instalments and a row per due date rather
    than objects per invoice. Documents in another currency keep the report's running-total
    conversion, in Python."""
    invoices = open_invoices(company, membership).order_by()
    payments = _money_in_hand(company, membership)
    totals = _summed(_ageing_rows(invoices.exclude(rate=1), payments.exclude(rate=1), on).values())
    for due, amount in _open_by_due_date(invoices.filter(rate=1), payments.filter(rate=1)):
        ageing.add(totals, due or on, amount, on)
    return totals


def _money_in_hand(company, membership) -> QuerySet:
    return payments_visible(company, membership).filter(status=Payment.Status.POSTED, unallocated_amount__gt=0).order_by()


def _summed(rows) -> dict[str, Decimal]:
    totals = ageing.empty_row()
    for row in rows:
        for name in totals:
            totals[name] += row[name]
    return totals


def _ageing_rows(invoices: QuerySet, payments: QuerySet, on: date) -> dict[int, dict]:
    """Per customer id, its open amounts by bucket, in the company's currency."""
    fields = ("pk", "customer_id", "kind", "amount_due", "rate", "total_amount", "due_date", "issue_date")
    open_rows = list(invoices.values_list(*fields))
    instalments: dict[int, list] = {}
    billed = [pk for pk, _c, kind, *_ in open_rows if kind != Invoice.Kind.CREDIT_NOTE]
    for invoice_id, due, amount in (
        InvoiceInstalment.objects.filter(invoice_id__in=billed).order_by("sequence").values_list("invoice_id", "due_date", "amount")
    ):
        instalments.setdefault(invoice_id, []).append((due, amount))
    rows: dict[int, dict] = {}

    def row_for(customer_id: int) -> dict:
        if customer_id not in rows:
            rows[customer_id] = {"customer": customer_id, **ageing.empty_row()}
        return rows[customer_id]

    for pk, customer_id, kind, amount_due, rate, total_amount, due_date, issue_date in open_rows:
        row = row_for(customer_id)
        if kind == Invoice.Kind.CREDIT_NOTE:
            ageing.add(row, on, -to_base(amount_due, rate), on)
            continue
        parts = unpaid_parts(instalments.get(pk) or [(due_date or issue_date, total_amount)], total_amount - amount_due)
        # Convert the running total, so the parts add up to the invoice's open amount in company currency.
        running, converted = ZERO, ZERO
        for due, amount in parts:
            running += amount
            value = to_base(running, rate) - converted
            converted += value
            ageing.add(row, due, value, on)
    for customer_id, unallocated, rate in payments.values_list("customer_id", "unallocated_amount", "rate"):
        ageing.add(row_for(customer_id), on, -to_base(unallocated, rate), on)
    return rows


def _open_by_due_date(invoices: QuerySet, payments: QuerySet) -> list[tuple[date | None, Decimal]]:
    """What is open per due date, in one statement: each instalment's part once the money received
    (total less amount due) has paid the earliest ones (by due date, then amount, as `unpaid_parts`);
    an invoice without instalments for its amount due on its due (or issue) date; and, without a
    due date (current), credit notes' open credit and money in hand, negative."""
    billed, billed_params = invoices.filter(kind=Invoice.Kind.INVOICE).values("pk").query.sql_with_params()
    credit, credit_params = invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).values("pk").query.sql_with_params()
    in_hand, in_hand_params = payments.values("pk").query.sql_with_params()
    parts, bills, money = InvoiceInstalment._meta.db_table, Invoice._meta.db_table, Payment._meta.db_table
    sql = f"""
        SELECT due, SUM(open_part) FROM (
            SELECT due_date AS due,
                   CASE WHEN cum - covered <= 0 THEN 0 WHEN cum - covered < amount THEN cum - covered ELSE amount END AS open_part
            FROM (
                SELECT p.due_date, p.amount, i.total_amount - i.amount_due AS covered,
                       SUM(p.amount) OVER (PARTITION BY p.invoice_id ORDER BY p.due_date, p.amount
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
                FROM {parts} p JOIN {bills} i ON i.id = p.invoice_id
                WHERE p.invoice_id IN ({billed})
            ) running
            UNION ALL
            SELECT COALESCE(i.due_date, i.issue_date), i.amount_due FROM {bills} i
            WHERE i.id IN ({billed}) AND NOT EXISTS (SELECT 1 FROM {parts} p WHERE p.invoice_id = i.id)
            UNION ALL
            SELECT NULL, -amount_due FROM {bills} WHERE id IN ({credit})
            UNION ALL
            SELECT NULL, -unallocated_amount FROM {money} WHERE id IN ({in_hand})
        ) open_parts GROUP BY due
    """  # noqa: S608 - table names are ours, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*billed_params, *billed_params, *credit_params, *in_hand_params])
        rows = cursor.fetchall()
    # Read raw: SQLite gives dates as text and sums as floats of exact cents, rounded once here.
    return [(date.fromisoformat(due) if isinstance(due, str) else due, round_money(Decimal(str(amount)))) for due, amount in rows if amount]


@dataclass
class Statement:
    customer: object
    date_from: date
    date_to: date
    opening_balance: Decimal
    closing_balance: Decimal
    lines: list[dict] = field(default_factory=list)


def customer_statement(company, customer, date_from: date, date_to: date) -> Statement:
    """The customer's receivable account between two dates, from the ledger: opening balance,
    each document (debit what they were billed, credit what they paid or were credited), closing balance."""
    receivable = JournalLine.objects.filter(company=company, customer=customer, account__role=Account.Role.RECEIVABLE)
    opening = receivable.filter(entry__date__lt=date_from).aggregate(d=Sum("debit"), c=Sum("credit"))
    balance = Decimal(str(opening["d"] or 0)) - Decimal(str(opening["c"] or 0))
    balance = balance.quantize(Decimal("0.01"))
    statement = Statement(customer=customer, date_from=date_from, date_to=date_to, opening_balance=balance, closing_balance=balance)
    rows = (
        receivable.filter(entry__date__gte=date_from, entry__date__lte=date_to)
        .select_related("entry")
        .order_by("entry__date", "entry_id", "id")
    )
    for line in rows:
        balance += line.debit - line.credit
        statement.lines.append(
            {
                "date": line.entry.date,
                "entry": line.entry.number,
                "document": line.memo or line.entry.memo,
                "description": line.entry.memo,
                "debit": line.debit,
                "credit": line.credit,
                "balance": balance,
            }
        )
    statement.closing_balance = balance
    return statement


def deposits_summary(deposits) -> dict[str, Decimal]:
    """Held and applied totals of some deposits (order or customer page)."""
    totals = {"amount": ZERO, "held": ZERO, "applied": ZERO, "refunded": ZERO}
    for deposit in deposits:
        totals["amount"] += deposit.amount
        totals["held"] += deposit.held_amount
        totals["applied"] += deposit.applied_amount
        totals["refunded"] += deposit.refunded_amount
    return totals
