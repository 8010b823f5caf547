"""Catalog master data through the API: products, categories, taxes, currencies, rates, price lists."""

from decimal import Decimal

import pytest

from salesdesk.catalog.models import Currency, CurrencyRate, PriceList, PriceListItem, Product, ProductCategory, Tax
from salesdesk.core.audit import history
from salesdesk.core.models import AuditEntry


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def tools(company):
    return ProductCategory.objects.create(company=company, name="Tools")


# --- products -----------------------------------------------------------------------------


def test_a_product_is_created_with_its_unit_by_code(admin_api, company, vat21, tools):
    body = {
        "sku": "P-20",
        "name": "Hammer",
        "category": tools.pk,
        "unit": "pc",
        "list_price": "12.50",
        "cost": "7.1234",
        "tax": vat21.pk,
        "kind": "goods",
        "serial_tracked": True,
        "warranty_months": 24,
    }
    response = admin_api.post("/api/v1/products/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in body} == {**body, "list_price": "12.50", "cost": "7.1234"}
    assert data["active"] is True
    product = Product.objects.get(pk=data["id"])
    assert (product.company, product.unit.code, product.list_price) == (company, "pc", Decimal("12.5"))
    assert history(product).filter(action="create", field="sku", after="P-20").exists()


def test_a_product_with_an_unknown_unit_or_kind_is_refused(admin_api, company):
    response = admin_api.post("/api/v1/products/", {"sku": "P-1", "name": "X", "unit": "crate", "kind": "magic"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"unit", "kind"}
    assert not Product.objects.filter(company=company).exists()


def test_a_product_cannot_use_another_companys_unit_or_tax(admin_api, company, other_company):
    theirs = Tax.objects.create(company=other_company, name="Sales tax", rate=Decimal("7"))
    response = admin_api.post("/api/v1/products/", {"sku": "P-1", "name": "X", "unit": "pc", "tax": theirs.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["tax"]


def test_a_negative_price_is_refused(admin_api, product):
    response = admin_api.patch(f"/api/v1/products/{product.pk}/", {"list_price": "-1"}, format="json")
    assert response.status_code == 400
    assert "list_price" in response.json()["details"]
    assert Product.objects.get(pk=product.pk).list_price == Decimal("10.00")


def test_a_product_is_read_changed_and_deleted(admin_api, product):
    url = f"/api/v1/products/{product.pk}/"
    assert admin_api.get(url).json()["unit"] == "pc"

    changed = admin_api.patch(url, {"list_price": "11.00", "unit": "kg"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["list_price"], changed.json()["unit"]) == ("11.00", "kg")
    assert {r.field: (r.before, r.after) for r in history(product).filter(action="update")} == {
        "list_price": ("10.0000", "11.0000"),
        "unit": ("pc", "kg"),
    }

    assert admin_api.delete(url).status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()
    assert history(product).filter(action="delete").exists()


def test_a_duplicate_sku_is_refused_on_the_sku_field(admin_api, product):
    response = admin_api.post("/api/v1/products/", {"sku": "P-10", "name": "Again", "unit": "pc"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["sku"]


def test_products_are_filtered_and_searched(admin_api, company, unit_pc, tools, product):
    Product.objects.create(company=company, sku="S-1", name="Installation", unit=unit_pc, kind="service", category=tools)
    assert [p["sku"] for p in results(admin_api.get("/api/v1/products/?kind=service"))] == ["S-1"]
    assert [p["sku"] for p in results(admin_api.get(f"/api/v1/products/?category={tools.pk}"))] == ["S-1"]
    assert [p["sku"] for p in results(admin_api.get("/api/v1/products/?search=widg"))] == ["P-10"]


def test_a_salesperson_reads_products_but_cannot_change_them(api_as, product):
    client = api_as("sales")
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 200
    assert client.patch(f"/api/v1/products/{product.pk}/", {"name": "X"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/products/{product.pk}/").status_code == 403
    assert Product.objects.filter(pk=product.pk, name="Widget").exists()


def _products(company, unit, start, count):
    Product.objects.bulk_create(
        [Product(company=company, sku=f"B-{i:03d}", name=f"Bulk {i}", unit=unit) for i in range(start, start + count)]
    )


def test_the_product_list_and_detail_cost_a_fixed_number_of_queries(
    admin_api, company, unit_pc, vat21, tools, django_assert_max_num_queries
):
    _products(company, unit_pc, 0, 3)
    Product.objects.filter(company=company).update(tax=vat21, category=tools)
    with django_assert_max_num_queries(6):
        assert len(results(admin_api.get("/api/v1/products/"))) == 3
    _products(company, unit_pc, 3, 20)
    Product.objects.filter(company=company).update(tax=vat21, category=tools)
    with django_assert_max_num_queries(6):
        assert len(results(admin_api.get("/api/v1/products/?page_size=50"))) == 23
    one = Product.objects.filter(company=company).first()
    with django_assert_max_num_queries(6):
        assert admin_api.get(f"/api/v1/products/{one.pk}/").status_code == 200


# --- categories, units, taxes -------------------------------------------------------------


def test_categories_form_a_tree_and_refuse_a_cycle(admin_api, tools):
    child = admin_api.post("/api/v1/product-categories/", {"name": "Hand tools", "parent": tools.pk}, format="json")
    assert child.status_code == 201
    assert [c["name"] for c in results(admin_api.get(f"/api/v1/product-categories/?parent={tools.pk}"))] == ["Hand tools"]

    cycle = admin_api.patch(f"/api/v1/product-categories/{tools.pk}/", {"parent": child.json()["id"]}, format="json")
    assert cycle.status_code == 400
    assert "parent" in cycle.json()["details"]
    own = admin_api.patch(f"/api/v1/product-categories/{tools.pk}/", {"parent": tools.pk}, format="json")
    assert own.status_code == 400
    assert ProductCategory.objects.get(pk=tools.pk).parent is None


def test_a_category_with_products_cannot_be_deleted(admin_api, product, tools):
    product.category = tools
    product.save()
    response = admin_api.delete(f"/api/v1/product-categories/{tools.pk}/")
    assert (response.status_code, response.json()["code"]) == (409, "protected")
    assert ProductCategory.objects.filter(pk=tools.pk).exists()


def test_every_company_has_the_standard_units_and_cannot_delete_them(admin_api, unit_pc):
    assert [u["code"] for u in results(admin_api.get("/api/v1/units/"))] == ["h", "kg", "pc"]
    response = admin_api.delete(f"/api/v1/units/{unit_pc.pk}/")
    assert response.status_code == 400
    assert type(unit_pc).objects.filter(pk=unit_pc.pk).exists()


def test_an_accountant_manages_taxes(api_as, company):
    client = api_as("accountant")
    created = client.post("/api/v1/taxes/", {"name": "VAT 10%", "rate": "10.00", "included_in_price": True}, format="json")
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "name": "VAT 10%", "rate": "10.00", "included_in_price": True, "active": True}
    changed = client.patch(f"/api/v1/taxes/{created.json()['id']}/", {"rate": "12"}, format="json")
    assert changed.json()["rate"] == "12.00"


@pytest.mark.parametrize("rate", ["-1", "100.01", "ten"])
def test_a_tax_rate_outside_zero_to_one_hundred_is_refused(api_as, company, rate):
    response = api_as("accountant").post("/api/v1/taxes/", {"name": "Odd", "rate": rate}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["rate"]
    assert not Tax.objects.filter(company=company).exists()


# --- currencies and rates -----------------------------------------------------------------


def test_currencies_are_addressed_by_their_code(api_as, company):
    client = api_as("accountant")
    assert client.get("/api/v1/currencies/EUR/").json() == {"code": "EUR", "name": "Euro", "decimal_places": 2}
    created = client.post("/api/v1/currencies/", {"code": "JPY", "name": "Yen", "decimal_places": 0}, format="json")
    assert created.status_code == 201
    assert client.patch("/api/v1/currencies/JPY/", {"name": "Japanese yen"}, format="json").json()["name"] == "Japanese yen"
    assert [c["code"] for c in results(client.get("/api/v1/currencies/"))] == ["EUR", "JPY"]
    assert client.get("/api/v1/currencies/GBP/").status_code == 404


def test_a_currency_code_must_be_three_capitals_and_cannot_change(api_as, company):
    client = api_as("accountant")
    assert client.post("/api/v1/currencies/", {"code": "usd", "name": "Dollar"}, format="json").status_code == 400
    response = client.patch("/api/v1/currencies/EUR/", {"code": "EUX"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()["details"]
    assert Currency.objects.filter(company=company, code="EUR").exists()


@pytest.mark.parametrize("places", [3, 4])
def test_a_currency_of_more_than_two_places_is_refused_as_amounts_are_kept_to_the_cent(api_as, company, places):
    # Invoices in such a currency computed 12.106 and stored 12.11: posting one failed with a 500.
    client = api_as("accountant")
    response = client.post("/api/v1/currencies/", {"code": "KWD", "name": "Dinar", "decimal_places": places}, format="json")
    assert response.status_code == 400
    assert "decimal_places" in response.json()["details"]
    assert not Currency.objects.filter(company=company, code="KWD").exists()
    assert client.patch("/api/v1/currencies/EUR/", {"decimal_places": places}, format="json").status_code == 400
    assert Currency.objects.get(company=company, code="EUR").decimal_places == 2


def test_a_company_in_a_three_place_currency_keeps_its_amounts_to_the_cent(db):
    from salesdesk.setup.services import company_setup

    bahrain = company_setup(code="BH", name="Manama Trading", base_currency="BHD", country="BH")
    assert Currency.objects.get(company=bahrain, code="BHD").decimal_places == 2


def test_currency_rates_are_kept_per_date(api_as, company):
    client = api_as("accountant")
    client.post("/api/v1/currencies/", {"code": "USD", "name": "US Dollar"}, format="json")
    created = client.post("/api/v1/currency-rates/", {"currency": "USD", "date": "2026-01-01", "rate": "1.08"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json() == {"id": created.json()["id"], "currency": "USD", "date": "2026-01-01", "rate": "1.08"}
    client.post("/api/v1/currency-rates/", {"currency": "USD", "date": "2026-02-01", "rate": "1.10"}, format="json")

    listed = results(client.get("/api/v1/currency-rates/?currency__code=USD&date__gte=2026-01-15"))
    assert [(r["date"], r["rate"]) for r in listed] == [("2026-02-01", "1.10")]

    duplicate = client.post("/api/v1/currency-rates/", {"currency": "USD", "date": "2026-01-01", "rate": "1.09"}, format="json")
    assert duplicate.status_code == 400
    assert CurrencyRate.objects.filter(company=company).count() == 2


def test_the_base_currency_has_no_rate(api_as, company):
    response = api_as("accountant").post("/api/v1/currency-rates/", {"currency": "EUR", "date": "2026-01-01", "rate": "1"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["currency"]
    assert not CurrencyRate.objects.exists()


@pytest.mark.parametrize("rate", ["0", "-1.5"])
def test_a_rate_must_be_positive(api_as, company, rate):
    client = api_as("accountant")
    client.post("/api/v1/currencies/", {"code": "USD", "name": "US Dollar"}, format="json")
    response = client.post("/api/v1/currency-rates/", {"currency": "USD", "date": "2026-01-01", "rate": rate}, format="json")
    assert response.status_code == 400
    assert "rate" in response.json()["details"]


# --- price lists --------------------------------------------------------------------------


def _price_list_body(product, tools, **extra):
    return {
        "name": "Retail 2026",
        "currency": "EUR",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "items": [
            {"product": product.pk, "min_quantity": "10", "price": "9.00", "floor_price": "8.00"},
            {"category": tools.pk, "discount_percent": "5", "max_discount_percent": "15"},
        ],
        **extra,
    }


def test_a_price_list_is_created_with_its_items(api_as, company, product, tools):
    response = api_as("manager").post("/api/v1/price-lists/", _price_list_body(product, tools), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["name"], data["currency"], data["valid_from"], data["valid_to"]) == ("Retail 2026", "EUR", "2026-01-01", "2026-12-31")
    items = sorted(data["items"], key=lambda i: i["product"] is None)
    assert [(i["product"], i["category"], i["min_quantity"], i["price"], i["discount_percent"]) for i in items] == [
        (product.pk, None, "10.00", "9.00", None),
        (None, tools.pk, "0.00", None, "5.00"),
    ]
    price_list = PriceList.objects.get(pk=data["id"])
    assert price_list.items.count() == 2
    assert history(price_list).filter(field="items", after__contains="P-10≥10.0000:9.0000").exists()


def test_patching_items_replaces_them_all_and_audits_the_change(admin_api, product, tools):
    created = admin_api.post("/api/v1/price-lists/", _price_list_body(product, tools), format="json").json()
    url = f"/api/v1/price-lists/{created['id']}/"

    response = admin_api.patch(url, {"items": [{"product": product.pk, "price": "8.50"}]}, format="json")

    assert response.status_code == 200, response.content
    assert [(i["product"], i["price"]) for i in response.json()["items"]] == [(product.pk, "8.50")]
    assert PriceListItem.objects.filter(price_list_id=created["id"]).count() == 1
    change = history(PriceList.objects.get(pk=created["id"])).filter(action="update", field="items").first()
    assert "9.0000" in change.before and "[Tools]" in change.before
    assert change.after == "P-10≥0.0000:8.5000"


def test_patching_other_fields_keeps_the_items(admin_api, product, tools):
    created = admin_api.post("/api/v1/price-lists/", _price_list_body(product, tools), format="json").json()
    response = admin_api.patch(f"/api/v1/price-lists/{created['id']}/", {"name": "Retail"}, format="json")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2


def test_patching_valid_to_before_the_stored_valid_from_is_refused(admin_api, product, tools):
    created = admin_api.post("/api/v1/price-lists/", _price_list_body(product, tools), format="json").json()
    response = admin_api.patch(f"/api/v1/price-lists/{created['id']}/", {"valid_to": "2025-12-31"}, format="json")
    assert response.status_code == 400
    assert "valid_to" in response.json()["details"]


def test_a_refused_item_change_keeps_the_old_items(admin_api, product, tools):
    created = admin_api.post("/api/v1/price-lists/", _price_list_body(product, tools), format="json").json()
    audit_before = AuditEntry.objects.count()
    response = admin_api.patch(f"/api/v1/price-lists/{created['id']}/", {"name": "New", "items": [{"product": product.pk}]}, format="json")
    assert response.status_code == 400
    assert PriceListItem.objects.filter(price_list_id=created["id"]).count() == 2
    assert PriceList.objects.get(pk=created["id"]).name == "Retail 2026"
    assert AuditEntry.objects.count() == audit_before


def test_a_price_list_item_cannot_point_at_another_companys_product(admin_api, other_company):
    from salesdesk.catalog.models import Unit

    theirs = Product.objects.create(company=other_company, sku="X", name="X", unit=Unit.objects.get(company=other_company, code="pc"))
    response = admin_api.post(
        "/api/v1/price-lists/", {"name": "R", "currency": "EUR", "items": [{"product": theirs.pk, "price": "1"}]}, format="json"
    )
    assert response.status_code == 400
    assert "product" in response.json()["details"]["items"]["0"]


def test_only_one_price_list_is_the_company_default(admin_api, company):
    first = admin_api.post("/api/v1/price-lists/", {"name": "A", "currency": "EUR", "is_default": True}, format="json").json()
    second = admin_api.post("/api/v1/price-lists/", {"name": "B", "currency": "EUR", "is_default": True}, format="json").json()
    assert list(PriceList.objects.filter(company=company, is_default=True).values_list("pk", flat=True)) == [second["id"]]
    assert admin_api.get(f"/api/v1/price-lists/{first['id']}/").json()["is_default"] is False


def test_a_salesperson_cannot_change_price_lists(api_as, product, tools):
    response = api_as("sales").post("/api/v1/price-lists/", _price_list_body(product, tools), format="json")
    assert response.status_code == 403


def test_the_price_list_list_and_detail_cost_a_fixed_number_of_queries(admin_api, company, product, tools, django_assert_max_num_queries):
    eur = Currency.objects.get(company=company, code="EUR")

    def make(start, count):
        for i in range(start, start + count):
            pl = PriceList.objects.create(company=company, name=f"List {i:03d}", currency=eur)
            PriceListItem.objects.create(company=company, price_list=pl, product=product, price=Decimal("9"))
            PriceListItem.objects.create(company=company, price_list=pl, category=tools, discount_percent=Decimal("5"))

    make(0, 3)
    with django_assert_max_num_queries(7):
        assert len(results(admin_api.get("/api/v1/price-lists/"))) == 3
    make(3, 20)
    with django_assert_max_num_queries(7):
        assert len(results(admin_api.get("/api/v1/price-lists/?page_size=50"))) == 23
    one = PriceList.objects.filter(company=company).first()
    with django_assert_max_num_queries(7):
        assert len(admin_api.get(f"/api/v1/price-lists/{one.pk}/").json()["items"]) == 2


def test_a_rate_cannot_be_moved_onto_the_base_currency(api_as, company):
    client = api_as("accountant")
    client.post("/api/v1/currencies/", {"code": "USD", "name": "US Dollar"}, format="json")
    rate = client.post("/api/v1/currency-rates/", {"currency": "USD", "date": "2026-01-01", "rate": "1.08"}, format="json").json()
    response = client.patch(f"/api/v1/currency-rates/{rate['id']}/", {"currency": "EUR"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["currency"]
    assert CurrencyRate.objects.get(pk=rate["id"]).currency.code == "USD"
