"""PDF documents: quotations, order confirmations and contracts, in every language, and emailing them."""

import datetime
import io
from decimal import Decimal

import pypdf  # reads the text back out of the PDFs (installed with factur-x, pinned in requirements.lock)
import pytest
from django.core import mail
from django.utils import translation

from salesdesk.catalog.models import Currency, Product, Tax
from salesdesk.customers.models import Customer
from salesdesk.sales import documents
from salesdesk.sales.models import Contract, ContractItem, Quotation, QuotationLine, SalesOrder, SalesOrderLine

D = Decimal
TODAY = datetime.date(2026, 3, 2)


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
def eur(company):
    return Currency.objects.get(company=company, code="EUR")


@pytest.fixture
def catalog(company, unit_pc, vat21):
    vat10 = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    widget = Product.objects.create(company=company, sku="P-10", name="Widget", unit=unit_pc, list_price=D("10.00"), tax=vat21)
    book = Product.objects.create(company=company, sku="B-7", name="Manual", unit=unit_pc, list_price=D("20.00"), tax=vat10)
    return {"widget": widget, "book": book, "vat21": vat21, "vat10": vat10}


def make_customer(company, name="Northwind Traders", **values):
    return Customer.objects.create(
        company=company,
        code=values.pop("code", "C001"),
        name=name,
        legal_name=values.pop("legal_name", f"{name} S.A."),
        tax_id=values.pop("tax_id", "B12345678"),
        billing_address=values.pop("billing_address", "Calle Mayor 1\n28001 Madrid"),
        **values,
    )


def make_quotation(company, customer, currency, catalog, *, lines=None, status="draft", number="QUO-2026-00001", salesperson=None):
    quotation = Quotation.objects.create(
        company=company,
        number=number,
        customer=customer,
        currency=currency,
        salesperson=salesperson,
        date=TODAY,
        valid_until=TODAY + datetime.timedelta(days=30),
        status=status,
        notes="Delivery within two weeks.",
        untaxed_amount=D("140.00"),
        tax_amount=D("25.00"),
        total_amount=D("165.00"),
    )
    # 10 × 10.00 at 21% = 100.00 + 21.00; 2 × 20.00 at 10% = 40.00 + 4.00.
    for seq, (product, qty, price, tax) in enumerate(
        lines or [(catalog["widget"], "10", "10", catalog["vat21"]), (catalog["book"], "2", "20", catalog["vat10"])]
    ):
        qty, price = D(qty), D(price)
        QuotationLine.objects.create(
            company=company, quotation=quotation, sequence=seq, product=product, quantity=qty, unit_price=price, tax=tax, amount=qty * price
        )
    return quotation


@pytest.fixture
def quotation(company, catalog, eur, users):
    return make_quotation(company, make_customer(company), eur, catalog, salesperson=users["sales"])


def test_quotation_pdf_shows_number_customer_lines_and_totals(quotation):
    data = documents.render_pdf(quotation)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ["QUO-2026-00001", "Northwind Traders", "Northwind Traders S.A.", "B12345678", "Calle Mayor 1", "P-10", "Widget"]:
        assert expected in text
    assert "165.00 EUR" in text
    assert "21.00 EUR" in text and "4.00 EUR" in text  # tax per rate
    assert "Sales" in text  # the salesperson
    assert "DRAFT" in text
    assert "Page 1 of 1" in text


def test_sent_quotation_has_no_draft_watermark(company, catalog, eur):
    quotation = make_quotation(company, make_customer(company), eur, catalog, status="sent")
    assert "DRAFT" not in pdf_text(documents.render_pdf(quotation))


def test_spanish_quotation_localizes_labels_and_amounts(quotation):
    with translation.override("es"):
        text = pdf_text(documents.render_pdf(quotation))
    assert "165,00 EUR" in text


def test_chinese_quotation_embeds_a_cjk_font(company, catalog, eur):
    customer = make_customer(company, name="上海贸易有限公司", legal_name="上海贸易有限公司", billing_address="上海市浦东新区世纪大道100号")
    quotation = make_quotation(company, customer, eur, catalog)
    with translation.override("zh-hans"):
        data = documents.render_pdf(quotation)
    text = pdf_text(data)
    assert "上海贸易有限公司" in text
    assert "世纪大道" in text
    assert "QUO-2026-00001" in text
    assert any("CJK" in name for name in pdf_font_names(data)), pdf_font_names(data)


def test_order_confirmation_has_order_facts_signature_and_revision(company, catalog, eur):
    customer = make_customer(company)
    order = SalesOrder.objects.create(
        company=company,
        number="SO-2026-00007",
        customer=customer,
        currency=eur,
        date=TODAY,
        status="confirmed",
        requested_date=datetime.date(2026, 3, 20),
        customer_reference="PO-4711",
        revision=2,
        untaxed_amount=D("25.00"),
        tax_amount=D("5.25"),
        total_amount=D("30.25"),
    )
    SalesOrderLine.objects.create(
        company=company,
        order=order,
        product=catalog["widget"],
        quantity=D("2.5"),
        unit_price=D("10"),
        tax=catalog["vat21"],
        amount=D("25.00"),
    )
    data = documents.render_pdf(order)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ["SO-2026-00007", "Northwind Traders", "30.25 EUR", "PO-4711", "Revision 2", "2.5 pc", "For Northwind Traders"]:
        assert expected in text
    assert "March 20, 2026" in text
    assert documents.pdf_filename(order) == "SO-2026-00007-rev2.pdf"


def test_contract_pdf_shows_items_consumption_and_rule(company, catalog, eur):
    customer = make_customer(company)
    contract = Contract.objects.create(
        company=company,
        number="CTR-2026-00003",
        customer=customer,
        currency=eur,
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
        status="active",
    )
    ContractItem.objects.create(
        company=company, contract=contract, product=catalog["widget"], price=D("9.5"), quantity=D("1000"), consumed_quantity=D("250")
    )
    data = documents.render_pdf(contract)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ["CTR-2026-00003", "Northwind Traders", "9.50 EUR", "1000 pc", "250 pc", "750 pc", "regular prices"]:
        assert expected in text
    assert text.count("For ") >= 2  # two signature blocks
    assert documents.pdf_filename(contract) == "CTR-2026-00003.pdf"


def test_filenames(quotation):
    assert documents.pdf_filename(quotation) == "QUO-2026-00001.pdf"
    quotation.revision = 3
    assert documents.pdf_filename(quotation) == "QUO-2026-00001-rev3.pdf"
    quotation.number = "A/B 1"
    assert documents.pdf_filename(quotation) == "A-B-1-rev3.pdf"


def test_other_objects_are_refused(company):
    with pytest.raises(TypeError):
        documents.render_pdf(company)


def test_page_counter_is_translated_into_css():
    assert documents.page_counter_css() == '"Page " counter(page) " of " counter(pages)'


def test_trim_keeps_decimals_exact():
    assert str(documents.trim(D("10.0000"))) == "10"
    assert str(documents.trim(D("2.5000"))) == "2.5"
    assert str(documents.trim(D("10.0000"), 2)) == "10.00"
    assert str(documents.trim(D("10.1250"), 2)) == "10.125"
    assert str(documents.trim(D("100"))) == "100"


def test_send_quotation_email_attaches_the_pdf(quotation, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sender = users["sales"]
    sender.email = "sales@acme.example"
    documents.send_quotation_email(quotation, to="buyer@northwind.example", sender=sender)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@northwind.example"]
    assert message.reply_to == ["sales@acme.example"]
    assert "QUO-2026-00001" in message.subject
    assert "165.00 EUR" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("QUO-2026-00001.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
