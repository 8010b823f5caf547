"""Price lists: one in use by a customer group is protected, the default switch is audited,
and an entry for a retired product keeps the list editable."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Currency, PriceList, Product
from salesdesk.core.models import AuditEntry
from salesdesk.customers.models import CustomerGroup


@pytest.fixture
def eur(company):
    return Currency.objects.get(company=company, code="EUR")


def _audit(price_list, **kw):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(PriceList), object_id=price_list.pk, **kw)


# --- a price list a customer group uses ----------------------------------------------------


def test_api_refuses_to_delete_a_price_list_a_customer_group_uses(admin_api, company, eur):
    pl = PriceList.objects.create(company=company, name="WS", currency=eur)
    group = CustomerGroup.objects.create(company=company, name="Wholesale", price_list=pl)
    r = admin_api.delete(f"/api/v1/price-lists/{pl.pk}/")
    assert r.status_code == 409, r.content
    assert r.json()["code"] == "protected"
    assert r.json()["details"]["used_by"] == ["customer group"]
    group.refresh_from_db()
    assert group.price_list_id == pl.pk
    assert PriceList.objects.filter(pk=pl.pk).exists()
    assert not _audit(pl, action="delete").exists()


def test_a_price_list_no_one_uses_is_deleted(admin_api, company, eur):
    pl = PriceList.objects.create(company=company, name="Old", currency=eur)
    CustomerGroup.objects.create(company=company, name="Retail")
    assert admin_api.delete(f"/api/v1/price-lists/{pl.pk}/").status_code == 204
    assert not PriceList.objects.filter(pk=pl.pk).exists()


def test_web_refuses_to_delete_a_price_list_a_customer_group_uses(web_as, company, eur):
    pl = PriceList.objects.create(company=company, name="WS", currency=eur)
    CustomerGroup.objects.create(company=company, name="Wholesale", price_list=pl)
    page = web_as("manager").post(reverse("catalog:pricelist-delete", args=[pl.pk]), follow=True)
    assert b"cannot be deleted" in page.content and b"customer group" in page.content
    assert CustomerGroup.objects.get(name="Wholesale").price_list_id == pl.pk


# --- the company default --------------------------------------------------------------------


def test_a_new_default_unmarks_the_old_one_in_the_audit_log(admin_api, company, users):
    assert admin_api.post("/api/v1/price-lists/", {"name": "A", "currency": "EUR", "is_default": True}, format="json").status_code == 201
    assert admin_api.post("/api/v1/price-lists/", {"name": "B", "currency": "EUR", "is_default": True}, format="json").status_code == 201
    a, b = PriceList.objects.get(company=company, name="A"), PriceList.objects.get(company=company, name="B")
    assert (a.is_default, b.is_default) == (False, True)
    assert _audit(a, action="update", field="is_default", before="True", after="False", actor=users["admin"]).exists()


def test_a_refused_new_default_leaves_the_old_default_and_its_audit_alone(admin_api, company, eur):
    old = catalog_services.price_list_save(company=company, actor=None, values={"name": "A", "currency": eur, "is_default": True})
    r = admin_api.post("/api/v1/price-lists/", {"name": "A", "currency": "EUR", "is_default": True}, format="json")
    assert r.status_code == 400  # the name is taken
    old.refresh_from_db()
    assert old.is_default
    assert not _audit(old, field="is_default", action="update").exists()


# --- a retired product in a list ------------------------------------------------------------


def test_web_edits_a_price_list_with_an_entry_for_a_retired_product(web_as, company, product, eur):
    pl = catalog_services.price_list_save(
        company=company,
        actor=None,
        values={"name": "WS", "currency": eur, "active": True},
        items=[{"product": product, "min_quantity": Decimal("0"), "price": Decimal("9")}],
    )
    product.active = False
    product.save()
    client = web_as("manager")
    page = client.get(reverse("catalog:pricelist-update", args=[pl.pk]))
    html = page.content.decode()
    select = html[html.index('name="lines-0-product"') :]
    assert f'<option value="{product.pk}" selected>' in select[: select.index("</select>")]
    data = {
        "name": "WS renamed",
        "currency": eur.pk,
        "active": "on",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "1",
        "lines-0-product": product.pk,
        "lines-0-min_quantity": "0",
        "lines-0-price": "9",
    }
    r = client.post(reverse("catalog:pricelist-update", args=[pl.pk]), data)
    assert r.status_code == 302
    pl.refresh_from_db()
    assert pl.name == "WS renamed" and pl.items.get().product_id == product.pk


def test_retired_products_are_not_offered_for_new_entries_elsewhere(web_as, company, product, eur, unit_pc):
    retired = Product.objects.create(company=company, sku="OLD", name="Old", unit=unit_pc, active=False)
    pl = catalog_services.price_list_save(company=company, actor=None, values={"name": "WS", "currency": eur})
    client = web_as("manager")
    for url in (reverse("catalog:pricelist-update", args=[pl.pk]), reverse("catalog:pricelist-create")):
        offered = client.get(url).context["formset"].forms[0].fields["product"].queryset
        assert product in offered and retired not in offered
    data = {
        "name": "WS",
        "currency": eur.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": retired.pk,
        "lines-0-price": "5",
    }
    assert client.post(reverse("catalog:pricelist-update", args=[pl.pk]), data).status_code == 400
    assert not pl.items.exists()
