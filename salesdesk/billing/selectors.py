"""Reads of billing: documents within the user's record scope, ageing and customer statements."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from salesdesk.accounts.selectors import scope_by_salesperson, visible_salesperson_ids
from salesdesk.billing import ageing
from salesdesk.billing.models import Deposit, Dispute, DunningLetter, Invoice, InvoiceInstalment, OpenItem, Payment
from salesdesk.billing.services import open_items
from salesdesk.core.money import ZERO, round_money
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors import filing_salespeople
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
    """The ageing report's totals (`ageing_report(...)["totals"]`), from the open items.

    The dashboards show only these. The open items hold what each document leaves open per
    due date, kept as it is posted and settled, so this reads the open parts rather than the
    invoices (most of which are long paid), summed per due date by the database."""
    items = OpenItem.objects.filter(company=company).order_by()
    people = visible_salesperson_ids(membership)
    # A scope that files every customer (a manager of the whole sales force) needs no filter:
    # the check walks the customers' salesperson index, the filter would list them all.
    if people is not None and not filing_salespeople(company) <= people:
        items = items.filter(customer__in=_customers_of(company, people))
    rows = items.values("due_date").annotate(amount=Sum("amount")).values_list("due_date", "amount")
    totals = ageing.empty_row()
    for due, amount in rows:
        ageing.add(totals, due or on, round_money(amount), on)
    return totals


def overdue_by_customer(company, salesperson_id: int, on: date) -> list[dict]:
    """{id, code, name, overdue} of the salesperson's own customers with money past its due date, as the ageing report's
    buckets past current add up (credit and money in hand are current, so they do not offset it)."""
    rows = (
        OpenItem.objects.filter(company=company, customer__in=_customers_of(company, [salesperson_id]), due_date__lt=on)
        .values("customer")
        .annotate(amount=Sum("amount"))
        .values_list("customer", "amount")
    )
    overdue = {customer_id: round_money(amount) for customer_id, amount in rows}
    overdue = {customer_id: amount for customer_id, amount in overdue.items() if amount > 0}
    customers = Customer.objects.filter(pk__in=list(overdue)).order_by().values_list("pk", "code", "name")
    return [{"id": pk, "code": code, "name": name, "overdue": overdue[pk]} for pk, code, name in customers]


def _customers_of(company, salesperson_ids) -> QuerySet:
    # A subquery rather than a join, so the items are read by their (company, customer) index.
    return Customer.objects.filter(company=company, salesperson__in=salesperson_ids).values("pk")


def _money_in_hand(company, membership) -> QuerySet:
    return payments_visible(company, membership).filter(status=Payment.Status.POSTED, unallocated_amount__gt=0).order_by()


def _summed(rows) -> dict[str, Decimal]:
    totals = ageing.empty_row()
    for row in rows:
        for name in totals:
            totals[name] += row[name]
    return totals


def _ageing_rows(invoices: QuerySet, payments: QuerySet, on: date) -> dict[int, dict]:
    """Per customer id, its open amounts by bucket, in the company's currency, from the documents."""
    fields = ("kind", "status", "amount_due", "rate", "total_amount", "due_date", "issue_date")
    open_rows = list(invoices.values_list("pk", "customer_id", *fields))
    instalments: dict[int, list] = {}
    billed = [pk for pk, _c, kind, *_ in open_rows if kind != Invoice.Kind.CREDIT_NOTE]
    for invoice_id, due, amount in InvoiceInstalment.objects.filter(invoice_id__in=billed).values_list("invoice_id", "due_date", "amount"):
        instalments.setdefault(invoice_id, []).append((due, amount))
    rows: dict[int, dict] = {}

    def add(customer_id: int, parts) -> None:
        if customer_id not in rows:
            rows[customer_id] = {"customer": customer_id, **ageing.empty_row()}
        for due, amount in parts:
            ageing.add(rows[customer_id], due or on, amount, on)

    for pk, customer_id, *values in open_rows:
        add(customer_id, open_items.invoice_parts(**dict(zip(fields, values, strict=True)), instalments=instalments.get(pk, ())))
    for customer_id, *values in payments.values_list("customer_id", "status", "unallocated_amount", "rate"):
        add(customer_id, open_items.payment_parts(**dict(zip(("status", "unallocated_amount", "rate"), values, strict=True))))
    return rows


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
