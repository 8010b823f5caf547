"""Deliveries through the API: drafting from an order, pick, ship, deliver, cancel, refusal at the door, the
delivery note, invoices of a delivery. Each action's allowed and refused case (refused ones leave nothing
behind), bad input naming the field, costs hidden from the warehouse, idempotent creation and query counts."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from salesdesk.fulfilment.models import Delivery
from salesdesk.fulfilment.tests.api_checks import has_costs, ok, post, refused, stock
from salesdesk.inventory.models import StockMove

pytestmark = pytest.mark.django_db

DELIVERIES = "/api/v1/deliveries/"


def url(delivery_id, action=None):
    return f"{DELIVERIES}{delivery_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def clerk(api_as):
    return api_as("warehouse")


@pytest.fixture
def order(goods):
    """5 chairs in stock at 60.00; an order for 3."""
    goods["receive"]("5", "60")
    return goods["order"]("3")


def line_of(order):
    return order.lines.get().pk


# --- drafting -----------------------------------------------------------------------------


def test_a_clerk_drafts_everything_outstanding_and_sees_no_cost(clerk, order, chair):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk, "carrier": "DHL"}), 201)
    today = timezone.localdate()
    assert made["number"] == f"DL-{today.year}-00001"
    assert (made["status"], made["customer"], made["sales_order"], made["date"]) == (
        "draft",
        order.customer_id,
        order.pk,
        today.isoformat(),
    )
    assert (made["carrier"], made["shipping_address"]) == ("DHL", "1 Dock Road")
    assert [{k: line[k] for k in ("order_line", "product", "description", "quantity")} for line in made["lines"]] == [
        {"order_line": line_of(order), "product": chair.pk, "description": "Chair", "quantity": "3.00"}
    ]
    assert not has_costs(made)


def test_chosen_quantities_are_drafted_and_the_rest_stays_outstanding(clerk, order):
    first = ok(post(clerk, DELIVERIES, {"sales_order": order.pk, "lines": [{"order_line": line_of(order), "quantity": "1.5"}]}), 201)
    assert first["lines"][0]["quantity"] == "1.50"
    rest = ok(post(clerk, DELIVERIES, {"sales_order": order.pk, "shipping_address": "Gate 4"}), 201)
    assert (rest["lines"][0]["quantity"], rest["shipping_address"]) == ("1.50", "Gate 4")
    refused(post(clerk, DELIVERIES, {"sales_order": order.pk}), 409, "nothing_to_deliver")
    assert Delivery.objects.count() == 2


def test_more_than_outstanding_is_over_delivery_and_saves_nothing(clerk, order):
    body = refused(
        post(clerk, DELIVERIES, {"sales_order": order.pk, "lines": [{"order_line": line_of(order), "quantity": "3.5"}]}),
        409,
        "over_delivery",
    )
    assert body["details"] == {"order_line": line_of(order), "quantity": "3.5000", "outstanding": "3.0000"}
    assert not Delivery.objects.exists()


def test_a_draft_order_is_not_delivered(clerk, goods, company, chair):
    from salesdesk.sales import services as sales_services

    draft = sales_services.order_create(
        company=company,
        actor=goods["admin"],
        membership=goods["membership"],
        customer=goods["customer"],
        lines=[{"product": chair, "quantity": D("1")}],
    )
    refused(post(clerk, DELIVERIES, {"sales_order": draft.pk}), 409, "invalid_transition")
    assert not Delivery.objects.exists()


BAD_BODIES = {
    "no order": (lambda order, line: {}, "sales_order"),
    "unknown order": (lambda order, line: {"sales_order": 999999}, "sales_order"),
    "order not an id": (lambda order, line: {"sales_order": "x"}, "sales_order"),
    "unknown line": (lambda order, line: {"sales_order": order, "lines": [{"order_line": 999999, "quantity": "1"}]}, "lines"),
    "line not an id": (lambda order, line: {"sales_order": order, "lines": [{"order_line": "L", "quantity": "1"}]}, "lines"),
    "negative quantity": (lambda order, line: {"sales_order": order, "lines": [{"order_line": line, "quantity": "-1"}]}, "lines"),
    "five decimals": (lambda order, line: {"sales_order": order, "lines": [{"order_line": line, "quantity": "0.00001"}]}, "lines"),
    "no lines": (lambda order, line: {"sales_order": order, "lines": []}, "lines"),
    "lines not a list": (lambda order, line: {"sales_order": order, "lines": "all"}, "lines"),
    "long carrier": (lambda order, line: {"sales_order": order, "carrier": "x" * 101}, "carrier"),
    "no such date": (lambda order, line: {"sales_order": order, "date": "2026-02-30"}, "date"),
    "NUL in notes": (lambda order, line: {"sales_order": order, "notes": "a\x00b"}, "notes"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_input_is_400_naming_the_field_and_saves_nothing(clerk, order, case):
    make, field = BAD_BODIES[case]
    answer = refused(post(clerk, DELIVERIES, make(order.pk, line_of(order))), 400, "invalid")
    assert field in answer["details"], answer
    assert not Delivery.objects.exists()


def test_a_line_of_another_order_is_refused_on_the_line(clerk, order, goods):
    other = goods["order"]("1")
    answer = refused(
        post(clerk, DELIVERIES, {"sales_order": order.pk, "lines": [{"order_line": line_of(other), "quantity": "1"}]}), 400, "invalid"
    )
    assert answer["details"] == {"lines": [{"order_line": ["Not a line of this order."]}]}


def test_only_roles_that_deliver_may_draft(api_as, order):
    for username in ("sales", "manager", "accountant"):
        refused(post(api_as(username), DELIVERIES, {"sales_order": order.pk}), 403, "permission_denied")
    assert not Delivery.objects.exists()


def test_a_retried_creation_with_the_same_idempotency_key_makes_one_delivery(clerk, order):
    first = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}, HTTP_IDEMPOTENCY_KEY="dl-1"), 201)
    again = post(clerk, DELIVERIES, {"sales_order": order.pk}, HTTP_IDEMPOTENCY_KEY="dl-1")
    assert (again.status_code, again.json()["id"], again["Idempotent-Replay"]) == (201, first["id"], "true")
    refused(
        post(clerk, DELIVERIES, {"sales_order": order.pk, "notes": "other"}, HTTP_IDEMPOTENCY_KEY="dl-1"), 409, "idempotency_key_reused"
    )
    assert Delivery.objects.count() == 1


# --- pick, ship, deliver, cancel ----------------------------------------------------------


def test_pick_ship_and_deliver_move_the_goods_and_their_cost(clerk, api_as, order, chair):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    picked = ok(post(clerk, url(made["id"], "pick")))
    assert picked["status"] == "picked" and picked["picked_at"]
    shipped = ok(post(clerk, url(made["id"], "ship")))
    assert shipped["status"] == "shipped" and shipped["shipped_at"] and not has_costs(shipped)
    assert stock(chair) == (D("2"), D("0"), D("2"), D("120.00"))
    order.refresh_from_db()
    assert order.delivery_state == "delivered"
    seen_by_accountant = ok(api_as("accountant").get(url(made["id"])))
    assert (seen_by_accountant["cost_amount"], seen_by_accountant["lines"][0]["cost"]) == ("180.00", "180.00")
    delivered = ok(post(clerk, url(made["id"], "deliver"), {"note": "signed by Ann"}))
    assert delivered["status"] == "delivered" and delivered["delivered_at"]


@pytest.mark.parametrize(
    ("steps", "refused_action"),
    [([], "deliver"), (["pick"], "pick"), (["ship"], "cancel"), (["ship"], "pick"), (["cancel"], "ship"), (["ship", "deliver"], "deliver")],
)
def test_a_refused_transition_changes_nothing(clerk, order, chair, steps, refused_action):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    for step in steps:
        ok(post(clerk, url(made["id"], step)))
    before = ok(clerk.get(url(made["id"]))), stock(chair), StockMove.objects.count()
    refused(post(clerk, url(made["id"], refused_action)), 409, "invalid_transition")
    assert (ok(clerk.get(url(made["id"]))), stock(chair), StockMove.objects.count()) == before


def test_shipping_short_of_stock_is_insufficient_stock_and_ships_nothing(clerk, goods, chair):
    goods["receive"]("1", "60")
    order = goods["order"]("3")
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    before = stock(chair), StockMove.objects.count()
    refused(post(clerk, url(made["id"], "ship")), 409, "insufficient_stock")
    assert ok(clerk.get(url(made["id"])))["status"] == "draft"
    assert (stock(chair), StockMove.objects.count()) == before
    order.refresh_from_db()
    assert order.lines.get().delivered_quantity == 0


def test_a_cancelled_delivery_gives_its_quantities_back_to_the_order(clerk, order):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    assert ok(post(clerk, url(made["id"], "cancel"), {"reason": "truck broke down"}))["status"] == "cancelled"
    again = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    assert again["lines"][0]["quantity"] == "3.00"


# --- changes ------------------------------------------------------------------------------


def test_carrier_tracking_and_notes_change_until_the_delivery_is_closed(clerk, api_as, order):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    changed = ok(clerk.patch(url(made["id"]), {"date": "2030-01-02", "carrier": "UPS"}, format="json"))
    assert (changed["date"], changed["carrier"]) == ("2030-01-02", "UPS")
    ok(post(clerk, url(made["id"], "ship")))
    tracked = ok(clerk.patch(url(made["id"]), {"tracking_number": "1Z999", "notes": "fragile"}, format="json"))
    assert (tracked["tracking_number"], tracked["notes"], tracked["carrier"]) == ("1Z999", "fragile", "UPS")
    refused(clerk.patch(url(made["id"]), {"date": "2030-02-01"}, format="json"), 409, "invalid_transition")
    refused(api_as("sales").patch(url(made["id"]), {"carrier": "X"}, format="json"), 403, "permission_denied")
    assert ok(clerk.get(url(made["id"])))["date"] == "2030-01-02"


# --- refusal at the door (billing's action) -----------------------------------------------


def test_a_shipped_delivery_not_yet_billed_is_refused_without_a_credit_note(clerk, order, chair):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    ok(post(clerk, url(made["id"], "ship")))
    refused(post(clerk, url(made["id"], "refuse"), {"reason": ""}), 400, "invalid")
    answer = ok(post(clerk, url(made["id"], "refuse"), {"reason": "wrong colour"}))
    assert (answer["status"], answer["refusal_reason"], answer["credit_notes"]) == ("refused", "wrong colour", [])
    assert not has_costs(answer)
    assert stock(chair) == (D("5"), D("3"), D("2"), D("300.00"))
    order.refresh_from_db()
    assert (order.delivery_state, order.lines.get().delivered_quantity) == ("none", D("0"))


def test_only_a_shipped_delivery_is_refused(clerk, order, chair):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    refused(post(clerk, url(made["id"], "refuse"), {"reason": "not wanted"}), 409, "invalid_transition")
    ok(post(clerk, url(made["id"], "ship")))
    ok(post(clerk, url(made["id"], "deliver")))
    before = stock(chair), StockMove.objects.count()
    refused(post(clerk, url(made["id"], "refuse"), {"reason": "not wanted"}), 409, "invalid_transition")
    assert ok(clerk.get(url(made["id"])))["status"] == "delivered"
    assert (stock(chair), StockMove.objects.count()) == before
    assert post(clerk, url(999999, "refuse"), {"reason": "x"}).status_code == 404


# --- invoices of a delivery ---------------------------------------------------------------


def test_an_invoice_bills_a_shipped_delivery_and_nothing_else(clerk, api_as, order, goods):
    accountant = api_as("accountant")
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk, "lines": [{"order_line": line_of(order), "quantity": "2"}]}), 201)
    refused(post(accountant, "/api/v1/invoices/", {"delivery": made["id"]}), 400, "invalid")
    ok(post(clerk, url(made["id"], "ship")))
    other = goods["order"]("1")
    answer = refused(post(accountant, "/api/v1/invoices/", {"sales_order": other.pk, "delivery": made["id"]}), 400, "invalid")
    assert "delivery" in answer["details"]
    invoice = ok(post(accountant, "/api/v1/invoices/", {"delivery": made["id"]}), 201)
    assert (invoice["sales_order"], invoice["delivery"], invoice["total_amount"], invoice["disputed_amount"]) == (
        order.pk,
        made["id"],
        "242.00",
        "0.00",
    )
    assert [line["quantity"] for line in invoice["lines"]] == ["2.00"]
    refused(accountant.patch(f"/api/v1/invoices/{invoice['id']}/", {"delivery": None}, format="json"), 400, "invalid")


# --- documents, lists, query counts -------------------------------------------------------


def test_the_delivery_note_is_a_pdf(clerk, order):
    made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    pdf = clerk.get(url(made["id"], "pdf"))
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:4]) == (200, "application/pdf", b"%PDF")
    assert made["number"] in pdf["Content-Disposition"]


def test_deliveries_are_filtered_by_status_order_and_customer(clerk, goods, order, customer_of):
    first = ok(post(clerk, DELIVERIES, {"sales_order": order.pk, "lines": [{"order_line": line_of(order), "quantity": "1"}]}), 201)
    second = ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
    ok(post(clerk, url(second["id"], "ship")))
    other = goods["order"]("1")
    third = ok(post(clerk, DELIVERIES, {"sales_order": other.pk}), 201)

    def found(**query):
        return [row["id"] for row in ok(clerk.get(DELIVERIES, query))["results"]]

    assert found(status="shipped") == [second["id"]]
    assert found(sales_order=order.pk) == [second["id"], first["id"]]
    assert found(customer=goods["customer"].pk) == [third["id"], second["id"], first["id"]]
    assert found(customer=customer_of("sales2", "EMPTY").pk) == []
    assert "customer" in refused(clerk.get(DELIVERIES, {"customer": 999999}), 400, "invalid")["details"]


@pytest.mark.parametrize("count", [2, 8])
def test_list_and_detail_cost_a_fixed_number_of_queries(api_as, goods, count, django_assert_max_num_queries):
    goods["receive"]("100", "60")
    clerk = api_as("warehouse")
    for _ in range(count):
        order = goods["order"]("2")
        made = ok(post(clerk, DELIVERIES, {"sales_order": order.pk, "lines": [{"order_line": line_of(order), "quantity": "1"}]}), 201)
        ok(post(clerk, DELIVERIES, {"sales_order": order.pk}), 201)
        ok(post(clerk, url(made["id"], "ship")))
    detail = url(Delivery.objects.first().pk)
    for username in ("warehouse", "sales"):
        client = api_as(username)
        with django_assert_max_num_queries(6, info=username):
            assert len(ok(client.get(DELIVERIES, {"page_size": 50}))["results"]) == 2 * count
        with django_assert_max_num_queries(6, info=username):
            assert len(ok(client.get(detail))["lines"]) == 1


@pytest.mark.parametrize("count", [2, 8])
def test_order_lines_show_their_goods_progress_without_a_query_per_line(api_as, goods, count, django_assert_max_num_queries):
    from salesdesk.fulfilment import services as fulfilment

    goods["receive"]("100", "60")
    for _ in range(count):
        order = goods["order"]("3")
        lines = [{"order_line": line_of(order), "quantity": D("1")}]
        made = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"], lines=lines)
        fulfilment.delivery_ship(delivery=made, actor=goods["admin"])
    client = api_as("sales")
    with django_assert_max_num_queries(8):
        orders = ok(client.get("/api/v1/sales-orders/", {"page_size": 50}))["results"]
    progress = {
        (line["reserved_quantity"], line["delivered_quantity"], line["outstanding_quantity"]) for o in orders for line in o["lines"]
    }
    assert (len(orders), progress) == (count, {("2.00", "1.00", "2.00")})
    with django_assert_max_num_queries(8):
        line = ok(client.get(f"/api/v1/sales-orders/{orders[0]['id']}/"))["lines"][0]
    assert (line["reserved_quantity"], line["outstanding_quantity"]) == ("2.00", "2.00")
