"""`manage.py load_demo` fills an empty database with the demo company, once."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from salesdesk.accounts import roles
from salesdesk.accounts.models import Company, Membership, Region, SalesTeam, User
from salesdesk.catalog.models import PriceList, Product, ProductCategory, Tax
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.customers.models import Customer, CustomerContact
from salesdesk.inventory.models import Warehouse

DEMO_ROLES = {
    "admin": roles.ADMINISTRATOR,
    "manager": roles.SALES_MANAGER,
    "sales": roles.SALESPERSON,
    "sales2": roles.SALESPERSON,
    "sales3": roles.SALESPERSON,
    "warehouse": roles.WAREHOUSE_CLERK,
    "accountant": roles.ACCOUNTANT,
}


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo(settings):
    """One load (it takes seconds), checked part by part, then loaded again."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    output = _load()
    assert "Customers: 200" in output
    demo = Company.objects.get(code="DEMO")
    _check_users_roles_and_teams(demo)
    _check_sign_in()
    _check_master_data(demo)
    _check_customers(demo)
    _check_second_load_changes_nothing()


def _check_users_roles_and_teams(demo):
    assert demo.base_currency == "EUR" and demo.country == "ES"
    memberships = {m.user.username: m for m in Membership.objects.filter(company=demo).select_related("user", "team", "manager")}
    assert set(memberships) == set(DEMO_ROLES)
    for username, role in DEMO_ROLES.items():
        assert memberships[username].role_names == {role}
        assert memberships[username].user.full_name
        assert memberships[username].user.email.endswith("@example.com")
    north, south = SalesTeam.objects.get(company=demo, name="North"), SalesTeam.objects.get(company=demo, name="South")
    assert north.manager.username == "manager"
    assert memberships["manager"].team == north
    for username in ("sales", "sales2"):
        assert memberships[username].team == north
        assert memberships[username].manager.username == "manager"
    assert memberships["sales3"].team == south
    assert Region.objects.filter(company=demo).count() == 3


def _check_sign_in():
    for username in DEMO_ROLES:
        assert authenticate(username=username, password=username) == User.objects.get(username=username)


def _check_master_data(demo):
    products = Product.objects.filter(company=demo)
    assert 140 <= products.count() <= 160
    assert not products.filter(category__isnull=True).exists()
    assert products.filter(category__parent__isnull=False).count() == products.count()  # all in subcategories
    assert ProductCategory.objects.filter(company=demo, parent__isnull=True).count() == 4
    assert products.filter(serial_tracked=True, warranty_months__gt=0).exists()
    assert products.filter(kind=Product.Kind.SERVICE, unit__code="h").exists()
    assert products.filter(active=False).exists()
    assert all(p.cost < p.list_price for p in products)
    assert Tax.objects.filter(company=demo, included_in_price=True).count() == 1
    assert PriceList.objects.filter(company=demo).count() == 2
    assert Warehouse.objects.filter(company=demo).count() == 1


def _check_customers(demo):
    customers = Customer.objects.filter(company=demo)
    assert 180 <= customers.count() <= 220
    owners = set(customers.values_list("salesperson__username", flat=True))
    assert {"sales", "sales2", "sales3"} <= owners
    for username in ("sales", "sales2", "sales3"):
        assert customers.filter(salesperson__username=username).count() >= 30
    # A customer sits in its salesperson's region (South includes the Islands below it).
    assert not customers.filter(salesperson__username="sales", region__name__in=["South", "Islands"]).exists()
    assert not customers.filter(salesperson__username="sales3", region__name="North").exists()
    statuses = set(customers.values_list("status", flat=True))
    assert statuses == {Customer.Status.PROSPECT, Customer.Status.ACTIVE, Customer.Status.BLOCKED}
    assert (
        DocumentEvent.objects.filter(company=demo, to_status=Customer.Status.BLOCKED).count() == customers.filter(status="blocked").count()
    )
    assert not customers.filter(contacts__isnull=True).exists()
    assert CustomerContact.objects.filter(company=demo).count() > customers.count()
    assert AuditEntry.objects.filter(company=demo, actor__username="admin").exists()


def _check_second_load_changes_nothing():
    counts = (User.objects.count(), Customer.objects.count(), Product.objects.count(), AuditEntry.objects.count())
    assert "nothing loaded" in _load()
    assert (User.objects.count(), Customer.objects.count(), Product.objects.count(), AuditEntry.objects.count()) == counts
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_no_demo_next_to_an_existing_company(db):
    from salesdesk.setup.services import company_setup

    company_setup(code="ACME", name="Acme Trading S.L.")
    assert "nothing loaded" in _load()
    assert not Company.objects.filter(code="DEMO").exists()
