"""Two years of settled history for the demo: orders delivered, invoiced and paid, month after month.

The dashboards' trends and the sales analysis need a past to compare with. The history is
written in bulk by the benchmark data generator (`setup.generate`), before the demo's own
recent documents, so the invoice and order numbers of each year still follow the dates. It
ends 220 days ago, its deliveries and invoices before 190 days ago: before the oldest of the
recent documents, which are written through the services (the billing story's invoices go
back six months).
It uses active customers with a salesperson, and goods whose tax is added to the price.
"""

from datetime import timedelta
from itertools import groupby

from django.contrib.contenttypes.models import ContentType

from salesdesk.billing.models import Invoice, Payment, PaymentAllocation
from salesdesk.catalog.models import Product
from salesdesk.core.numbering import format_number
from salesdesk.customers.models import Customer
from salesdesk.ledger.models import JournalEntry, JournalLine
from salesdesk.setup.generate import add_history
from salesdesk.setup.generate.master import load_master

HISTORY_LINES = 1000  # about as many euros a month as the recent stories
SPAN_DAYS = 730
RECENT_DAYS = 190
SEED = 20241101
PARKED = 10_000_000  # added to a sequence while the numbers are dealt out again


def load_history(demo) -> dict[str, int]:
    company = demo.company
    customers = Customer.objects.filter(company=company, status=Customer.Status.ACTIVE, salesperson__isnull=False)
    products = Product.objects.filter(
        company=company, active=True, kind=Product.Kind.GOODS, tax__isnull=False, tax__included_in_price=False
    )
    master = load_master(company, admin=demo.admin, customers=customers, products=products)
    # The last orders' deliveries and invoices follow them by days: they too stay before the recent window.
    first_day, last_day = demo.today - timedelta(days=SPAN_DAYS), demo.today - timedelta(days=RECENT_DAYS + 30)
    counts = add_history(master=master, lines=HISTORY_LINES, seed=SEED, first_day=first_day, last_day=last_day)
    number_invoices_by_date(company)
    return counts


def number_invoices_by_date(company) -> None:
    """Give the history's invoices their year's numbers in the order of their issue dates.

    The generator numbers an invoice when it writes the order, and invoices follow their orders
    after a varying delay; the law wants each year's numbers to follow the issue dates. The same
    numbers are dealt out again in date order, and the entries and payments that quote an
    invoice's number quote the new one."""
    invoices = list(Invoice.objects.filter(company=company).order_by("series", "year", "issue_date", "id"))
    renumbered: dict[int, str] = {}
    for (series, year), group in groupby(invoices, key=lambda invoice: (invoice.series, invoice.year)):
        group = list(group)
        for invoice, sequence in zip(group, sorted(invoice.sequence for invoice in group), strict=True):
            if invoice.sequence != sequence:
                invoice.sequence, invoice.number = sequence, format_number(series=series, year=year, sequence=sequence)
                renumbered[invoice.pk] = invoice.number
    changed = [invoice for invoice in invoices if invoice.pk in renumbered]
    if not changed:
        return
    # Two steps, so that no two invoices hold the same number in between.
    parked = [Invoice(pk=invoice.pk, number=f"~{invoice.pk}", sequence=invoice.sequence + PARKED) for invoice in changed]
    Invoice.objects.bulk_update(parked, ["number", "sequence"], batch_size=500)
    Invoice.objects.bulk_update(changed, ["number", "sequence"], batch_size=500)
    invoice_type = ContentType.objects.get_for_model(Invoice)
    entries = JournalEntry.objects.filter(company=company, content_type=invoice_type, object_id__in=renumbered)
    for entry_id, invoice_id in entries.values_list("pk", "object_id"):
        JournalEntry.objects.filter(pk=entry_id).update(memo=renumbered[invoice_id])
        JournalLine.objects.filter(entry_id=entry_id).update(memo=renumbered[invoice_id])
    for payment_id, invoice_id in PaymentAllocation.objects.filter(company=company, invoice_id__in=renumbered).values_list(
        "payment_id", "invoice_id"
    ):
        Payment.objects.filter(pk=payment_id).update(reference=renumbered[invoice_id])
