"""Warehouse pages and the stock levels list."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from salesdesk.catalog.models import Product
from salesdesk.core.models import AuditEntry
from salesdesk.inventory import services as stock
from salesdesk.inventory.models import Warehouse


def test_warehouse_list_and_search(web_as, company):
    Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    Warehouse.objects.create(company=company, code="BCN", name="Barcelona")
    page = web_as("warehouse").get(reverse("inventory:warehouse-list"), {"q": "madr"})
    assert b"Madrid" in page.content and b"Barcelona" not in page.content


def test_empty_list_invites_to_create(web_as, company):
    page = web_as("warehouse").get(reverse("inventory:warehouse-list"))
    assert b'id="empty-state"' in page.content and b'id="create-button"' in page.content


def test_warehouse_create_is_audited(web_as, company):
    response = web_as("warehouse").post(reverse("inventory:warehouse-create"), {"code": "MAD", "name": "Madrid", "active": "on"})
    assert response.status_code == 302
    warehouse = Warehouse.objects.get(company=company, code="MAD")
    assert AuditEntry.objects.filter(object_id=warehouse.pk, action="create").exists()


def test_warehouse_create_without_code_shows_error(web_as, company):
    page = web_as("warehouse").post(reverse("inventory:warehouse-create"), {"name": "Nameless"})
    assert page.status_code == 400 and b'id="error-code"' in page.content
    assert not Warehouse.objects.exists()


def test_salesperson_may_not_create_warehouses(web_as, company):
    assert web_as("sales").post(reverse("inventory:warehouse-create"), {"code": "X", "name": "X"}).status_code == 403


def test_warehouse_export_neutralizes_formulas(web_as, company):
    Warehouse.objects.create(company=company, code="W1", name="-10+20")
    body = web_as("warehouse").get(reverse("inventory:warehouse-list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "'-10+20" in body


# --- stock levels ---------------------------------------------------------------------------


@pytest.fixture
def stocked(company, unit_pc):
    """12 lamps at 7.50 in Madrid, 4 in Barcelona at 8.00, and a table with nothing free."""
    mad = Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    bcn = Warehouse.objects.create(company=company, code="BCN", name="Barcelona")
    lamp = Product.objects.create(company=company, sku="LAMP", name="Lamp", unit=unit_pc, list_price=D("19.90"), cost=D("7.5"))
    table = Product.objects.create(company=company, sku="TABLE", name="Table", unit=unit_pc, list_price=D("250.00"), cost=D("99"))
    on = {"company": company, "kind": "receipt", "reference": "REC-1", "actor": None}
    stock.move_in(product=lamp, warehouse=mad, quantity=D("12"), unit_cost=D("7.50"), **on)
    stock.move_in(product=lamp, warehouse=bcn, quantity=D("4"), unit_cost=D("8.00"), **on)
    stock.move_in(product=table, warehouse=mad, quantity=D("1"), unit_cost=D("99"), **on)
    return {"mad": mad, "bcn": bcn, "lamp": lamp, "table": table}


def test_stock_levels_show_quantities_and_no_value_to_the_clerk(web_as, stocked):
    page = web_as("warehouse").get(reverse("inventory:stock-levels"))
    html = page.content.decode()
    assert page.status_code == 200 and "LAMP" in html and "TABLE" in html
    assert "12.00" in html and "4.00" in html  # on hand in Madrid and Barcelona
    for money in ("90.00", "32.00", "99.00", "19.90", "250.00", "7.50", "8.00"):
        assert money not in html, money
    assert "Stock value" not in html


def test_stock_levels_show_the_value_to_who_sees_costs(web_as, stocked):
    html = web_as("admin").get(reverse("inventory:stock-levels")).content.decode()
    assert "Stock value" in html and "90.00" in html and "32.00" in html


def test_stock_levels_filter_by_warehouse_and_search(web_as, stocked):
    client = web_as("warehouse")
    page = client.get(reverse("inventory:stock-levels"), {"warehouse": stocked["bcn"].pk})
    assert b"LAMP" in page.content and b"TABLE" not in page.content
    page = client.get(reverse("inventory:stock-levels"), {"q": "tab"})
    assert b"TABLE" in page.content and b"LAMP" not in page.content


def test_stock_levels_rows_open_the_product_stock_page(web_as, stocked):
    html = web_as("warehouse").get(reverse("inventory:stock-levels")).content.decode()
    assert reverse("fulfilment:product-stock", args=[stocked["lamp"].pk]) in html


def test_stock_levels_export_has_no_value_for_the_clerk(web_as, stocked):
    body = web_as("warehouse").get(reverse("inventory:stock-levels"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "LAMP" in body and "stock value" not in body.lower() and "90" not in body
    body = web_as("admin").get(reverse("inventory:stock-levels"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "stock value" in body.lower() and "90.00" in body


def test_stock_levels_read_a_fixed_number_of_queries(web_as, company, unit_pc, stocked, django_assert_max_num_queries):
    client = web_as("warehouse")
    client.get(reverse("inventory:stock-levels"))
    with django_assert_max_num_queries(9):
        assert client.get(reverse("inventory:stock-levels")).status_code == 200
    for i in range(30):
        product = Product.objects.create(company=company, sku=f"X{i:02}", name=f"Item {i}", unit=unit_pc)
        stock.move_in(
            company=company, product=product, warehouse=stocked["mad"], quantity=D("1"), unit_cost=D("1"), kind="receipt", actor=None
        )
    with django_assert_max_num_queries(9):
        assert client.get(reverse("inventory:stock-levels")).status_code == 200


def test_stock_levels_need_a_signed_in_member(client, stocked):
    response = client.get(reverse("inventory:stock-levels"))
    assert response.status_code == 302 and "/login/" in response["Location"]
