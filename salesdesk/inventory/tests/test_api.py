"""Warehouses and stock through the API: stock adjustments (receipts and counts), levels and moves.

Quantities for everyone who reads stock; values and unit costs only for those allowed to see costs."""

from decimal import Decimal as D

import pytest

from salesdesk.catalog.models import Product, Unit
from salesdesk.core.audit import history
from salesdesk.inventory.models import StockAdjustment, StockLevel, StockMove, Warehouse


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


# --- stock: receipts and adjustments, levels, moves ---------------------------------------

ADJUSTMENTS = "/api/v1/stock-adjustments/"


@pytest.fixture
def main(company):
    return Warehouse.objects.create(company=company, code="MAIN", name="Main")


def adjust(client, warehouse, lines, kind="adjustment", reason="count", **headers):
    body = {"kind": kind, "warehouse": warehouse.pk, "reason": reason, "lines": lines}
    return client.post(ADJUSTMENTS, body, format="json", **headers)


def level_of(product):
    level = StockLevel.objects.get(product=product)
    return level.on_hand, level.reserved, level.available, level.value


def test_a_clerk_receives_goods_and_sees_quantities_but_no_cost(api_as, main, product):
    clerk = api_as("warehouse")
    response = adjust(clerk, main, [{"product": product.pk, "quantity": "10", "unit_cost": "5.5"}], kind="receipt", reason="PO 17")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("REC-") and (body["kind"], body["warehouse"], body["reason"]) == ("receipt", main.pk, "PO 17")
    assert body["lines"] == [{"id": body["lines"][0]["id"], "product": product.pk, "quantity": "10.00"}]
    assert level_of(product) == (D("10"), D("0"), D("10"), D("55.00"))
    seen = api_as("accountant").get(f"{ADJUSTMENTS}{body['id']}/").json()
    assert (seen["lines"][0]["unit_cost"], seen["lines"][0]["value"]) == ("5.50", "55.00")


def test_a_count_takes_stock_out_at_average_cost(api_as, main, product):
    clerk = api_as("warehouse")
    assert adjust(clerk, main, [{"product": product.pk, "quantity": "4", "unit_cost": "5"}], kind="receipt").status_code == 201
    response = adjust(clerk, main, [{"product": product.pk, "quantity": "-1"}], reason="broken in the aisle")
    assert response.status_code == 201, response.content
    assert response.json()["number"].startswith("ADJ-")
    assert level_of(product) == (D("3"), D("0"), D("3"), D("15.00"))


def test_taking_out_more_than_is_on_hand_is_insufficient_stock_and_saves_nothing(api_as, main, product):
    clerk = api_as("warehouse")
    adjust(clerk, main, [{"product": product.pk, "quantity": "2"}], kind="receipt")
    before = level_of(product), StockMove.objects.count(), StockAdjustment.objects.count()
    response = adjust(clerk, main, [{"product": product.pk, "quantity": "-3"}])
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_stock")
    assert (level_of(product), StockMove.objects.count(), StockAdjustment.objects.count()) == before


@pytest.mark.parametrize(
    ("lines", "extra", "field"),
    [
        ([{"quantity": "-1"}], {"kind": "receipt"}, "lines"),
        ([{"quantity": "0"}], {}, "lines"),
        ([{"quantity": "1", "unit_cost": "-1"}], {}, "lines"),
        ([{"quantity": "99999999", "unit_cost": "9999999999"}], {}, "lines"),
        ([{"quantity": "1.00001"}], {}, "lines"),
        ([], {}, "lines"),
        ([{"quantity": "1"}], {"kind": "theft"}, "kind"),
        ([{"quantity": "1"}], {"reason": ""}, "reason"),
        ([{"quantity": "1"}], {"warehouse": 999999}, "warehouse"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_saves_nothing(api_as, main, product, lines, extra, field):
    body = {"kind": "adjustment", "warehouse": main.pk, "reason": "count", "lines": [{"product": product.pk, **line} for line in lines]}
    response = api_as("warehouse").post(ADJUSTMENTS, {**body, **extra}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid"), response.content
    assert field in response.json()["details"]
    assert not StockMove.objects.exists() and not StockAdjustment.objects.exists()


def test_services_are_not_stocked(api_as, main, company, unit_pc):
    service = Product.objects.create(company=company, sku="SRV", name="Install", unit=unit_pc, kind=Product.Kind.SERVICE)
    response = adjust(api_as("warehouse"), main, [{"product": service.pk, "quantity": "1"}], kind="receipt")
    assert (response.status_code, response.json()["details"]) == (400, {"lines": [{"product": ["Services are not stocked."]}]})


def test_a_retried_receipt_with_the_same_idempotency_key_counts_once(api_as, main, product):
    clerk = api_as("warehouse")
    lines = [{"product": product.pk, "quantity": "3"}]
    first = adjust(clerk, main, lines, kind="receipt", HTTP_IDEMPOTENCY_KEY="rec-1")
    again = adjust(clerk, main, lines, kind="receipt", HTTP_IDEMPOTENCY_KEY="rec-1")
    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
    assert level_of(product)[0] == D("3")


@pytest.mark.parametrize("username", ["sales", "manager", "accountant"])
def test_only_the_warehouse_and_the_administrator_adjust_stock(api_as, main, product, username):
    response = adjust(api_as(username), main, [{"product": product.pk, "quantity": "1"}], kind="receipt")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert api_as(username).get(ADJUSTMENTS).status_code == 200
    assert adjust(api_as("admin"), main, [{"product": product.pk, "quantity": "1"}], kind="receipt").status_code == 201


def test_stock_levels_show_value_only_to_those_who_see_costs_and_filter_by_product_and_warehouse(api_as, main, company, product):
    other = Warehouse.objects.create(company=company, code="SEC", name="Second")
    clerk = api_as("warehouse")
    adjust(clerk, main, [{"product": product.pk, "quantity": "4", "unit_cost": "6"}], kind="receipt")
    adjust(clerk, other, [{"product": product.pk, "quantity": "1", "unit_cost": "6"}], kind="receipt")
    rows = clerk.get("/api/v1/stock-levels/", {"warehouse": main.pk}).json()["results"]
    assert [{k: v for k, v in row.items() if k != "id"} for row in rows] == [
        {"product": product.pk, "warehouse": main.pk, "on_hand": "4.00", "reserved": "0.00", "available": "4.00"}
    ]
    for username in ("sales", "manager", "accountant", "admin"):
        values = [row["value"] for row in api_as(username).get("/api/v1/stock-levels/", {"product": product.pk}).json()["results"]]
        assert values == ["24.00", "6.00"], username
    refused = clerk.get("/api/v1/stock-levels/", {"product": 999999})
    assert refused.status_code == 400 and "product" in refused.json()["details"]


def test_stock_moves_show_cost_only_to_those_who_see_costs(api_as, main, product):
    clerk = api_as("warehouse")
    adjust(clerk, main, [{"product": product.pk, "quantity": "4", "unit_cost": "6"}], kind="receipt", reason="PO 1")
    adjust(clerk, main, [{"product": product.pk, "quantity": "-1"}], reason="dropped")
    rows = clerk.get("/api/v1/stock-moves/", {"product": product.pk}).json()["results"]
    assert [(row["kind"], row["quantity"], row["reason"]) for row in rows] == [
        ("adjustment", "-1.00", "dropped"),
        ("receipt", "4.00", "PO 1"),
    ]
    assert not {"unit_cost", "value"} & {key for row in rows for key in row}
    seen = api_as("accountant").get("/api/v1/stock-moves/", {"kind": "adjustment"}).json()["results"]
    assert [(row["unit_cost"], row["value"]) for row in seen] == [("6.00", "-6.00")]


def test_another_companys_stock_is_not_seen(admin_api, other_company):
    theirs = Warehouse.objects.create(company=other_company, code="NYC", name="New York")
    unit = Unit.objects.get(company=other_company, code="pc")
    their_product = Product.objects.create(company=other_company, sku="O", name="Theirs", unit=unit)
    StockLevel.objects.create(company=other_company, product=their_product, warehouse=theirs, on_hand=D("1"), available=D("1"))
    assert admin_api.get("/api/v1/stock-levels/").json()["results"] == []
    assert admin_api.get("/api/v1/stock-levels/", {"warehouse": theirs.pk}).status_code == 400


@pytest.mark.parametrize("count", [2, 8])
def test_stock_lists_cost_a_fixed_number_of_queries(api_as, main, company, unit_pc, count, django_assert_max_num_queries):
    clerk = api_as("warehouse")
    for i in range(count):
        item = Product.objects.create(company=company, sku=f"S{i}", name=f"Stocked {i}", unit=unit_pc, cost=D("2"))
        adjust(clerk, main, [{"product": item.pk, "quantity": "2"}, {"product": item.pk, "quantity": "1"}], kind="receipt")
    for username in ("warehouse", "accountant"):
        client = api_as(username)
        for url, rows, queries in (("/api/v1/stock-levels/", count, 4), ("/api/v1/stock-moves/", 2 * count, 4), (ADJUSTMENTS, count, 5)):
            with django_assert_max_num_queries(queries, info=f"{username} {url}"):
                assert len(client.get(url, {"page_size": 50}).json()["results"]) == rows
