"""Who sees a product's prices and costs (issue #5: the warehouse sees no prices or margins).

Prices (list price, floor price, max. discount) go to members who may read sales documents
(`sales.view_salesorder`), costs (standard cost, min. margin) to members allowed to see margins
(`fulfilment.margins_delivery`). The warehouse clerk has neither and still sees the product:
not in the API, the product list, its export, the product page or its history."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from salesdesk.catalog import services
from salesdesk.catalog.models import Product
from salesdesk.core import audit

pytestmark = pytest.mark.django_db

PRICE_KEYS = {"list_price", "floor_price", "max_discount_percent"}
COST_KEYS = {"cost", "min_margin_percent"}
# What the drill sells and costs at, as the pages and the history write it: none may reach the clerk.
PRICE_TEXTS = ("137.45", "120.55", "7.35")
COST_TEXTS = ("81.27", "12.65")
SEES_EVERYTHING = ["admin", "manager", "sales", "accountant"]


@pytest.fixture
def drill(company, unit_pc, vat21, users):
    """A product created and repriced through the audited services, so its history holds prices and costs."""
    values = {
        "sku": "DR-1",
        "name": "Cordless drill",
        "unit": unit_pc,
        "tax": vat21,
        "list_price": Decimal("140.00"),
        "cost": Decimal("81.27"),
        "floor_price": Decimal("120.55"),
        "max_discount_percent": Decimal("7.35"),
        "min_margin_percent": Decimal("12.65"),
    }
    product = services.create(model=Product, company=company, actor=users["admin"], values=values)
    return services.update(instance=product, actor=users["admin"], values={"list_price": Decimal("137.45")})


def _member(users, company, username):
    return users[username].memberships.get(company=company)


def test_the_role_table_gives_prices_and_costs_to_everyone_but_the_clerk(users, company):
    for username in SEES_EVERYTHING:
        member = _member(users, company, username)
        assert member.has_perm("sales.view_salesorder") and member.has_perm("fulfilment.margins_delivery"), username
    clerk = _member(users, company, "warehouse")
    assert not clerk.has_perm("sales.view_salesorder") and not clerk.has_perm("fulfilment.margins_delivery")
    assert clerk.has_perm("catalog.view_product") and clerk.has_perm("inventory.view_stocklevel")


# --- API --------------------------------------------------------------------------------------


def test_the_clerk_reads_products_without_prices_or_costs(api_as, drill, vat21):
    client = api_as("warehouse")
    listed = client.get("/api/v1/products/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    detail = client.get(f"/api/v1/products/{drill.pk}/")
    assert detail.status_code == 200
    for data in (row, detail.json()):
        assert not (PRICE_KEYS | COST_KEYS) & set(data)
        assert {k: data[k] for k in ("id", "sku", "name", "category", "unit", "tax", "kind", "active")} == {
            "id": drill.pk,
            "sku": "DR-1",
            "name": "Cordless drill",
            "category": None,
            "unit": "pc",
            "tax": vat21.pk,
            "kind": "goods",
            "active": True,
        }
        assert not any(text in str(data) for text in PRICE_TEXTS + COST_TEXTS)


@pytest.mark.parametrize("username", SEES_EVERYTHING)
def test_sellers_managers_accountants_and_the_administrator_read_prices_and_costs(api_as, drill, username):
    client = api_as(username)
    [row] = client.get("/api/v1/products/").json()["results"]
    detail = client.get(f"/api/v1/products/{drill.pk}/").json()
    expected = {
        "list_price": "137.45",
        "floor_price": "120.55",
        "max_discount_percent": "7.35",
        "cost": "81.27",
        "min_margin_percent": "12.65",
    }
    for data in (row, detail):
        assert {k: Decimal(data[k]) for k in expected} == {k: Decimal(v) for k, v in expected.items()}


def test_the_clerk_cannot_sort_products_by_price(api_as, drill, company, unit_pc):
    Product.objects.create(company=company, sku="AA-1", name="Cheap first", unit=unit_pc, list_price=Decimal("1.00"))
    Product.objects.create(company=company, sku="ZZ-1", name="Dear last", unit=unit_pc, list_price=Decimal("999.00"))
    by_price = ["ZZ-1", "DR-1", "AA-1"]
    assert [r["sku"] for r in api_as("sales").get("/api/v1/products/?ordering=-list_price").json()["results"]] == by_price
    # For the clerk the price order is ignored: the products come in SKU order.
    assert [r["sku"] for r in api_as("warehouse").get("/api/v1/products/?ordering=-list_price").json()["results"]] == [
        "AA-1",
        "DR-1",
        "ZZ-1",
    ]


def test_the_clerk_still_cannot_change_a_product(api_as, drill):
    response = api_as("warehouse").patch(f"/api/v1/products/{drill.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 403
    drill.refresh_from_db()
    assert (drill.name, drill.list_price) == ("Cordless drill", Decimal("137.45"))


# --- web pages -------------------------------------------------------------------------------


def _shows_any(page, texts) -> bool:
    html = page.content.decode()
    return any(text in html for text in texts)


def test_the_clerks_product_list_has_no_price_or_cost_columns(web_as, drill):
    page = web_as("warehouse").get(reverse("catalog:product-list"), {"sort": "-list_price"})
    assert page.status_code == 200
    assert "DR-1" in page.content.decode() and "Cordless drill" in page.content.decode()
    assert [h["name"] for h in page.context["headers"]] == ["sku", "name", "category", "kind", "unit", "tax", "active"]
    assert not _shows_any(page, PRICE_TEXTS + COST_TEXTS)
    assert "List price" not in page.content.decode() and "Standard cost" not in page.content.decode()


def test_the_sellers_product_list_shows_list_price_and_cost(web_as, drill):
    page = web_as("sales").get(reverse("catalog:product-list"))
    assert {"list_price", "cost"} <= {h["name"] for h in page.context["headers"]}
    assert "137.45" in page.content.decode() and "81.27" in page.content.decode()


def test_the_clerks_exports_have_no_prices_or_costs(web_as, drill):
    client = web_as("warehouse")
    body = client.get(reverse("catalog:product-list"), {"export": "csv"}).content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    assert header == ["SKU", "name", "category", "kind", "unit", "tax", "active"]
    assert row[0] == "DR-1" and not any(text in body for text in PRICE_TEXTS + COST_TEXTS)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("catalog:product-list"), {"export": "xlsx"}).content))
    cells = [c for r in book.active.iter_rows(values_only=True) for c in r]
    assert "list price" not in cells and "standard cost" not in cells
    assert not {Decimal("137.45"), Decimal("81.27")} & {Decimal(str(c)) for c in cells if isinstance(c, (int, float, Decimal))}


def test_the_sellers_export_has_list_price_and_cost(web_as, drill):
    body = web_as("sales").get(reverse("catalog:product-list"), {"export": "csv"}).content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    assert Decimal(row[header.index("list price")]) == Decimal("137.45")
    assert Decimal(row[header.index("standard cost")]) == Decimal("81.27")


def test_the_clerks_product_page_has_no_prices_or_costs_and_links_to_the_stock(web_as, drill):
    page = web_as("warehouse").get(reverse("catalog:product-detail", args=[drill.pk]))
    assert page.status_code == 200
    labels = [str(label) for label, *_ in page.context["fields"]]
    assert labels == ["SKU", "name", "description", "category", "unit", "tax", "kind", "serial-tracked", "warranty (months)", "active"]
    assert not _shows_any(page, PRICE_TEXTS + COST_TEXTS)
    # The history keeps the product's other changes but leaves out its prices and costs.
    assert audit.history(drill).filter(field="list_price").exists()
    history = page.context["history"]
    assert {e.field for e in history} >= {"sku", "name"} and not {e.field for e in history} & (PRICE_KEYS | COST_KEYS)
    stock_url = reverse("fulfilment:product-stock", args=[drill.pk])
    assert f'id="stock-button" href="{stock_url}"' in page.content.decode()


def test_the_administrators_product_page_shows_prices_costs_and_their_history(web_as, drill):
    page = web_as("admin").get(reverse("catalog:product-detail", args=[drill.pk]))
    shown = {str(label): text for label, text, *_ in page.context["fields"]}
    assert (shown["list price"], shown["standard cost"], shown["floor price"]) == ("137.45", "81.27", "120.55")
    assert (shown["max. discount (%)"], shown["min. margin (%)"]) == ("7.35", "12.65")
    changes = {(e.field, e.before, e.after) for e in page.context["history"] if e.action == "update"}
    assert changes == {("list_price", "140.0000", "137.45")}
    assert 'id="stock-button"' in page.content.decode()


def test_a_service_has_no_stock_link(web_as, company, unit_pc):
    service = Product.objects.create(company=company, sku="S-1", name="Installation", unit=unit_pc, kind="service")
    page = web_as("warehouse").get(reverse("catalog:product-detail", args=[service.pk]))
    assert page.status_code == 200 and 'id="stock-button"' not in page.content.decode()


def test_the_clerk_reads_no_price_lists(web_as, api_as, drill):
    assert web_as("warehouse").get(reverse("catalog:pricelist-list")).status_code == 403
    assert api_as("warehouse").get("/api/v1/price-lists/").status_code == 403
