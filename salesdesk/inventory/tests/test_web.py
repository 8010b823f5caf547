"""Warehouse pages."""

from django.urls import reverse

from salesdesk.core.models import AuditEntry
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
