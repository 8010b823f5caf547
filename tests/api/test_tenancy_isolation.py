"""Tenancy: nothing of company OTHER is visible or writable from ACME.

Every routed resource is checked, so a new resource joins by being routed: its list never
shows OTHER's rows, and OTHER's ids answer 404 to GET, PATCH and DELETE. Foreign keys naming
OTHER's rows are refused with 400 on the field and leave nothing behind. `X-Company` for a
company the user does not belong to is 403.
"""

from datetime import date
from decimal import Decimal

import pytest

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from tests.api.test_role_matrix import api_resources


@pytest.fixture
def other_world(other_company, matrix_data):
    """Company OTHER with its own administrator and one row of each kind of master data."""
    from salesdesk.catalog import services as catalog_services
    from salesdesk.catalog.models import Currency, Product, ProductCategory, Tax, Unit
    from salesdesk.core import audit
    from salesdesk.customers import services as customer_services
    from salesdesk.customers.models import CustomerGroup
    from salesdesk.inventory.models import Warehouse

    company = other_company
    admin = accounts_services.user_create(
        company=company, actor=None, username="other-admin", password="other-admin-pw-1234", roles=[roles.ADMINISTRATOR]
    )
    seller = accounts_services.user_create(company=company, actor=None, username="other-sales", roles=[roles.SALESPERSON])
    region = accounts_services.region_create(company=company, actor=admin, name="West")
    team = accounts_services.team_save(company=company, actor=admin, name="West team", region=region, manager=admin)
    jpy = audit.audited_create(model=Currency, company=company, actor=admin, values={"code": "JPY", "name": "Yen", "decimal_places": 0})
    rate = catalog_services.rate_create(company=company, actor=admin, currency=jpy, date=date(2025, 1, 1), rate=Decimal("150"))
    unit = audit.audited_create(model=Unit, company=company, actor=admin, values={"code": "box", "name": "Box"})
    category = audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Tools"})
    tax = audit.audited_create(model=Tax, company=company, actor=admin, values={"name": "Sales tax", "rate": Decimal("7")})
    product = audit.audited_create(
        model=Product,
        company=company,
        actor=admin,
        values={"sku": "O-1", "name": "Other widget", "unit": unit, "category": category, "tax": tax, "list_price": Decimal("3")},
    )
    price_list = catalog_services.price_list_save(
        company=company, actor=admin, values={"name": "Other list", "currency": jpy}, items=[{"product": product, "price": Decimal("300")}]
    )
    group = audit.audited_create(
        model=CustomerGroup, company=company, actor=admin, values={"name": "Other group", "price_list": price_list}
    )
    term = customer_services.payment_term_save(company=company, actor=admin, name="Net 10", lines=[{"percent": Decimal("100"), "days": 10}])
    membership = admin.memberships.get(company=company)
    customer = customer_services.customer_create(
        company=company,
        actor=admin,
        membership=membership,
        values={"code": "O001", "name": "Other customer", "salesperson": seller, "group": group, "region": region},
    )
    contact = customer_services.contact_create(customer=customer, actor=admin, values={"name": "Olga"})
    warehouse = audit.audited_create(model=Warehouse, company=company, actor=admin, values={"code": "OW", "name": "Other warehouse"})
    return {
        "company": company,
        "admin": admin,
        "seller": seller,
        "region": region,
        "team": team,
        "currency": jpy,
        "rate": rate,
        "unit": unit,
        "category": category,
        "tax": tax,
        "product": product,
        "price_list": price_list,
        "group": group,
        "payment_term": term,
        "customer": customer,
        "contact": contact,
        "warehouse": warehouse,
    }


@pytest.fixture
def other_api(other_world):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=other_world['admin'])[0].key}")
    return client


def _ids(client, resource) -> set:
    response = client.get(resource.url, {"page_size": 200})
    if response.status_code == 403:  # a resource the role may not read at all (the ledger for sellers) leaks nothing
        return set()
    assert response.status_code == 200, (resource.url, response.status_code)
    return {row["id"] for row in response.json()["results"] if "id" in row}


def _id_resources():
    return [r for r in api_resources() if r.lookup == "pk" and r.supports("list")]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "manager", "sales", "warehouse", "accountant"])
def test_lists_never_show_another_companys_rows(api_as, other_api, username):
    client = api_as(username)
    checked = 0
    for resource in _id_resources():
        theirs = _ids(other_api, resource)
        leaked = _ids(client, resource) & theirs
        assert not leaked, f"{username} sees OTHER's {resource.prefix}: {sorted(leaked)}"
        checked += bool(theirs)
    assert checked >= 10, "OTHER should have rows in most resources for this test to mean something"


@pytest.mark.django_db
def test_another_companys_ids_answer_404_and_stay_untouched(api_as, other_api):
    client = api_as("admin")
    problems = []
    for resource in _id_resources():
        for pk in sorted(_ids(other_api, resource)):
            url = resource.item_url(pk)
            calls = {"GET": lambda u=url: client.get(u)}
            if resource.supports("partial_update"):
                calls["PATCH"] = lambda u=url: client.patch(u, {"name": "Hijacked"}, format="json")
            if resource.supports("destroy"):
                calls["DELETE"] = lambda u=url: client.delete(u)
            for extra in resource.viewset.get_extra_actions():
                if extra.detail:
                    for method in extra.mapping:
                        action_url = f"{url}{extra.url_path}/"
                        calls[f"{method.upper()} {extra.url_path}"] = lambda u=action_url, m=method: (
                            client.get(u) if m == "get" else getattr(client, m)(u, {}, format="json")
                        )
            for name, call in calls.items():
                response = call()
                if response.status_code != 404:
                    problems.append(f"{name} {url}: {response.status_code}")
                elif response.json().get("code") != "not_found":
                    problems.append(f"{name} {url}: 404 without code not_found")
            still = other_api.get(url)
            if still.status_code != 200 or still.json().get("name") == "Hijacked":
                problems.append(f"{url} was changed or deleted from ACME")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_another_companys_currency_code_is_404(api_as, other_world):
    client = api_as("admin")
    assert client.get("/api/v1/currencies/JPY/").status_code == 404
    assert client.patch("/api/v1/currencies/JPY/", {"name": "Hijacked"}, format="json").status_code == 404
    assert client.delete("/api/v1/currencies/JPY/").status_code == 404
    assert "JPY" not in {row["code"] for row in client.get("/api/v1/currencies/").json()["results"]}
    other_world["currency"].refresh_from_db()
    assert other_world["currency"].name == "Yen"


CUSTOMER_FOREIGN_KEYS = [
    ("group", lambda o: o["group"].pk),
    ("price_list", lambda o: o["price_list"].pk),
    ("payment_term", lambda o: o["payment_term"].pk),
    ("region", lambda o: o["region"].pk),
    ("salesperson", lambda o: o["seller"].pk),
    ("currency", lambda o: "JPY"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), CUSTOMER_FOREIGN_KEYS, ids=[f for f, _ in CUSTOMER_FOREIGN_KEYS])
def test_customer_refuses_another_companys_rows_as_foreign_keys(api_as, other_world, field, value):
    from salesdesk.customers.models import Customer

    before = Customer.objects.count()
    response = api_as("admin").post("/api/v1/customers/", {"code": "X1", "name": "X", field: value(other_world)}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert field in response.json()["details"]
    assert Customer.objects.count() == before


@pytest.mark.django_db
def test_customer_update_refuses_another_companys_rows(api_as, matrix_data, other_world):
    customer = matrix_data["customer"]
    response = api_as("admin").patch(f"/api/v1/customers/{customer.pk}/", {"group": other_world["group"].pk}, format="json")
    assert response.status_code == 400
    assert "group" in response.json()["details"]
    customer.refresh_from_db()
    assert customer.group_id == matrix_data["group"].pk


PRODUCT_FOREIGN_KEYS = [
    ("category", lambda o: o["category"].pk),
    ("unit", lambda o: "box"),
    ("tax", lambda o: o["tax"].pk),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), PRODUCT_FOREIGN_KEYS, ids=[f for f, _ in PRODUCT_FOREIGN_KEYS])
def test_product_refuses_another_companys_rows_as_foreign_keys(api_as, other_world, field, value):
    from salesdesk.catalog.models import Product

    before = Product.objects.count()
    body = {"sku": "X-1", "name": "X", "unit": "pc", field: value(other_world)}
    response = api_as("admin").post("/api/v1/products/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["details"]
    assert Product.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/customer-groups/", lambda o: {"name": "G", "price_list": o["price_list"].pk}, "price_list"),
        ("/api/v1/customer-contacts/", lambda o: {"name": "C", "customer": o["customer"].pk}, "customer"),
        ("/api/v1/product-categories/", lambda o: {"name": "C", "parent": o["category"].pk}, "parent"),
        ("/api/v1/regions/", lambda o: {"name": "R", "parent": o["region"].pk}, "parent"),
        ("/api/v1/sales-teams/", lambda o: {"name": "T", "region": o["region"].pk}, "region"),
        ("/api/v1/sales-teams/", lambda o: {"name": "T", "manager": o["admin"].pk}, "manager"),
        ("/api/v1/sales-teams/", lambda o: {"name": "T", "members": [o["seller"].pk]}, "members"),
        ("/api/v1/currency-rates/", lambda o: {"currency": "JPY", "date": "2025-03-01", "rate": "1.5"}, "currency"),
        ("/api/v1/price-lists/", lambda o: {"name": "L", "currency": "JPY"}, "currency"),
        (
            "/api/v1/price-lists/",
            lambda o: {"name": "L", "currency": "EUR", "items": [{"product": o["product"].pk, "price": "1"}]},
            "items",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_master_data_refuses_another_companys_rows_as_foreign_keys(api_as, other_world, url, body, field):
    client = api_as("admin")
    before = len(client.get(url, {"page_size": 200}).json()["results"])
    response = client.post(url, body(other_world), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["details"], response.json()
    assert len(client.get(url, {"page_size": 200}).json()["results"]) == before


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["OTHER", "NOPE"])
def test_x_company_of_a_company_you_do_not_belong_to_is_403(api_as, users, other_world, code):
    client = api_as("admin")
    for url in ("/api/v1/customers/", "/api/v1/products/", "/api/v1/users/"):
        response = client.get(url, HTTP_X_COMPANY=code)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"
    response = client.post("/api/v1/regions/", {"name": "Sneaky"}, format="json", HTTP_X_COMPANY=code)
    assert response.status_code == 403
    assert not _region_named(other_world["company"], "Sneaky")
    assert not _region_named(users["admin"].default_company, "Sneaky")


def _region_named(company, name) -> bool:
    from salesdesk.accounts.models import Region

    return Region.objects.filter(company=company, name=name).exists()


@pytest.mark.django_db
def test_x_company_switches_for_a_member_of_both(api_as, users, other_world):
    """Positive control: with a membership in OTHER, the header selects it, and only it."""
    accounts_services.membership_set(company=other_world["company"], actor=None, user=users["accountant"], roles=[roles.ACCOUNTANT])
    client = api_as("accountant")
    theirs = {row["code"] for row in client.get("/api/v1/customers/", HTTP_X_COMPANY="OTHER").json()["results"]}
    ours = {row["code"] for row in client.get("/api/v1/customers/").json()["results"]}
    assert theirs == {"O001"}
    assert "O001" not in ours
