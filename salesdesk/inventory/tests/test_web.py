"""Warehouse pages."""

import pytest
from django.urls import reverse

from salesdesk.core.models import AuditEntry
from salesdesk.inventory.models import Warehouse


@pytest.fixture
def browser(client, users):
    def as_user(username):
        client.force_login(users[username])
        return client

    return as_user


def test_warehouse_list_and_search(browser, company):
    Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    Warehouse.objects.create(company=company, code="BCN", name="Barcelona")
    page = browser("warehouse").get(reverse("inventory:warehouse-list"), {"q": "madr"})
    assert b"Madrid" in page.content and b"Barcelona" not in page.content


def test_empty_list_invites_to_create(browser, company):
    page = browser("warehouse").get(reverse("inventory:warehouse-list"))
    assert b'id="empty-state"' in page.content and b'id="create-button"' in page.content


def test_warehouse_create_is_audited(browser, company):
    response = browser("warehouse").post(reverse("inventory:warehouse-create"), {"code": "MAD", "name": "Madrid", "active": "on"})
    assert response.status_code == 302
    warehouse = Warehouse.objects.get(company=company, code="MAD")
    assert AuditEntry.objects.filter(object_id=warehouse.pk, action="create").exists()


def test_warehouse_create_without_code_shows_error(browser, company):
    page = browser("warehouse").post(reverse("inventory:warehouse-create"), {"name": "Nameless"})
    assert page.status_code == 400 and b'id="error-code"' in page.content
    assert not Warehouse.objects.exists()


def test_salesperson_may_not_create_warehouses(browser, company):
    assert browser("sales").post(reverse("inventory:warehouse-create"), {"code": "X", "name": "X"}).status_code == 403


def test_warehouse_export_neutralizes_formulas(browser, company):
    Warehouse.objects.create(company=company, code="W1", name="-10+20")
    body = browser("warehouse").get(reverse("inventory:warehouse-list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "'-10+20" in body
