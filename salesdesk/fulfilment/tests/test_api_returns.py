"""Returns through the API: requested by the seller, decided by the sales manager, received by the warehouse
(restock, scrap, replace, repair), credited by the accountant. Each action's allowed and refused case (refused
ones leave nothing behind), bad input naming the field, costs hidden from the warehouse, query counts."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from salesdesk.billing import services as billing
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.fulfilment.tests.api_checks import has_costs, ok, post, refused, stock
from salesdesk.inventory.models import StockMove

pytestmark = pytest.mark.django_db

RETURNS = "/api/v1/returns/"


def url(return_id, action=None):
    return f"{RETURNS}{return_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def shipped(goods):
    """3 chairs shipped (at 60.00 each) to the customer, out of 5 in stock."""
    goods["receive"]("5", "60")
    order = goods["order"]("3")
    delivery = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"])
    return fulfilment.delivery_ship(delivery=delivery, actor=goods["admin"])


@pytest.fixture
def sales(api_as):
    return api_as("sales")


@pytest.fixture
def clerk(api_as):
    return api_as("warehouse")


@pytest.fixture
def manager(api_as):
    return api_as("manager")


def ask(client, goods, chair, delivery, quantity="1", **extra):
    body = {
        "customer": goods["customer"].pk,
        "delivery": delivery.pk,
        "lines": [{"product": chair.pk, "quantity": quantity, "reason": "scratched"}],
    }
    return post(client, RETURNS, {**body, **extra})


def approved(sales, manager, goods, chair, delivery, quantity="1"):
    made = ok(ask(sales, goods, chair, delivery, quantity), 201)
    return ok(post(manager, url(made["id"], "approve")))


def receive(client, made, outcome, quantity=None):
    line = {"id": made["lines"][0]["id"], "outcome": outcome}
    if quantity is not None:
        line["quantity"] = quantity
    return post(client, url(made["id"], "receive"), {"lines": [line]})


# --- requests -----------------------------------------------------------------------------


def test_a_seller_asks_to_return_goods_of_a_shipped_delivery(sales, clerk, goods, chair, shipped, warehouse):
    made = ok(ask(sales, goods, chair, shipped, "1.5", reason="wrong size"), 201)
    assert made["number"] == f"RMA-{timezone.localdate().year}-00001"
    assert (made["status"], made["customer"], made["delivery"], made["sales_order"], made["warehouse"], made["reason"]) == (
        "requested",
        goods["customer"].pk,
        shipped.pk,
        shipped.sales_order_id,
        warehouse.pk,
        "wrong size",
    )
    line = made["lines"][0]
    assert {k: line[k] for k in ("product", "quantity", "reason", "received_quantity", "outcome", "credited_quantity")} == {
        "product": chair.pk,
        "quantity": "1.50",
        "reason": "scratched",
        "received_quantity": "0.00",
        "outcome": "",
        "credited_quantity": "0.00",
    }
    assert "cost" in line and not has_costs(ok(clerk.get(url(made["id"]))))


def test_more_than_was_delivered_and_not_yet_asked_back_is_over_return(sales, goods, chair, shipped):
    body = refused(ask(sales, goods, chair, shipped, "4"), 409, "over_return")
    assert body["details"] == {"product": chair.pk, "quantity": "4.0000", "returnable": "3.0000"}
    ok(ask(sales, goods, chair, shipped, "2"), 201)
    refused(ask(sales, goods, chair, shipped, "1.5"), 409, "over_return")
    assert ReturnRequest.objects.count() == 1


BAD_BODIES = {
    "no customer": (lambda c, d, p: {"lines": [{"product": p, "quantity": "1"}]}, "customer"),
    "unknown customer": (lambda c, d, p: {"customer": 999999, "lines": [{"product": p, "quantity": "1"}]}, "customer"),
    "no lines": (lambda c, d, p: {"customer": c, "lines": []}, "lines"),
    "unknown product": (lambda c, d, p: {"customer": c, "lines": [{"product": 999999, "quantity": "1"}]}, "lines"),
    "zero quantity": (lambda c, d, p: {"customer": c, "lines": [{"product": p, "quantity": "0"}]}, "lines"),
    "unknown delivery": (lambda c, d, p: {"customer": c, "delivery": 999999, "lines": [{"product": p, "quantity": "1"}]}, "delivery"),
    "unknown invoice": (lambda c, d, p: {"customer": c, "invoice": 999999, "lines": [{"product": p, "quantity": "1"}]}, "invoice"),
    "unknown warehouse": (lambda c, d, p: {"customer": c, "warehouse": 999999, "lines": [{"product": p, "quantity": "1"}]}, "warehouse"),
    "long line reason": (lambda c, d, p: {"customer": c, "lines": [{"product": p, "quantity": "1", "reason": "x" * 256}]}, "lines"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_input_is_400_naming_the_field_and_saves_nothing(sales, goods, chair, shipped, case):
    make, field = BAD_BODIES[case]
    answer = refused(post(sales, RETURNS, make(goods["customer"].pk, shipped.pk, chair.pk)), 400, "invalid")
    assert field in answer["details"], answer
    assert not ReturnRequest.objects.exists()


def test_a_delivery_of_another_customer_is_refused_on_the_delivery(sales, goods, chair, shipped, customer_of):
    other = customer_of("sales", "OTHER", status="active")
    body = {"customer": other.pk, "delivery": shipped.pk, "lines": [{"product": chair.pk, "quantity": "1"}]}
    assert refused(post(sales, RETURNS, body), 400, "invalid")["details"] == {"delivery": ["Not a shipped delivery of this customer."]}
    assert not ReturnRequest.objects.exists()


def test_the_warehouse_does_not_open_returns(clerk, goods, chair, shipped):
    refused(ask(clerk, goods, chair, shipped), 403, "permission_denied")


# --- decisions ----------------------------------------------------------------------------


def test_the_sales_manager_approves_and_the_seller_cannot(sales, manager, clerk, users, goods, chair, shipped):
    made = ok(ask(sales, goods, chair, shipped), 201)
    for client in (sales, clerk):
        refused(post(client, url(made["id"], "approve")), 403, "permission_denied")
    answer = ok(post(manager, url(made["id"], "approve"), {"reason": "photos attached"}))
    assert (answer["status"], answer["decision_reason"], answer["decided_by"]) == ("approved", "photos attached", users["manager"].pk)
    assert answer["decided_at"]
    refused(post(manager, url(made["id"], "approve")), 409, "invalid_transition")


def test_a_rejection_needs_a_reason_and_closes_the_return(sales, manager, goods, chair, shipped):
    made = ok(ask(sales, goods, chair, shipped), 201)
    assert "reason" in refused(post(manager, url(made["id"], "reject")), 400, "invalid")["details"]
    assert ok(manager.get(url(made["id"])))["status"] == "requested"
    answer = ok(post(manager, url(made["id"], "reject"), {"reason": "used for a year"}))
    assert (answer["status"], answer["decision_reason"]) == ("rejected", "used for a year")
    refused(post(manager, url(made["id"], "approve")), 409, "invalid_transition")
    # A rejected return no longer holds the goods: they may be asked back again.
    ok(ask(sales, goods, chair, shipped, "3"), 201)


# --- receipt ------------------------------------------------------------------------------


def test_restocked_goods_come_back_at_the_cost_they_left_at(sales, manager, clerk, api_as, goods, chair, shipped):
    made = approved(sales, manager, goods, chair, shipped)
    assert stock(chair) == (D("2"), D("0"), D("2"), D("120.00"))
    answer = ok(receive(clerk, made, "restock"))
    assert (answer["status"], answer["lines"][0]["received_quantity"], answer["lines"][0]["outcome"]) == ("received", "1.00", "restock")
    assert answer["received_at"] and not has_costs(answer)
    assert ok(api_as("accountant").get(url(made["id"])))["lines"][0]["cost"] == "60.00"
    assert stock(chair) == (D("3"), D("0"), D("3"), D("180.00"))


def test_scrapped_goods_are_written_off_and_replaced_goods_get_a_replacement_delivery(sales, manager, clerk, goods, chair, shipped):
    scrapped = approved(sales, manager, goods, chair, shipped)
    ok(receive(clerk, scrapped, "scrap"))
    assert stock(chair) == (D("2"), D("0"), D("2"), D("120.00"))
    replaced = approved(sales, manager, goods, chair, shipped)
    answer = ok(receive(clerk, replaced, "replace"))
    [replacement] = answer["replacements"]
    delivery = ok(clerk.get(f"/api/v1/deliveries/{replacement}/"))
    assert (delivery["status"], delivery["return_request"], delivery["sales_order"], delivery["lines"][0]["quantity"]) == (
        "draft",
        replaced["id"],
        None,
        "1.00",
    )


def test_a_refused_receipt_saves_nothing(sales, manager, clerk, goods, chair, shipped):
    made = ok(ask(sales, goods, chair, shipped), 201)
    refused(receive(clerk, made, "restock"), 409, "invalid_transition")
    ok(post(manager, url(made["id"], "approve")))
    before = stock(chair), StockMove.objects.count()
    refused(receive(clerk, made, "restock", quantity="2"), 409, "over_receipt")
    assert "lines" in refused(receive(clerk, made, "burn"), 400, "invalid")["details"]
    assert (
        "lines"
        in refused(post(clerk, url(made["id"], "receive"), {"lines": [{"id": 999999, "outcome": "restock"}]}), 400, "invalid")["details"]
    )
    assert "lines" in refused(post(clerk, url(made["id"], "receive"), {"lines": []}), 400, "invalid")["details"]
    answer = ok(clerk.get(url(made["id"])))
    assert (answer["status"], answer["lines"][0]["received_quantity"], answer["lines"][0]["outcome"]) == ("approved", "0.00", "")
    assert (stock(chair), StockMove.objects.count()) == before


# --- credit (billing's action) ------------------------------------------------------------


def test_received_goods_are_credited_at_the_invoiced_price(sales, manager, clerk, api_as, goods, chair, shipped):
    accountant = api_as("accountant")
    invoice = billing.invoice_from_order(order=shipped.sales_order, actor=goods["admin"], membership=goods["membership"], delivery=shipped)
    invoice = billing.invoice_post(invoice=invoice, actor=goods["admin"])
    made = approved(sales, manager, goods, chair, shipped)
    refused(post(accountant, url(made["id"], "credit")), 409, "invalid_transition")
    ok(receive(clerk, made, "restock"))
    answer = ok(post(accountant, url(made["id"], "credit"), HTTP_IDEMPOTENCY_KEY="credit-1"))
    assert (answer["status"], answer["lines"][0]["credited_quantity"], len(answer["credit_notes"])) == ("credited", "1.00", 1)
    note = ok(accountant.get(f"/api/v1/invoices/{answer['credit_notes'][0]}/"))
    assert (note["kind"], note["original_invoice"], note["total_amount"]) == ("credit_note", invoice.pk, "121.00")
    again = post(accountant, url(made["id"], "credit"), HTTP_IDEMPOTENCY_KEY="credit-1")
    assert (again.status_code, again.json()["credit_notes"]) == (200, answer["credit_notes"])
    refused(post(accountant, url(made["id"], "credit")), 409, "invalid_transition")


def test_goods_never_invoiced_are_not_credited(sales, manager, clerk, api_as, goods, chair, shipped):
    made = approved(sales, manager, goods, chair, shipped)
    ok(receive(clerk, made, "restock"))
    refused(post(api_as("accountant"), url(made["id"], "credit")), 409, "over_credit")
    assert ok(clerk.get(url(made["id"])))["status"] == "received"


# --- lists and query counts ---------------------------------------------------------------


def test_returns_are_filtered_by_status_and_customer(sales, manager, goods, chair, shipped, customer_of):
    first = ok(ask(sales, goods, chair, shipped), 201)
    second = ok(ask(sales, goods, chair, shipped), 201)
    ok(post(manager, url(second["id"], "approve")))

    def found(**query):
        return [row["id"] for row in ok(sales.get(RETURNS, query))["results"]]

    assert found(status="approved") == [second["id"]]
    assert found(status="requested") == [first["id"]]
    assert found(customer=goods["customer"].pk) == [second["id"], first["id"]]
    assert found(customer=customer_of("sales", "NONE").pk) == []
    assert "status" in refused(sales.get(RETURNS, {"status": "lost"}), 400, "invalid")["details"]


@pytest.mark.parametrize("count", [2, 8])
def test_list_and_detail_cost_a_fixed_number_of_queries(
    api_as, sales, manager, clerk, goods, chair, shipped, count, django_assert_max_num_queries
):
    for _ in range(count):
        made = ok(ask(sales, goods, chair, shipped, "0.1"), 201)
        ok(post(manager, url(made["id"], "approve")))
        ok(receive(clerk, made, "replace"))
    assert Delivery.objects.filter(return_request__isnull=False).count() == count
    detail = url(ReturnRequest.objects.first().pk)
    for username in ("warehouse", "sales"):
        client = api_as(username)
        with django_assert_max_num_queries(7, info=username):
            assert len(ok(client.get(RETURNS, {"page_size": 50}))["results"]) == count
        with django_assert_max_num_queries(7, info=username):
            assert len(ok(client.get(detail))["replacements"]) == 1
