"""The lookups of invoices that posting and settling repeat for every invoice, composed once
(`core.prepared`): the invoice with the parents its rules read, locked or not, its lines, the
company's billing settings, and the customer's oldest open due date."""

from salesdesk.billing.models import BillingSettings, Deposit, Invoice, InvoiceLine
from salesdesk.core.prepared import Prepared

# A credit note reads its invoice when it needs it: joining it would read an invoice's 40
# columns (empty ones, for an invoice) on every lock.
INVOICE_PARENTS = ("company", "currency", "customer", "payment_term", "sales_order")

_invoice_locked = Prepared(
    lambda pk, company: Invoice.objects.select_for_update(of=("self",)).select_related(*INVOICE_PARENTS).filter(pk=pk, company_id=company),
    int,
    int,
)
_invoice = Prepared(lambda pk, company: Invoice.objects.select_related(*INVOICE_PARENTS).filter(pk=pk, company_id=company), int, int)
_amount_due = Prepared(lambda pk: Invoice.objects.filter(pk=pk).values_list("amount_due"), int, rows="tuples")
_lines = Prepared(lambda invoice: InvoiceLine.objects.filter(invoice_id=invoice).select_related("tax"), int)
_settings = Prepared(lambda company: BillingSettings.objects.filter(company_id=company).order_by("pk")[:1], int)
# Read off the (company, customer, next due date) index: the first date in it, not a MIN over
# every open invoice of the company (which SQLite plans as a scan of its posted invoices).
_oldest_due = Prepared(
    lambda company, customer: (
        Invoice.objects.filter(
            company_id=company,
            customer_id=customer,
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.POSTED,
            amount_due__gt=0,
            next_due_date__isnull=False,
        )
        .order_by("next_due_date")
        .values_list("next_due_date")[:1]
    ),
    int,
    int,
    rows="tuples",
)
_held_deposits = Prepared(
    lambda company, order, currency: (
        Deposit.objects.select_for_update()
        .filter(company_id=company, sales_order_id=order, status=Deposit.Status.HELD, currency_id=currency)
        .order_by("date", "id")
    ),
    int,
    int,
    int,
)


def locked_invoice(invoice: Invoice) -> Invoice:
    """The invoice, locked until the transaction ends and read after the lock."""
    return _invoice_locked.get(invoice.pk, invoice.company_id)


def fresh_invoice(invoice: Invoice) -> Invoice:
    """The invoice as stored now (after its figures moved by conditional updates)."""
    return _invoice.get(invoice.pk, invoice.company_id)


def amount_due(invoice: Invoice):
    return _amount_due.all(invoice.pk)[0][0]


def invoice_lines(invoice: Invoice) -> list[InvoiceLine]:
    """The invoice's lines in their order, with their tax, each knowing its invoice."""
    return _lines.all(invoice.pk, attach={"invoice": invoice})


def saved_settings(company_id: int) -> BillingSettings | None:
    return _settings.first(company_id)


def oldest_open_due_date_statement(company_id: int, customer_id: int) -> tuple[str, list]:
    """The read of the earliest next due date of the customer's posted invoices with something
    due (no row: none), as SQL and parameters, to set a column from it."""
    return _oldest_due.statement(company_id, customer_id)


def held_deposits(invoice: Invoice) -> list[Deposit]:
    """The deposits held for the invoice's order in its currency, locked, oldest first."""
    return _held_deposits.all(invoice.company_id, invoice.sales_order_id, invoice.currency_id)


def draft_invoice_holds(order_line_ids: list[int]) -> dict[int, str]:
    """Order lines on a draft invoice (or credit note): {order line id: "a draft invoice"}."""
    found = InvoiceLine.objects.filter(order_line_id__in=order_line_ids, invoice__status=Invoice.Status.DRAFT).order_by("invoice_id")
    return {line_id: f"draft invoice {invoice_id}" for line_id, invoice_id in found.values_list("order_line_id", "invoice_id")}


def let_go_of_order_lines(order_line_ids: list[int]) -> None:
    """A cancelled draft invoice keeps its lines' product and quantity, not their order line."""
    InvoiceLine.objects.filter(order_line_id__in=order_line_ids, invoice__status=Invoice.Status.CANCELLED).update(order_line=None)
