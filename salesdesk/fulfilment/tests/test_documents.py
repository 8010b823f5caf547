"""The delivery note on paper: what was shipped, where to and how, with no prices; read back out of the PDF with pypdf."""

import io
from decimal import Decimal as D

import pypdf  # reads the text back out of the PDFs (installed with factur-x, pinned in requirements.lock)
import pytest
from django.utils import translation

from salesdesk.billing import services as billing
from salesdesk.catalog.models import Product
from salesdesk.fulfilment import documents
from salesdesk.fulfilment import services as fulfilment
from salesdesk.sales import services as sales_services

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
def table(company, unit_pc, vat21):
    return Product.objects.create(
        company=company, sku="TB-140", name="Meeting table", unit=unit_pc, list_price=D("450.00"), cost=D("275.50"), tax=vat21
    )


@pytest.fixture
def ordered(company, goods, chair, table):
    """`ordered(customer, {product: quantity}, reference)`: a confirmed order of that customer."""
    admin, membership = goods["admin"], goods["membership"]

    def make(customer, quantities, reference=""):
        order = sales_services.order_create(
            company=company,
            actor=admin,
            membership=membership,
            customer=customer,
            customer_reference=reference,
            lines=[{"product": product, "quantity": D(quantity)} for product, quantity in quantities.items()],
        )
        return sales_services.order_confirm(order=order, actor=admin, membership=membership)

    return make


def test_shipped_delivery_note_lists_the_goods_the_route_and_no_prices(company, goods, chair, table, ordered):
    admin, membership = goods["admin"], goods["membership"]
    goods["receive"]("10", "60")
    goods["receive"]("4", "275.50", product=table)
    order = ordered(goods["customer"], {chair: "12", table: "2"}, reference="PO-4711")
    chair_line, table_line = order.lines.order_by("sequence", "id")
    delivery = fulfilment.delivery_create(
        order=order,
        actor=admin,
        membership=membership,
        lines=[{"order_line": chair_line.pk, "quantity": D("10")}, {"order_line": table_line.pk, "quantity": D("2")}],
        carrier="Transportes Rápidos",
        tracking_number="TR-889900",
        shipping_address="Goods-in, Gate 3\n1 Dock Road\n08040 Barcelona",
        notes="Deliver before noon.",
    )
    fulfilment.delivery_pick(delivery=delivery, actor=admin)
    delivery = fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert delivery.number.startswith("DL-") and delivery.cost_amount == D("1151.00")

    data = documents.delivery_note_pdf(delivery)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "DELIVERY NOTE" in text and delivery.number in text
    assert f"Order number {order.number}" in text
    assert "Your reference PO-4711" in text
    assert "Customer number GOODS" in text and "Customer GOODS" in text
    for expected in ["Goods-in, Gate 3", "1 Dock Road", "08040 Barcelona"]:
        assert expected in text
    assert "Carrier Transportes Rápidos" in text
    assert "Tracking number TR-889900" in text
    assert "Warehouse Main warehouse" in text
    # The goods shipped, this delivery's quantities (the chair is a partial delivery of 10 out of 12).
    assert "Chair CH 10 pc" in text
    assert "Meeting table TB-140 2 pc" in text
    assert "Deliver before noon." in text
    assert "Goods received (signature, name and stamp):" in text and "For Customer GOODS" in text
    # Neither prices nor costs: the note travels with the goods.
    for secret in ["100.00", "450.00", "60.00", "275.50", "1,151.00", "1151", "EUR", "Price", "Total", "Amount", "Tax", "Cost"]:
        assert secret not in text, secret
    assert "DRAFT" not in text
    assert "Page 1 of 1" in text
    assert documents.delivery_note_filename(delivery) == f"{delivery.number}.pdf"


def test_draft_delivery_note_is_marked_draft_and_falls_back_to_the_customers_address(company, goods, chair, ordered, customer_of):
    admin, membership = goods["admin"], goods["membership"]
    customer = customer_of("sales", "C077", name="Plain Customer", status="active", billing_address="Calle Mayor 1\n28001 Madrid")
    order = ordered(customer, {chair: "3"})
    delivery = fulfilment.delivery_create(order=order, actor=admin, membership=membership)
    text = pdf_text(documents.delivery_note_pdf(delivery))
    assert "DRAFT" in text
    assert "Calle Mayor 1" in text and "28001 Madrid" in text
    assert "Chair CH 3 pc" in text
    assert "Carrier" not in text and "Tracking number" not in text and "Your reference" not in text


def test_refused_delivery_note_says_so_with_the_reason(company, goods, chair, ordered):
    admin, membership = goods["admin"], goods["membership"]
    goods["receive"]("5", "60")
    order = ordered(goods["customer"], {chair: "2"})
    delivery = fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=membership), actor=admin)
    delivery, _notes = billing.delivery_refuse(delivery=delivery, actor=admin, reason="Boxes crushed in transit")
    text = pdf_text(documents.delivery_note_pdf(delivery))
    assert "REFUSED" in text
    assert "The customer refused these goods" in text and "Boxes crushed in transit" in text


def test_chinese_delivery_note_shows_its_characters(company, goods, chair, ordered, customer_of):
    admin, membership = goods["admin"], goods["membership"]
    customer = customer_of(
        "sales", "C088", name="上海贸易有限公司", status="active", shipping_address="上海市浦东新区世纪大道100号", country="CN"
    )
    goods["receive"]("5", "60")
    order = ordered(customer, {chair: "2"})
    delivery = fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=membership), actor=admin)
    with translation.override("zh-hans"):
        data = documents.delivery_note_pdf(delivery)
    text = pdf_text(data)
    assert "上海贸易有限公司" in text
    assert "世纪大道" in text
    assert delivery.number in text
    assert any("CJK" in name for name in pdf_font_names(data)), pdf_font_names(data)


def test_delivery_note_escapes_what_people_typed(company, goods, chair, ordered, customer_of):
    admin, membership = goods["admin"], goods["membership"]
    customer = customer_of("sales", "C099", name="<b>x</b>", status="active")
    order = ordered(customer, {chair: "1"})
    delivery = fulfilment.delivery_create(
        order=order, actor=admin, membership=membership, shipping_address="<script>alert(1)</script>", carrier="<i>Fast</i>"
    )
    html = documents.render_html(delivery)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "<script>" not in html and "<i>Fast</i>" not in html
