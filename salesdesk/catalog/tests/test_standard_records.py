"""What every company keeps: the standard units keep their codes, the base currency stays."""

from django.urls import reverse

from salesdesk.catalog.models import Currency, Unit
from salesdesk.core.audit import history


def test_api_refuses_to_rename_a_standard_unit_code_naming_the_field(admin_api, unit_pc):
    r = admin_api.patch(f"/api/v1/units/{unit_pc.pk}/", {"code": "pcs", "name": "Pieces"}, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid" and "code" in r.json()["details"]
    unit_pc.refresh_from_db()
    assert (unit_pc.code, unit_pc.name) == ("pc", "Piece")
    assert not history(unit_pc).filter(action="update").exists()


def test_a_standard_unit_keeps_its_code_but_may_be_renamed_in_words(admin_api, unit_pc):
    r = admin_api.patch(f"/api/v1/units/{unit_pc.pk}/", {"code": "pc", "name": "Each"}, format="json")
    assert r.status_code == 200, r.content
    unit_pc.refresh_from_db()
    assert (unit_pc.code, unit_pc.name) == ("pc", "Each")


def test_an_own_unit_may_still_change_its_code(admin_api, company):
    box = Unit.objects.create(company=company, code="box", name="Box")
    assert admin_api.patch(f"/api/v1/units/{box.pk}/", {"code": "bx"}, format="json").status_code == 200
    box.refresh_from_db()
    assert box.code == "bx"


def test_web_refuses_to_rename_a_standard_unit_code_on_the_field(web_as, unit_pc, company):
    page = web_as("admin").post(reverse("catalog:unit-update", args=[unit_pc.pk]), {"code": "pcs", "name": "Piece"})
    assert page.status_code == 400
    assert page.context["form"].errors["code"]
    assert Unit.objects.filter(company=company, code="pc").exists()
    assert not Unit.objects.filter(company=company, code="pcs").exists()


def test_api_refuses_to_delete_the_base_currency(admin_api, company):
    r = admin_api.delete("/api/v1/currencies/EUR/")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid" and "code" in r.json()["details"]
    eur = Currency.objects.get(company=company, code="EUR")
    assert not history(eur).filter(action="delete").exists()


def test_another_currency_may_be_deleted(admin_api, company):
    Currency.objects.create(company=company, code="USD", name="US Dollar")
    assert admin_api.delete("/api/v1/currencies/USD/").status_code == 204
    assert not Currency.objects.filter(company=company, code="USD").exists()


def test_web_refuses_to_delete_the_base_currency_with_a_message(web_as, company):
    eur = Currency.objects.get(company=company, code="EUR")
    page = web_as("admin").post(reverse("catalog:currency-delete", args=[eur.pk]), follow=True)
    assert b"base currency cannot be deleted" in page.content
    assert Currency.objects.filter(pk=eur.pk).exists()
