"""Warehouses through the API."""

import pytest

from salesdesk.core.audit import history
from salesdesk.inventory.models import Warehouse


def test_a_warehouse_clerk_creates_and_renames_a_warehouse(api_as, company):
    client = api_as("warehouse")
    created = client.post("/api/v1/warehouses/", {"code": "MAD", "name": "Madrid", "address": "Calle 1"}, format="json")
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "code": "MAD", "name": "Madrid", "address": "Calle 1", "active": True}

    url = f"/api/v1/warehouses/{created.json()['id']}/"
    assert client.patch(url, {"name": "Madrid Sur", "active": False}, format="json").json()["name"] == "Madrid Sur"
    warehouse = Warehouse.objects.get(pk=created.json()["id"])
    assert {r.field for r in history(warehouse).filter(action="update")} == {"name", "active"}


def test_a_warehouse_clerk_cannot_delete_a_warehouse(api_as, company):
    warehouse = Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    response = api_as("warehouse").delete(f"/api/v1/warehouses/{warehouse.pk}/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Warehouse.objects.filter(pk=warehouse.pk).exists()


def test_an_administrator_deletes_a_warehouse(admin_api, company):
    warehouse = Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    assert admin_api.delete(f"/api/v1/warehouses/{warehouse.pk}/").status_code == 204
    assert not Warehouse.objects.filter(pk=warehouse.pk).exists()


@pytest.mark.parametrize("username", ["sales", "manager", "accountant"])
def test_other_roles_read_warehouses_but_cannot_add_them(api_as, company, username):
    Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    client = api_as(username)
    assert [w["code"] for w in client.get("/api/v1/warehouses/").json()["results"]] == ["MAD"]
    assert client.post("/api/v1/warehouses/", {"code": "BCN", "name": "Barcelona"}, format="json").status_code == 403


def test_a_duplicate_warehouse_code_is_refused_on_the_code_field(api_as, company, other_company):
    Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    Warehouse.objects.create(company=other_company, code="BCN", name="Theirs")
    client = api_as("warehouse")
    taken = client.post("/api/v1/warehouses/", {"code": "MAD", "name": "Again"}, format="json")
    assert (taken.status_code, list(taken.json()["details"])) == (400, ["code"])
    assert client.post("/api/v1/warehouses/", {"code": "BCN", "name": "Barcelona"}, format="json").status_code == 201


def test_warehouses_are_filtered_by_active_and_searched(admin_api, company):
    Warehouse.objects.create(company=company, code="MAD", name="Madrid")
    Warehouse.objects.create(company=company, code="OLD", name="Old depot", active=False)
    assert [w["code"] for w in admin_api.get("/api/v1/warehouses/?active=true").json()["results"]] == ["MAD"]
    assert [w["code"] for w in admin_api.get("/api/v1/warehouses/?search=depot").json()["results"]] == ["OLD"]


def test_another_companys_warehouse_is_not_found(admin_api, other_company):
    theirs = Warehouse.objects.create(company=other_company, code="NYC", name="New York")
    assert admin_api.get(f"/api/v1/warehouses/{theirs.pk}/").status_code == 404
    assert admin_api.patch(f"/api/v1/warehouses/{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404
    assert Warehouse.objects.get(pk=theirs.pk).name == "New York"
