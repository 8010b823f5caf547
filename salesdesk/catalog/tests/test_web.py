"""Catalog pages: products, categories, price lists with entries, taxes, currencies and rates, units."""

import datetime
from decimal import Decimal

from django.urls import reverse

from salesdesk.catalog.models import Currency, PriceList, Product, ProductCategory, Tax


def test_product_list_search_and_filters(web_as, product, company, unit_pc):
    Product.objects.create(company=company, sku="S-1", name="Install service", unit=unit_pc, kind="service")
    client = web_as("sales")
    page = client.get(reverse("catalog:product-list"))
    assert b"Widget" in page.content and b"Install service" in page.content
    page = client.get(reverse("catalog:product-list"), {"q": "widg"})
    assert b"Widget" in page.content and b"Install service" not in page.content
    page = client.get(reverse("catalog:product-list"), {"kind": "service"})
    assert b"Install service" in page.content and b"Widget" not in page.content


def test_product_create_with_duplicate_sku_shows_error_and_saves_nothing(web_as, product, unit_pc):
    page = web_as("admin").post(
        reverse("catalog:product-create"),
        {"sku": "P-10", "name": "Copy", "unit": unit_pc.pk, "kind": "goods", "list_price": "1", "cost": "1", "warranty_months": "0"},
    )
    assert page.status_code == 400 and b'id="error-sku"' in page.content
    assert Product.objects.filter(sku="P-10").count() == 1


def test_product_create_and_edit(web_as, company, unit_pc):
    data = {"sku": "N-1", "name": "New", "unit": unit_pc.pk, "kind": "goods", "list_price": "12.50", "cost": "5", "warranty_months": "12"}
    client = web_as("admin")
    assert client.post(reverse("catalog:product-create"), data).status_code == 302
    product = Product.objects.get(company=company, sku="N-1")
    assert product.list_price == Decimal("12.50")
    response = client.post(reverse("catalog:product-update", args=[product.pk]), {**data, "name": "Renamed", "active": "on"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Renamed"


def test_salesperson_may_not_change_products(web_as, product):
    client = web_as("sales")
    assert client.post(reverse("catalog:product-update", args=[product.pk]), {"name": "x"}).status_code == 403
    assert b'id="edit-button"' not in client.get(reverse("catalog:product-detail", args=[product.pk])).content


def test_product_of_another_company_is_not_found(web_as, other_company):
    from salesdesk.catalog.models import Unit

    foreign = Product.objects.create(
        company=other_company, sku="F-1", name="Foreign", unit=Unit.objects.get(company=other_company, code="pc")
    )
    assert web_as("admin").get(reverse("catalog:product-detail", args=[foreign.pk])).status_code == 404


def test_product_csv_export_neutralizes_formulas(web_as, company, unit_pc):
    Product.objects.create(company=company, sku="X-1", name="@SUM(A1:A9)", unit=unit_pc)
    body = web_as("sales").get(reverse("catalog:product-list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "'@SUM(A1:A9)" in body


def test_categories_show_as_tree(web_as, company):
    parent = ProductCategory.objects.create(company=company, name="Tools")
    web_as("admin").post(reverse("catalog:category-create"), {"name": "Drills", "parent": parent.pk})
    assert ProductCategory.objects.get(company=company, name="Drills").parent == parent
    page = web_as("admin").get(reverse("catalog:category-list"))
    assert page.context["tree_mode"] and [r["depth"] for r in page.context["rows"]] == [0, 1]


def _price_list_data(currency, **rows):
    data = {"name": "Wholesale", "currency": currency.pk, "active": "on", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0"}
    data.update(rows)
    return data


def test_price_list_entry_with_price_and_discount_is_refused_on_its_row(web_as, company, product):
    eur = Currency.objects.get(company=company, code="EUR")
    data = _price_list_data(
        eur, **{"lines-0-product": product.pk, "lines-0-min_quantity": "0", "lines-0-price": "9", "lines-0-discount_percent": "5"}
    )
    page = web_as("manager").post(reverse("catalog:pricelist-create"), data)
    assert page.status_code == 400 and b"row-error" in page.content
    assert not PriceList.objects.filter(company=company).exists()


def test_a_price_list_ending_before_it_starts_is_refused_in_plain_words(web_as, company):
    eur = Currency.objects.get(company=company, code="EUR")
    data = _price_list_data(eur, valid_from="2026-06-01", valid_to="2026-05-01", **{"lines-TOTAL_FORMS": "0"})
    page = web_as("manager").post(reverse("catalog:pricelist-create"), data)
    assert page.status_code == 400
    assert "The end date cannot be before the start date." in page.content.decode()
    assert b"pricelist_period_valid" not in page.content
    assert not PriceList.objects.filter(company=company).exists()


def test_price_list_saved_with_entries(web_as, company, product):
    eur = Currency.objects.get(company=company, code="EUR")
    data = _price_list_data(
        eur, **{"lines-0-product": product.pk, "lines-0-min_quantity": "10", "lines-0-price": "9.50", "lines-0-floor_price": "8"}
    )
    response = web_as("manager").post(reverse("catalog:pricelist-create"), data)
    assert response.status_code == 302
    price_list = PriceList.objects.get(company=company, name="Wholesale")
    item = price_list.items.get()
    assert item.price == Decimal("9.50") and item.min_quantity == Decimal("10")
    page = web_as("manager").get(reverse("catalog:pricelist-update", args=[price_list.pk]))
    assert page.context["formset"].initial[0]["price"] == Decimal("9.50")


def test_tax_create_with_rate_over_100_shows_error(web_as, company):
    page = web_as("accountant").post(reverse("catalog:tax-create"), {"name": "Bad", "rate": "150"})
    assert page.status_code == 400 and b'id="error-rate"' in page.content
    assert not Tax.objects.filter(company=company, name="Bad").exists()


def test_currency_rates_are_added_on_the_currency_page(web_as, company):
    client = web_as("accountant")
    client.post(reverse("catalog:currency-create"), {"code": "USD", "name": "US Dollar", "decimal_places": "2"})
    usd = Currency.objects.get(company=company, code="USD")
    client.post(reverse("catalog:currency-rate-create", args=[usd.pk]), {"date": "2025-01-01", "rate": "1.08"})
    assert usd.rates.get().date == datetime.date(2025, 1, 1)
    page = client.get(reverse("catalog:currency-detail", args=[usd.pk]))
    assert b"1.08" in page.content


def test_standard_unit_cannot_be_deleted(web_as, unit_pc):
    page = web_as("admin").post(reverse("catalog:unit-delete", args=[unit_pc.pk]), follow=True)
    assert b"cannot be deleted" in page.content
