"""Billing on paper: invoice, credit note, statement and dunning letter PDFs, and emailing them.

Documents are built through the billing services, then read back out of the PDF with pypdf."""

import datetime
import io
from decimal import Decimal

import pypdf  # reads the text back out of the PDFs (installed with factur-x, pinned in requirements.lock)
import pytest
from django.core import mail
from django.utils import translation

from salesdesk.billing import documents, services
from salesdesk.billing.selectors import customer_statement
from salesdesk.customers.models import PaymentTerm, PaymentTermLine

D = Decimal
ISSUED = datetime.date(2026, 3, 2)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_font_names(data: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names


@pytest.fixture
def seller(company):
    """ACME with the legal details an invoice prints."""
    company.legal_name = "Acme Trading Sociedad Limitada"
    company.tax_id = "ESB87654321"
    company.street = "Gran Via 12"
    company.postal_code = "28013"
    company.city = "Madrid"
    company.email = "billing@acme.example"
    company.phone = "+34 910 000 000"
    company.iban = "ES9121000418450200051332"
    company.save()
    return company


def term(company, name, parts):
    """A payment term of (percent, days) instalments."""
    payment_term = PaymentTerm.objects.create(company=company, name=name)
    for sequence, (percent, days) in enumerate(parts):
        PaymentTermLine.objects.create(company=company, term=payment_term, sequence=sequence, percent=D(percent), days=days)
    return payment_term


@pytest.fixture
def accountant(users):
    return users["accountant"]


@pytest.fixture
def post(member, accountant):
    """`post(order, issue_date=..., **header)`: the order's invoice, dated and posted through the services."""

    def make(order, issue_date=ISSUED, **header):
        invoice = services.invoice_from_order(order=order, actor=accountant, membership=member("accountant"), issue_date=issue_date)
        if header:
            invoice = services.invoice_update(invoice=invoice, actor=accountant, values=header)
        return services.invoice_post(invoice=invoice, actor=accountant)

    return make


@pytest.fixture
def billed(customer_of):
    """A customer with its legal details, as billed."""
    return customer_of(
        "sales",
        code="C042",
        name="Northwind Traders",
        email="ap@northwind.example",
        status="active",
        tax_id="B12345678",
        billing_address="Calle Mayor 1\n28001 Madrid",
        country="ES",
    )


# ---------------------------------------------------------------------------- invoices


def test_posted_invoice_shows_parties_figures_instalments_and_payment(seller, billed, confirmed_order, post, accountant):
    order = confirmed_order(billed, quantity="10", price="10.00")
    halves = term(seller, "50% at 30 days, 50% at 60 days", [("50", 30), ("50", 60)])
    invoice = post(order, payment_term=halves, customer_reference="PO-4711")
    services.payment_create(
        company=seller, actor=accountant, customer=billed, amount=D("21.00"), allocations=[{"invoice": invoice, "amount": D("21.00")}]
    )
    invoice.refresh_from_db()
    assert invoice.number == "INV-2026-00001"

    data = documents.render_pdf(invoice)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    # Seller legal block and bank details.
    for expected in ["Acme Trading Sociedad Limitada", "ESB87654321", "Gran Via 12", "28013 Madrid", "billing@acme.example"]:
        assert expected in text
    assert "+34 910 000 000" in text
    assert "ES91 2100 0418 4502 0005 1332" in text
    # Buyer block and invoice facts.
    for expected in ["Northwind Traders", "C042", "B12345678", "Calle Mayor 1", "28001 Madrid", order.number, "PO-4711"]:
        assert expected in text
    assert "INVOICE" in text and "INV-2026-00001" in text
    assert "Issue date March 2, 2026" in text
    assert "Due date May 1, 2026" in text
    # Lines, tax per rate and totals, exactly.
    assert "P-10" in text and "Widget" in text and "10 pc" in text
    assert "Untaxed amount 100.00 EUR" in text
    assert "21.00 EUR" in text and "on 100.00" in text
    assert "Total 121.00 EUR" in text
    # Two instalments, paid so far and what is due.
    assert "April 1, 2026 60.50 EUR" in text
    assert "May 1, 2026 60.50 EUR" in text
    assert "Amount paid 21.00 EUR" in text
    assert "Amount due 100.00 EUR" in text
    assert "Payment instructions" in text and "Amount to pay 100.00 EUR" in text
    assert "Payment reference INV-2026-00001" in text
    assert "DRAFT" not in text
    assert "Page 1 of 1" in text
    assert documents.pdf_filename(invoice) == "INV-2026-00001.pdf"


def test_single_instalment_invoice_has_no_instalment_table_and_paid_invoice_no_instructions(
    seller, billed, confirmed_order, post, accountant
):
    invoice = post(confirmed_order(billed, quantity="1", price="100.00"), payment_term=term(seller, "Net 30", [("100", 30)]))
    services.payment_create(
        company=seller, actor=accountant, customer=billed, amount=D("121.00"), allocations=[{"invoice": invoice, "amount": D("121.00")}]
    )
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    text = pdf_text(documents.render_pdf(invoice))
    assert "Due date April 1, 2026" in text
    assert "Instalments" not in text
    assert "Amount paid 121.00 EUR" in text and "Amount due 0.00 EUR" in text
    assert "Payment instructions" not in text
    assert "This invoice is settled" in text


def test_draft_invoice_has_a_watermark_and_a_draft_file_name(seller, billed, confirmed_order, member, accountant):
    draft = services.invoice_from_order(
        order=confirmed_order(billed, quantity="3", price="10.00"), actor=accountant, membership=member("accountant")
    )
    text = pdf_text(documents.render_pdf(draft))
    assert "DRAFT" in text
    assert "(not numbered)" in text
    assert "Total 36.30 EUR" in text
    assert "Payment instructions" not in text
    assert documents.pdf_filename(draft) == f"invoice-draft-{draft.pk}.pdf"


def test_credit_note_is_titled_and_names_the_credited_invoice_and_reason(seller, billed, confirmed_order, post, accountant):
    invoice = post(confirmed_order(billed, quantity="10", price="10.00"))
    note = services.invoice_credit(
        invoice=invoice, actor=accountant, lines=[{"invoice_line": invoice.lines.get().pk, "quantity": D("2")}], reason="Damaged in transit"
    )
    assert note.number.startswith("CN-")
    text = pdf_text(documents.render_pdf(note))
    assert "CREDIT NOTE" in text  # the title, in capitals
    assert note.number in text
    assert "This credit note credits our invoice INV-2026-00001 of March 2, 2026." in text
    assert "Damaged in transit" in text
    assert "Total 24.20 EUR" in text
    # The invoice was unpaid, so the whole credit went against it.
    assert "Credit applied 24.20 EUR" in text and "Credit remaining 0.00 EUR" in text
    assert "Payment instructions" not in text
    assert documents.pdf_filename(note) == f"{note.number}.pdf"


def test_an_invoice_and_its_credit_note_print_the_rate_charged_after_the_tax_changed(seller, billed, confirmed_order, post, accountant):
    invoice = post(confirmed_order(billed, quantity="10", price="10.00"))  # 100.00 + 21 % VAT
    tax = invoice.lines.get().tax
    tax.rate = D("25")  # VAT goes up after the invoice was posted
    tax.save()
    note = services.invoice_credit(invoice=invoice, actor=accountant)
    assert note.tax_amount == D("21.00")
    for document in (invoice, note):
        context = documents.invoice_context(document)
        assert [row["tax"] for row in context["lines"]] == ["21%"]
        assert [(t["rate"], t["amount"]) for t in context["totals"]["taxes"]] == [(D("21"), D("21.00"))]
        assert "25%" not in pdf_text(documents.render_pdf(document))


def test_chinese_invoice_shows_its_characters(seller, customer_of, confirmed_order, post):
    customer = customer_of(
        "sales", code="C088", name="上海贸易有限公司", status="active", billing_address="上海市浦东新区世纪大道100号", country="CN"
    )
    invoice = post(confirmed_order(customer, quantity="2", price="10.00"))
    with translation.override("zh-hans"):
        data = documents.render_pdf(invoice)
    text = pdf_text(data)
    assert "上海贸易有限公司" in text
    assert "世纪大道" in text
    assert "INV-2026-00001" in text
    assert any("CJK" in name for name in pdf_font_names(data)), pdf_font_names(data)


def test_spanish_invoice_localizes_amounts_and_dates(seller, billed, confirmed_order, post):
    invoice = post(confirmed_order(billed, quantity="10", price="10.00"))
    with translation.override("es"):
        text = pdf_text(documents.render_pdf(invoice))
    assert "121,00 EUR" in text
    assert "2 de marzo de 2026" in text


def test_customer_name_is_escaped_in_the_html(seller, customer_of, confirmed_order, post):
    customer = customer_of("sales", code="C099", name="<b>x</b>", status="active", billing_address="<script>alert(1)</script>")
    invoice = post(confirmed_order(customer, quantity="1", price="10.00"))
    html = documents.render_html(invoice)
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "<script>" not in html


# ---------------------------------------------------------------------------- emails


def test_send_invoice_email_attaches_the_pdf(seller, billed, confirmed_order, post, users):
    invoice = post(confirmed_order(billed, quantity="10", price="10.00"), payment_term=term(seller, "Net 30", [("100", 30)]))
    sender = users["accountant"]
    sender.email = "accounts@acme.example"
    documents.send_invoice_email(invoice, to="ap@northwind.example", sender=sender)
    [message] = mail.outbox
    assert message.to == ["ap@northwind.example"]
    assert message.reply_to == ["accounts@acme.example"]
    assert message.subject == "Invoice INV-2026-00001 from Acme Trading S.L."
    assert "121.00 EUR" in message.body and "April 1, 2026" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("INV-2026-00001.pdf", "application/pdf")
    assert "INV-2026-00001" in pdf_text(content)


def test_invoice_send_service_emails_the_customer(seller, billed, confirmed_order, post, accountant):
    invoice = post(confirmed_order(billed, quantity="10", price="10.00"))
    invoice = services.invoice_send(invoice=invoice, actor=accountant)
    assert invoice.sent_to == "ap@northwind.example"
    [message] = mail.outbox
    assert message.to == ["ap@northwind.example"] and "INV-2026-00001" in message.subject
    [(filename, content, _)] = message.attachments
    assert filename == "INV-2026-00001.pdf" and content.startswith(b"%PDF")


def test_credit_note_email_names_the_credited_invoice(seller, billed, confirmed_order, post, accountant):
    invoice = post(confirmed_order(billed, quantity="10", price="10.00"))
    note = services.invoice_credit(invoice=invoice, actor=accountant, reason="Price correction")
    services.invoice_send(invoice=note, actor=accountant, to="credit@northwind.example")
    [message] = mail.outbox
    assert message.subject == f"Credit note {note.number} from Acme Trading S.L."
    assert "INV-2026-00001" in message.body and "121.00 EUR" in message.body
    assert message.attachments[0][0] == f"{note.number}.pdf"


# ---------------------------------------------------------------------------- statements


def test_statement_pdf_shows_opening_movements_and_closing_balance(seller, billed, confirmed_order, post, accountant):
    january = post(confirmed_order(billed, quantity="10", price="10.00"), issue_date=datetime.date(2026, 1, 10))
    february = post(confirmed_order(billed, quantity="2", price="10.00"), issue_date=datetime.date(2026, 2, 12))
    services.payment_create(
        company=seller,
        actor=accountant,
        customer=billed,
        amount=D("50.00"),
        date=datetime.date(2026, 2, 5),
        allocations=[{"invoice": january, "amount": D("50.00")}],
    )
    statement = customer_statement(seller, billed, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert (statement.opening_balance, statement.closing_balance) == (D("121.00"), D("95.20"))

    data = documents.render_statement_pdf(statement, seller)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "STATEMENT OF ACCOUNT" in text
    assert "Northwind Traders" in text and "C042" in text
    assert "Opening balance on Feb. 1, 2026 121.00" in text
    assert february.number in text and "24.20" in text  # billed in the period
    assert "50.00" in text and "71.00" in text  # the payment and the running balance after it
    assert "Closing balance on Feb. 28, 2026 24.20 50.00 95.20" in text
    assert "Balance due to us: 95.20 EUR" in text
    assert "ESB87654321" in text


def test_statement_in_the_customers_favour(seller, billed, accountant):
    services.payment_create(company=seller, actor=accountant, customer=billed, amount=D("30.00"), date=datetime.date(2026, 2, 5))
    statement = customer_statement(seller, billed, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    text = pdf_text(documents.render_statement_pdf(statement, seller))
    assert "Opening balance on Feb. 1, 2026 0.00" in text
    assert "Balance in your favour: 30.00 EUR" in text
    assert documents.statement_filename(statement) == "statement-C042-2026-02-01-2026-02-28.pdf"


# ---------------------------------------------------------------------------- dunning


@pytest.fixture
def overdue(seller, billed, confirmed_order, post):
    """Two invoices on 30 days, issued on January 1 and 11 (due January 31 and February 10)."""
    net30 = term(seller, "Net 30", [("100", 30)])
    first = post(confirmed_order(billed, quantity="10", price="10.00"), issue_date=datetime.date(2026, 1, 1), payment_term=net30)
    second = post(confirmed_order(billed, quantity="5", price="10.00"), issue_date=datetime.date(2026, 1, 11), payment_term=net30)
    return first, second


@pytest.mark.parametrize(
    ("on", "level", "title", "wording", "days"),
    [
        (datetime.date(2026, 2, 20), 1, "Payment reminder", "Perhaps this has escaped your attention", ("20", "10")),
        (datetime.date(2026, 3, 5), 2, "Second reminder", "This is our second reminder", ("33", "23")),
        (datetime.date(2026, 4, 2), 3, "Final notice", "This is our final notice", ("61", "51")),
    ],
)
def test_dunning_letter_wording_follows_its_level(seller, overdue, accountant, on, level, title, wording, days):
    first, second = overdue
    [letter] = services.dunning_run(company=seller, actor=accountant, on=on, send=False)
    assert letter.level == level and letter.total_overdue == D("181.50")
    text = pdf_text(documents.render_dunning_pdf(letter))
    assert title.upper() in text and letter.number in text
    assert wording in text
    assert f"{first.number} Jan. 1, 2026 Jan. 31, 2026 {days[0]} 121.00 EUR" in text
    assert f"{second.number} Jan. 11, 2026 Feb. 10, 2026 {days[1]} 60.50 EUR" in text
    assert "Total overdue 181.50 EUR" in text
    assert "Amount to pay 181.50 EUR" in text
    assert f"Payment reference {first.number}, {second.number}" in text
    assert "ES91 2100 0418 4502 0005 1332" in text
    assert ("further action" in text) == (level == 3)


def test_dunning_run_emails_the_letter(seller, overdue, accountant):
    [letter] = services.dunning_run(company=seller, actor=accountant, on=datetime.date(2026, 3, 5))
    letter.refresh_from_db()
    assert letter.sent_to == "ap@northwind.example" and letter.sent_at is not None
    [message] = mail.outbox
    assert message.to == ["ap@northwind.example"]
    assert message.subject == f"Second reminder {letter.number} from Acme Trading S.L."
    assert "181.50 EUR" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{letter.number}.pdf", "application/pdf")
    assert "SECOND REMINDER" in pdf_text(content)


def test_dunning_send_service_and_letter_email(seller, overdue, accountant, users):
    [letter] = services.dunning_run(company=seller, actor=accountant, on=datetime.date(2026, 4, 2), send=False)
    assert mail.outbox == []
    services.dunning_send(letter=letter, actor=accountant, to="legal@northwind.example")
    sender = users["admin"]
    sender.email = "admin@acme.example"
    documents.send_dunning_letter(letter, to="ceo@northwind.example", sender=sender)
    first, second = mail.outbox
    assert first.to == ["legal@northwind.example"] and second.to == ["ceo@northwind.example"]
    assert second.reply_to == ["admin@acme.example"]
    assert second.subject.startswith("Final notice ")
    assert "final notice" in second.body


def test_dunning_html_escapes_the_customer(seller, customer_of, confirmed_order, post, accountant):
    customer = customer_of("sales", code="C099", name="<b>x</b>", status="active")
    post(confirmed_order(customer, quantity="1", price="10.00"), issue_date=datetime.date(2026, 1, 1))
    [letter] = services.dunning_run(company=seller, actor=accountant, on=datetime.date(2026, 2, 1), send=False)
    html = documents.render_dunning_html(letter)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
