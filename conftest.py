"""Fixtures shared by every test: two companies, one user per role, and API clients.

Company ACME has teams North (manager `manager`, salespeople `sales` and `sales2`) and South
(salesperson `sales3`), like the demo company; company OTHER exists to prove that nothing
leaks between companies.
"""

from decimal import Decimal

import pytest
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from salesdesk.setup.services import company_setup

_FUZZ_TOTALS: dict[str, int] = {}

# No per-example deadline: a loaded CI machine (or the benchmarks running beside the suite)
# must not turn a slow example into a failure. Timings belong in `make bench`.
hypothesis_settings.register_profile("salesdesk", deadline=None)
hypothesis_settings.load_profile("salesdesk")


def pytest_runtest_logreport(report):
    """Sum the schema-fuzzing case counts that the fuzz tests attach to their reports (works under xdist)."""
    for name, value in getattr(report, "user_properties", ()):
        if name == "fuzz_cases":
            who, cases = str(value).rsplit(":", 1)
            _FUZZ_TOTALS[who] = _FUZZ_TOTALS.get(who, 0) + int(cases)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _FUZZ_TOTALS:
        detail = ", ".join(f"{who} {n}" for who, n in sorted(_FUZZ_TOTALS.items()))
        terminalreporter.write_line(f"schema fuzzing: {sum(_FUZZ_TOTALS.values())} cases ({detail})")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Tests create many users; the production hasher is slow on purpose, tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _check_prepared_reads(settings):
    """Every prepared read (`core.prepared`) is composed the ordinary way too and must match."""
    settings.SALESDESK_CHECK_PREPARED = True


def pytest_collection_modifyitems(config, items):
    """Row-locking tests only mean something on PostgreSQL; SQLite serializes every writer."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL row locks; runs in the PostgreSQL leg of make test")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def company(db):
    return company_setup(code="ACME", name="Acme Trading S.L.")


@pytest.fixture
def other_company(db):
    return company_setup(code="OTHER", name="Other Company Ltd", base_currency="USD", country="US")


@pytest.fixture
def org(company):
    """The sales organization of ACME and one user per role, keyed by username."""
    region_north = accounts_services.region_create(company=company, actor=None, name="North")
    region_south = accounts_services.region_create(company=company, actor=None, name="South")
    users = {}

    def make(username, role_names, **kw):
        users[username] = accounts_services.user_create(
            company=company,
            actor=None,
            username=username,
            password=username + "-pw-1234",
            full_name=username.title(),
            roles=role_names,
            **kw,
        )
        return users[username]

    make("admin", [roles.ADMINISTRATOR])
    manager = make("manager", [roles.SALES_MANAGER], region=region_north)
    north = accounts_services.team_save(company=company, actor=None, name="North", region=region_north, manager=manager)
    south = accounts_services.team_save(company=company, actor=None, name="South", region=region_south, manager=None)
    make("sales", [roles.SALESPERSON], team=north, region=region_north, manager=manager)
    make("sales2", [roles.SALESPERSON], team=north, region=region_north, manager=manager)
    make("sales3", [roles.SALESPERSON], team=south, region=region_south)
    make("warehouse", [roles.WAREHOUSE_CLERK])
    make("accountant", [roles.ACCOUNTANT])
    accounts_services.membership_set(
        company=company, actor=None, user=manager, roles=[roles.SALES_MANAGER], team=north, region=region_north
    )
    return {
        "company": company,
        "users": users,
        "teams": {"North": north, "South": south},
        "regions": {"North": region_north, "South": region_south},
    }


@pytest.fixture
def users(org):
    return org["users"]


@pytest.fixture
def people(company, users):
    """`people["accountant"]` is (user, membership in ACME) for the users who work a document through."""
    return {name: (users[name], users[name].memberships.get(company=company)) for name in ("admin", "manager", "warehouse", "accountant")}


@pytest.fixture
def api_as(users):
    """`api_as("sales")` is an API client signed in as that user (token auth)."""
    from rest_framework.authtoken.models import Token

    def client_for(username: str) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=users[username])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def web_as(client, users):
    """`web_as("sales")` is Django's test client signed in as that user (for the web pages)."""

    def as_user(username: str):
        client.force_login(users[username])
        return client

    return as_user


@pytest.fixture
def admin_api(api_as):
    return api_as("admin")


@pytest.fixture
def unit_pc(company):
    from salesdesk.catalog.models import Unit

    return Unit.objects.get(company=company, code="pc")


@pytest.fixture
def vat21(company):
    from salesdesk.catalog.models import Tax

    return Tax.objects.create(company=company, name="VAT 21%", rate=Decimal("21"))


@pytest.fixture
def product(company, unit_pc, vat21):
    from salesdesk.catalog.models import Product

    return Product.objects.create(
        company=company, sku="P-10", name="Widget", unit=unit_pc, list_price=Decimal("10.00"), cost=Decimal("6.00"), tax=vat21
    )


@pytest.fixture
def customer_of(company, users):
    """`customer_of("sales", code="C001")` files a customer owned by that salesperson."""
    from salesdesk.customers import services as customer_services

    def make(owner: str, code: str, **values):
        admin = users["admin"]
        membership = admin.memberships.get(company=company)
        return customer_services.customer_create(
            company=company,
            actor=admin,
            membership=membership,
            values={"code": code, "name": values.pop("name", f"Customer {code}"), "salesperson": users[owner], **values},
        )

    return make
