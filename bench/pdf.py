"""Invoice PDF: the time to render a posted 5-line invoice of the generated company.

The same function the invoice PDF endpoint answers with (`billing.documents.render_pdf`:
template, context from the database, WeasyPrint). The first render pays for loading
WeasyPrint and the fonts and is reported apart; the median is over the renders after it.
"""

from django.db.models import Count

from bench import cycle
from bench.stats import median, ms, percentile, row, timed

TARGET_P50_MS = 300


def five_line_invoice(company_code: str):
    """A posted (or paid) invoice with 5 lines; one is made through the cycle when the history has none."""
    from salesdesk.billing.models import Invoice

    invoices = Invoice.objects.filter(company__code=company_code, kind=Invoice.Kind.INVOICE, status__in=["posted", "paid"])
    found = invoices.annotate(line_count=Count("lines")).filter(line_count=cycle.LINES).order_by("-id").first()
    if found is not None:
        return found
    stage = cycle.stage(company_code, orders=1, customers=1)
    _, invoice_id = cycle.one_cycle(stage)
    return Invoice.objects.get(pk=invoice_id)


def render(invoice_id: int) -> bytes:
    """One render as the endpoint does it: the invoice read afresh, then the PDF made."""
    from salesdesk.billing import documents
    from salesdesk.billing.models import Invoice

    pdf = documents.render_pdf(Invoice.objects.select_related("company", "customer", "currency").get(pk=invoice_id))
    if not pdf.startswith(b"%PDF"):
        raise AssertionError("the invoice renderer did not produce a PDF")
    return pdf


def run(ctx) -> list[dict]:
    invoice = five_line_invoice(ctx.company_code)
    first, pdf = timed(render, invoice.pk)
    seconds = [timed(render, invoice.pk)[0] for _ in range(ctx.repeats(10, 3))]
    note = f"invoice {invoice.number}, 5 lines, {len(pdf) // 1024} KB; {len(seconds)} renders after the first"
    return [
        row("pdf", "render_p50", ms(median(seconds)), "ms", TARGET_P50_MS, "<=", note),
        row("pdf", "render_p95", ms(percentile(seconds, 95)), "ms", None, None, note),
        row("pdf", "first_render", ms(first), "ms", None, None, "includes loading WeasyPrint and fonts"),
    ]
