"""Role × endpoint matrix: every role against every resource operation, checked against the
documented role table (`salesdesk.accounts.roles.GRANTS`).

The expectation is computed from GRANTS alone (not from the permission groups or the
permission class), so the sync into groups, the membership lookup and the views' permission
names are all under test. Resources come from the API router, so a new resource joins the
matrix by being routed: with a known payload (`PAYLOADS`) an allowed write must succeed; without
one an allowed write must at least get past the permission check.

Each role runs in one test that collects every mismatch, so a failure shows the whole table
of what is wrong.
"""

from dataclasses import dataclass

import pytest

from salesdesk.accounts import roles

ROLE_USERS = {
    roles.ADMINISTRATOR: "admin",
    roles.SALES_MANAGER: "manager",
    roles.SALESPERSON: "sales",
    roles.WAREHOUSE_CLERK: "warehouse",
    roles.ACCOUNTANT: "accountant",
}
_VERB = {"get": "view", "head": "view", "options": "view", "post": "add", "put": "change", "patch": "change", "delete": "delete"}
_STANDARD = {"list": ("get", "view"), "retrieve": ("get", "view"), "create": ("post", "add"), "partial_update": ("patch", "change")}


def granted(role: str, app_label: str, model: str, action: str) -> bool:
    """What the documented table says: may `role` do `action` (view/add/change/delete) on the model?"""
    if action in roles.WRITES and (app_label, model) in roles.READ_ONLY_MODELS:
        return False
    if (app_label, model) in roles.HIDDEN_FROM.get(role, set()):
        return False
    return any(app == app_label and m in ("*", model) and action in actions for app, m, actions in roles.GRANTS.get(role, []))


def _perm_of(viewset, action: str, method: str) -> tuple[str, str, str]:
    """(app_label, model, action) a view action needs: its `action_perms` entry or the model permission."""
    explicit = getattr(viewset, "action_perms", {}).get(action)
    if explicit:
        app_label, codename = explicit.split(".", 1)
        verb, model = codename.split("_", 1)
        return app_label, model, verb
    model = getattr(getattr(viewset, "queryset", None), "model", None) or viewset.perm_model
    return model._meta.app_label, model._meta.model_name, _VERB[method]


@dataclass(frozen=True)
class Resource:
    prefix: str
    viewset: type
    lookup: str

    @property
    def url(self) -> str:
        return f"/api/v1/{self.prefix}/"

    def item_url(self, key) -> str:
        return f"/api/v1/{self.prefix}/{key}/"

    def supports(self, action: str) -> bool:
        return hasattr(self.viewset, action)


def api_resources() -> list[Resource]:
    from config.api import router

    return [Resource(prefix, viewset, getattr(viewset, "lookup_field", "pk")) for prefix, viewset, _ in router.registry]


def _pk(obj):
    return getattr(obj, "pk", None)


# Valid bodies for a role's create (made unique by `tag`) and a harmless change for update.
def _payloads(data, tag: str) -> dict[str, tuple[dict, dict]]:
    users = data["users"]
    product, order = data.get("product"), data.get("goods_order")
    return {
        "regions": ({"name": f"Region {tag}"}, {"parent": None}),
        "sales-teams": ({"name": f"Team {tag}", "region": _pk(data["region"])}, {"region": _pk(data["region"])}),
        "customers": (
            {"code": f"N{tag}", "name": f"New customer {tag}", "salesperson": _pk(users["sales"])},
            {"phone": "+34 600 000 000"},
        ),
        "customer-contacts": ({"customer": _pk(data["customer"]), "name": f"Contact {tag}"}, {"job_title": "Buyer"}),
        "customer-groups": ({"name": f"Group {tag}"}, {"name": "Wholesale"}),
        "payment-terms": ({"name": f"Term {tag}", "lines": [{"percent": "100", "days": 15}]}, {"name": "30/60"}),
        "products": ({"sku": f"SKU-{tag}", "name": f"Product {tag}", "unit": "pc", "list_price": "5.00"}, {"name": "Widget"}),
        "product-categories": ({"name": f"Category {tag}"}, {"name": "Hardware"}),
        "units": ({"code": f"u{tag}".lower()[:8], "name": f"Unit {tag}"}, {"name": "Hour"}),
        "taxes": ({"name": f"Tax {tag}", "rate": "4.00"}, {"included_in_price": False}),
        "currencies": ({"code": "GBP", "name": "Pound Sterling", "decimal_places": 2}, {"decimal_places": 2}),
        "currency-rates": ({"currency": "USD", "date": "2025-02-01", "rate": "1.1000"}, {"rate": "1.0900"}),
        "price-lists": ({"name": f"List {tag}", "currency": "EUR"}, {"name": "Retail"}),
        "warehouses": ({"code": f"W{tag}"[:16], "name": f"Warehouse {tag}"}, {"name": "Main"}),
        "stock-adjustments": (
            {"warehouse": _pk(data.get("warehouse")), "reason": f"Count {tag}", "lines": [{"product": _pk(product), "quantity": "1"}]},
            {},
        ),
        # The goods order has 1 outstanding and not on a delivery yet; the delivered delivery has 1 more returnable.
        "deliveries": (
            {"sales_order": _pk(order), "lines": [{"order_line": _outstanding_line(order), "quantity": "1"}]},
            {"carrier": "DHL"},
        ),
        "returns": (
            {
                "customer": _pk(data["customer"]),
                "delivery": _pk(data.get("delivered")),
                "lines": [{"product": _pk(product), "quantity": "1"}],
            },
            {},
        ),
        "disputes": ({"invoice": _pk(data.get("invoice")), "amount": "1.00", "reason": "quantity"}, {}),
    }


def _outstanding_line(order):
    return order.lines.get().pk if order is not None else None


def _first_key(client, resource: Resource):
    response = client.get(resource.url, {"page_size": 1})
    assert response.status_code == 200, (resource.url, response.status_code)
    rows = response.json()["results"]
    return rows[0][resource.lookup if resource.lookup != "pk" else "id"] if rows else 0


def _check(mismatches: list[str], label: str, allowed: bool, response, success: set[int] | None) -> None:
    status = response.status_code
    if status >= 500:
        mismatches.append(f"{label}: server error {status}")
    elif not allowed and status != 403:
        mismatches.append(f"{label}: expected 403 (not in the role table), got {status}")
    elif allowed and success is not None and status not in success:
        mismatches.append(f"{label}: expected {sorted(success)} (allowed by the role table), got {status} {response.content[:200]!r}")
    elif allowed and status == 403:
        mismatches.append(f"{label}: expected past the permission check (allowed by the role table), got 403")


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_role_gets_what_the_role_table_documents_on_every_resource(role, matrix_data, api_as):
    client = api_as(ROLE_USERS[role])
    admin = api_as("admin")
    payloads = _payloads(matrix_data, tag=role[:3].upper())
    mismatches: list[str] = []
    for resource in api_resources():
        key = _first_key(admin, resource)
        create_body, update_body = payloads.get(resource.prefix, ({}, {}))
        known = resource.prefix in payloads

        def expect(action, method, response, success, _resource=resource):
            app_label, model, verb = _perm_of(_resource.viewset, action, method)
            _check(
                mismatches,
                f"{role} {method.upper()} {_resource.prefix} ({action})",
                granted(role, app_label, model, verb),
                response,
                success,
            )

        if resource.supports("list"):
            expect("list", "get", client.get(resource.url), {200})
        if resource.supports("retrieve"):
            expect("retrieve", "get", client.get(resource.item_url(key)), {200})
        if resource.supports("partial_update"):
            expect("partial_update", "patch", client.patch(resource.item_url(key), update_body, format="json"), {200} if known else None)
        for extra in resource.viewset.get_extra_actions():
            for method in extra.mapping:
                url = resource.item_url(key) + extra.url_path + "/" if extra.detail else resource.url + extra.url_path + "/"
                response = getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)
                expect(extra.__name__, method, response, {200} if resource.prefix == "customers" else None)
        created = None
        if resource.supports("create"):
            response = client.post(resource.url, create_body, format="json")
            expect("create", "post", response, {201} if known else None)
            if response.status_code == 201:
                created = response.json().get(resource.lookup if resource.lookup != "pk" else "id")
        if resource.supports("destroy"):
            target = created if created is not None else key
            expect("destroy", "delete", client.delete(resource.item_url(target)), {204} if created is not None else None)
    assert not mismatches, "role matrix mismatches:\n" + "\n".join(mismatches)


def test_the_payload_table_names_only_routed_resources():
    """Resources without a payload still run in the matrix (allowed writes must pass the permission
    check); a payload for a resource that is no longer routed is a stale entry."""
    routed = {r.prefix for r in api_resources()}
    assert routed, "no API resources found"
    assert set(_payloads({"users": {"sales": None}, "region": None, "customer": None}, "X").keys()) <= routed


# The documented expectations, spelled out.


@pytest.mark.django_db
def test_salesperson_cannot_create_products(api_as, matrix_data):
    response = api_as("sales").post("/api/v1/products/", {"sku": "X-1", "name": "X", "unit": "pc"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_warehouse_clerk_cannot_edit_customers(api_as, matrix_data):
    customer = matrix_data["customer"]
    client = api_as("warehouse")
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert client.patch(f"/api/v1/customers/{customer.pk}/", {"phone": "1"}, format="json").status_code == 403
    assert client.post(f"/api/v1/customers/{customer.pk}/block/", {}, format="json").status_code == 403
    assert client.post("/api/v1/customers/", {"code": "W1", "name": "W"}, format="json").status_code == 403


@pytest.mark.django_db
def test_accountant_can_change_taxes_and_payment_terms(api_as, matrix_data, vat21):
    client = api_as("accountant")
    assert client.patch(f"/api/v1/taxes/{vat21.pk}/", {"name": "VAT 21 %"}, format="json").status_code == 200
    assert client.post("/api/v1/taxes/", {"name": "VAT 10%", "rate": "10.00"}, format="json").status_code == 201
    term = matrix_data["payment_term"]
    assert client.patch(f"/api/v1/payment-terms/{term.pk}/", {"lines": [{"percent": "100", "days": 45}]}, format="json").status_code == 200
    assert (
        client.post("/api/v1/payment-terms/", {"name": "Cash", "lines": [{"percent": "100", "days": 0}]}, format="json").status_code == 201
    )


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["manager", "sales", "warehouse", "accountant"])
def test_only_the_administrator_can_delete_a_region(api_as, matrix_data, username):
    region = matrix_data["region"]
    assert api_as(username).delete(f"/api/v1/regions/{region.pk}/").status_code == 403
    assert api_as("admin").delete(f"/api/v1/regions/{region.pk}/").status_code == 204


MASTER_DATA = ["products", "product-categories", "units", "taxes", "currencies", "currency-rates", "price-lists", "customer-groups"]
MASTER_DATA += ["payment-terms", "regions", "sales-teams", "warehouses", "users"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", list(ROLE_USERS.values()))
def test_everyone_can_read_master_data(api_as, matrix_data, username):
    client = api_as(username)
    # Price lists are prices: the warehouse does not read them.
    for prefix in [p for p in MASTER_DATA if not (username == "warehouse" and p == "price-lists")]:
        response = client.get(f"/api/v1/{prefix}/")
        assert response.status_code == 200, (prefix, response.status_code)
        assert response.json()["results"], f"{username} sees no {prefix}"


@pytest.mark.django_db
def test_salesperson_gets_404_on_another_salespersons_customer(api_as, matrix_data, customer_of):
    others = customer_of("sales3", "S300")
    client = api_as("sales")
    url = f"/api/v1/customers/{others.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"phone": "1"}, format="json").status_code == 404
    for action in ("activate", "block"):
        assert client.post(f"{url}{action}/", {}, format="json").status_code == 404
    assert client.get(f"{url}credit/").status_code == 404
    admin_contact = api_as("admin").post("/api/v1/customer-contacts/", {"customer": others.pk, "name": "Hidden"}, format="json")
    assert admin_contact.status_code == 201
    assert client.get(f"/api/v1/customer-contacts/{admin_contact.json()['id']}/").status_code == 404
    assert client.post("/api/v1/customer-contacts/", {"customer": others.pk, "name": "Sneaky"}, format="json").status_code == 400
    assert others.pk not in {row["id"] for row in client.get("/api/v1/customers/").json()["results"]}
    # Writes outside the role: refused before the record is even looked up.
    assert client.delete(url).status_code in {403, 404}
    others.refresh_from_db()
    assert others.status == "prospect" and others.phone == ""


@pytest.mark.django_db
def test_manager_sees_the_teams_customers_but_not_other_teams(api_as, matrix_data, customer_of):
    south = customer_of("sales3", "S301")
    client = api_as("manager")
    assert client.get(f"/api/v1/customers/{matrix_data['customer'].pk}/").status_code == 200
    assert client.get(f"/api/v1/customers/{south.pk}/").status_code == 404


# Goods: the warehouse works deliveries, returns and stock without seeing prices, orders or invoices;
# sellers see their own customers' goods documents only.

COST_KEYS = {"value", "unit_cost", "cost", "cost_amount"}


def _cost_keys(value) -> set[str]:
    if isinstance(value, dict):
        return (COST_KEYS & set(value)) | {k for v in value.values() for k in _cost_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _cost_keys(v)}
    return set()


@pytest.mark.django_db
def test_warehouse_clerk_works_goods_without_prices_orders_or_invoices(api_as, matrix_data):
    client = api_as("warehouse")
    for prefix in ("deliveries", "returns", "stock-levels", "stock-moves", "stock-adjustments"):
        response = client.get(f"/api/v1/{prefix}/")
        assert response.status_code == 200, prefix
        assert response.json()["results"], prefix
        assert not _cost_keys(response.json()), prefix
    for prefix in ("sales-orders", "quotations", "invoices", "payments", "disputes"):
        assert client.get(f"/api/v1/{prefix}/").status_code == 403, prefix
    draft = matrix_data["draft_delivery"]
    picked = client.post(f"/api/v1/deliveries/{draft.pk}/pick/", {}, format="json")
    assert picked.status_code == 200 and picked.json()["status"] == "picked" and not _cost_keys(picked.json())
    shipped = matrix_data["shipped"]
    detail = client.get(f"/api/v1/deliveries/{shipped.pk}/").json()
    assert detail["lines"] and not _cost_keys(detail)
    refused = client.post(f"/api/v1/deliveries/{shipped.pk}/refuse/", {"reason": "Not ordered"}, format="json")
    assert refused.status_code == 200 and refused.json()["status"] == "refused" and not _cost_keys(refused.json())
    # The same reads show costs to those allowed to see margins.
    assert "value" in api_as("accountant").get("/api/v1/stock-levels/").json()["results"][0]
    assert "cost" in api_as("sales").get(f"/api/v1/deliveries/{shipped.pk}/").json()["lines"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "refuse", "credit"),
    [("admin", True, True), ("warehouse", True, False), ("accountant", False, True), ("manager", False, False), ("sales", False, False)],
)
def test_refusing_a_delivery_and_crediting_a_return_follow_the_role_table(api_as, matrix_data, username, refuse, credit):
    client = api_as(username)
    response = client.post(f"/api/v1/deliveries/{matrix_data['shipped'].pk}/refuse/", {"reason": "Wrong goods"}, format="json")
    assert response.status_code == (200 if refuse else 403), response.content
    # The return is only requested: past the permission check, crediting it is refused as a transition.
    response = client.post(f"/api/v1/returns/{matrix_data['return'].pk}/credit/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == ((409, "invalid_transition") if credit else (403, "permission_denied"))


@pytest.fixture
def south_goods(matrix_data, customer_of):
    """A delivery and a return of a customer of `sales3` (team South)."""
    from decimal import Decimal

    from salesdesk.fulfilment import services as fulfilment
    from salesdesk.sales import services as sales_services

    admin, company, product = matrix_data["users"]["admin"], matrix_data["company"], matrix_data["product"]
    membership = admin.memberships.get(company=company)
    south = customer_of("sales3", "S400")
    order = sales_services.order_create(
        company=company, actor=admin, membership=membership, customer=south, lines=[{"product": product, "quantity": Decimal("2")}]
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=membership)
    delivery = fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=membership), actor=admin)
    returned = fulfilment.return_create(
        company=company,
        actor=admin,
        membership=membership,
        customer=south,
        delivery=delivery,
        lines=[{"product": product, "quantity": Decimal("1")}],
    )
    return {"customer": south, "order": order, "delivery": delivery, "return": returned}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sales", "manager"])
def test_sellers_see_their_customers_deliveries_and_returns_only(api_as, matrix_data, south_goods, username):
    client = api_as(username)
    own_delivery, own_return = matrix_data["shipped"], matrix_data["return"]
    theirs_delivery, theirs_return = south_goods["delivery"], south_goods["return"]
    deliveries = {row["id"] for row in client.get("/api/v1/deliveries/", {"page_size": 200}).json()["results"]}
    returns = {row["id"] for row in client.get("/api/v1/returns/", {"page_size": 200}).json()["results"]}
    assert own_delivery.pk in deliveries and theirs_delivery.pk not in deliveries
    assert own_return.pk in returns and theirs_return.pk not in returns
    assert client.get(f"/api/v1/deliveries/{own_delivery.pk}/").status_code == 200
    for url in (f"/api/v1/deliveries/{theirs_delivery.pk}/", f"/api/v1/returns/{theirs_return.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/api/v1/deliveries/{theirs_delivery.pk}/pdf/").status_code == 404
    for action in ("approve", "receive"):
        assert client.post(f"/api/v1/returns/{theirs_return.pk}/{action}/", {}, format="json").status_code in {403, 404}
    # A return for another seller's customer names a customer the seller cannot see.
    body = {
        "customer": south_goods["customer"].pk,
        "delivery": theirs_delivery.pk,
        "lines": [{"product": matrix_data["product"].pk, "quantity": "1"}],
    }
    refused = client.post("/api/v1/returns/", body, format="json")
    assert refused.status_code == 400 and {"customer", "delivery"} <= set(refused.json()["details"])
    theirs_return.refresh_from_db()
    assert theirs_return.status == "requested"
    assert api_as("admin").get(f"/api/v1/returns/{theirs_return.pk}/").status_code == 200
