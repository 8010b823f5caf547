"""Every request acts in one company: the user's default, or another they belong to via X-Company."""

import pytest

from salesdesk.accounts import roles
from salesdesk.accounts.services import membership_set
from salesdesk.core import tenancy
from salesdesk.customers.models import CustomerGroup
from salesdesk.inventory.models import Warehouse


@pytest.fixture
def admin_in_other(users, other_company):
    """The admin of ACME is also an accountant of OTHER."""
    return membership_set(company=other_company, actor=None, user=users["admin"], roles=[roles.ACCOUNTANT])


def test_a_request_acts_in_the_users_default_company(admin_api, company, other_company):
    Warehouse.objects.create(company=company, code="ACME-W", name="Acme")
    Warehouse.objects.create(company=other_company, code="OTHER-W", name="Other")
    assert [w["code"] for w in admin_api.get("/api/v1/warehouses/").json()["results"]] == ["ACME-W"]


def test_x_company_naming_a_company_the_user_belongs_to_acts_there(admin_api, company, other_company, admin_in_other):
    Warehouse.objects.create(company=company, code="ACME-W", name="Acme")
    Warehouse.objects.create(company=other_company, code="OTHER-W", name="Other")

    listed = admin_api.get("/api/v1/warehouses/", HTTP_X_COMPANY="OTHER")
    assert [w["code"] for w in listed.json()["results"]] == ["OTHER-W"]

    created = admin_api.post(
        "/api/v1/payment-terms/", {"name": "Net 30", "lines": [{"percent": "100", "days": 30}]}, format="json", HTTP_X_COMPANY="OTHER"
    )
    assert created.status_code == 201
    from salesdesk.customers.models import PaymentTerm

    assert PaymentTerm.objects.get(pk=created.json()["id"]).company == other_company


def test_roles_are_those_of_the_company_acted_in(admin_api, admin_in_other):
    # An administrator in ACME, only an accountant in OTHER: no warehouses to add there.
    response = admin_api.post("/api/v1/warehouses/", {"code": "W1", "name": "W"}, format="json", HTTP_X_COMPANY="OTHER")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert admin_api.post("/api/v1/warehouses/", {"code": "W1", "name": "W"}, format="json").status_code == 201


@pytest.mark.parametrize("code", ["OTHER", "NOPE"])
def test_x_company_naming_a_company_the_user_does_not_belong_to_is_forbidden(admin_api, other_company, code):
    response = admin_api.get("/api/v1/warehouses/", HTTP_X_COMPANY=code)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_an_inactive_membership_does_not_open_the_company(admin_api, users, other_company):
    membership_set(company=other_company, actor=None, user=users["admin"], roles=[roles.ADMINISTRATOR], is_active=False)
    assert admin_api.get("/api/v1/warehouses/", HTTP_X_COMPANY="OTHER").status_code == 403


def test_a_foreign_key_to_another_companys_row_is_refused_as_unknown(admin_api, other_company, admin_in_other):
    group = CustomerGroup.objects.create(company=other_company, name="Theirs")
    response = admin_api.post("/api/v1/customers/", {"code": "C1", "name": "A", "group": group.pk}, format="json")
    assert response.status_code == 400
    assert "group" in response.json()["details"]


def test_scoped_returns_only_the_companys_rows(company, other_company):
    mine = Warehouse.objects.create(company=company, code="W", name="Mine")
    Warehouse.objects.create(company=other_company, code="W", name="Theirs")
    assert list(tenancy.scoped(Warehouse, company)) == [mine]
    assert list(Warehouse.objects.for_company(company)) == [mine]
