"""Warehouse pages in the browser UI (Django test client): the shipping queue, deliveries and
their actions, returns, stock adjustments, the product stock page and the goods panels.

The warehouse clerk sees quantities only: no page of theirs shows a price or a cost."""

import importlib
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from salesdesk.catalog.models import Product
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.inventory.models import StockAdjustment, StockLevel, StockMove, Warehouse
from salesdesk.sales.models import SalesOrder, SalesSettings

pytestmark = pytest.mark.django_db

# What the chair sells and costs at: none of it may reach the warehouse clerk's pages.
PRICES = (b"100.00", b"500.00", b"605.00", b"60.00", b"180.00", b"363.00", b"120.00")


def no_prices(page) -> bool:
    return not any(price in page.content for price in PRICES)


@pytest.fixture
def order(goods):
    """3 chairs in stock at 60, an order for 5 (3 reserved, 2 on backorder)."""
    goods["receive"]("3", "60")
    return goods["order"]("5")


def make_delivery(goods, order, quantity="3"):
    line = order.lines.first()
    return fulfilment.delivery_create(
        order=order, actor=goods["admin"], membership=goods["membership"], lines=[{"order_line": line.pk, "quantity": D(quantity)}]
    )


@pytest.fixture
def shipped(goods, order):
    delivery = make_delivery(goods, order)
    return fulfilment.delivery_ship(delivery=delivery, actor=goods["admin"])


def detail(delivery) -> str:
    return reverse("fulfilment:delivery-detail", args=[delivery.pk])


def act(delivery, name) -> str:
    return reverse("fulfilment:delivery-action", args=[delivery.pk, name])


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- the shipping queue ---------------------------------------------------------------------


def test_queue_shows_outstanding_reserved_and_backorder_without_prices(web_as, order):
    page = web_as("warehouse").get(reverse("fulfilment:to-ship"))
    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html and f'id="deliver-{order.pk}"' in html
    row = html[html.index(f'id="order-{order.pk}"') :]
    assert ">5<" in row and ">3<" in row and ">2<" in row  # outstanding, reserved, backorder
    assert no_prices(page)


def test_queue_filters_backorders_and_search(web_as, goods, order):
    goods["receive"]("10", "60")  # the backorder is served
    client = web_as("warehouse")
    assert order.number.encode() not in client.get(reverse("fulfilment:to-ship"), {"backorder": "1"}).content
    assert order.number.encode() in client.get(reverse("fulfilment:to-ship"), {"q": "GOODS"}).content
    assert order.number.encode() not in client.get(reverse("fulfilment:to-ship"), {"q": "nobody"}).content


def test_queue_reads_a_fixed_number_of_queries(web_as, goods, django_assert_max_num_queries):
    goods["receive"]("100", "60")
    client = web_as("warehouse")
    goods["order"]("1")
    client.get(reverse("fulfilment:to-ship"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("fulfilment:to-ship")).status_code == 200
    for _ in range(8):
        goods["order"]("2")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("fulfilment:to-ship")).status_code == 200


# --- making a delivery ----------------------------------------------------------------------


def test_delivery_form_offers_everything_outstanding(web_as, order):
    page = web_as("warehouse").get(reverse("fulfilment:delivery-create", args=[order.pk]))
    line = order.lines.first()
    assert page.status_code == 200
    assert f'name="qty-{line.pk}" value="5"' in page.content.decode()
    assert "1 Dock Road" in page.content.decode()  # the customer's shipping address
    assert no_prices(page)


def test_clerk_makes_a_partial_delivery(web_as, order):
    line = order.lines.first()
    response = web_as("warehouse").post(
        reverse("fulfilment:delivery-create", args=[order.pk]),
        {f"qty-{line.pk}": "3", "carrier": "DHL", "shipping_address": "1 Dock Road"},
        follow=True,
    )
    delivery = Delivery.objects.get(sales_order=order)
    assert response.redirect_chain[-1][0] == detail(delivery)
    assert delivery.status == "draft" and delivery.carrier == "DHL"
    assert [line.quantity for line in delivery.lines.all()] == [D("3")]
    assert delivery.number in flash(response)


def test_delivering_more_than_outstanding_is_refused_and_saves_nothing(web_as, order):
    line = order.lines.first()
    page = web_as("warehouse").post(reverse("fulfilment:delivery-create", args=[order.pk]), {f"qty-{line.pk}": "9"})
    assert page.status_code == 400
    left = line.quantity - line.delivered_quantity
    assert f"Only {left.normalize():f} left to deliver." in page.content.decode()  # said on the line, with what is left
    assert page.context["form"].errors[f"qty-{line.pk}"]
    assert not Delivery.objects.exists()


def test_a_delivery_of_nothing_is_refused(web_as, order):
    line = order.lines.first()
    page = web_as("warehouse").post(reverse("fulfilment:delivery-create", args=[order.pk]), {f"qty-{line.pk}": "0"})
    assert page.status_code == 400 and b'id="form-errors"' in page.content
    assert not Delivery.objects.exists()


def test_a_salesperson_may_not_make_deliveries(web_as, order):
    line = order.lines.first()
    assert web_as("sales").post(reverse("fulfilment:delivery-create", args=[order.pk]), {f"qty-{line.pk}": "1"}).status_code == 403
    assert not Delivery.objects.exists()


# --- the delivery page and its actions ------------------------------------------------------


def test_clerk_picks_and_ships(web_as, goods, order):
    delivery = make_delivery(goods, order)
    client = web_as("warehouse")
    page = client.get(detail(delivery))
    assert b'id="pick-button"' in page.content and b'id="ship-button"' in page.content
    assert b'id="refuse-button"' not in page.content
    assert client.post(act(delivery, "pick")).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "picked"
    response = client.post(act(delivery, "ship"), follow=True)
    delivery.refresh_from_db()
    assert delivery.status == "shipped" and "shipped" in flash(response)
    level = StockLevel.objects.get(product=delivery.lines.first().product)
    assert (level.on_hand, level.reserved) == (D("0"), D("0"))
    page = client.get(detail(delivery))
    assert b'id="deliver-button"' in page.content and b'id="refuse-button"' in page.content
    assert reverse("billing:delivery-refuse", args=[delivery.pk]).encode() in page.content
    assert no_prices(page)


def test_shipping_without_stock_is_refused_and_nothing_moves(web_as, goods, order):
    delivery = make_delivery(goods, order, "5")  # only 3 in stock
    moves = StockMove.objects.count()
    response = web_as("warehouse").post(act(delivery, "ship"), follow=True)
    delivery.refresh_from_db()
    assert delivery.status == "draft" and StockMove.objects.count() == moves
    assert response.context["messages"] and any(m.level_tag == "error" for m in response.context["messages"])


def test_mark_delivered(web_as, shipped):
    response = web_as("warehouse").post(act(shipped, "deliver"), follow=True)
    shipped.refresh_from_db()
    assert shipped.status == "delivered" and shipped.delivered_at is not None
    assert shipped.number in flash(response)


def test_cancel_puts_the_goods_back_on_the_order(web_as, goods, order):
    delivery = make_delivery(goods, order)
    web_as("warehouse").post(act(delivery, "cancel"), {"reason": "truck broke down"})
    delivery.refresh_from_db()
    assert delivery.status == "cancelled"
    assert fulfilment.deliverable(order) == {order.lines.first().pk: D("5")}


def test_cancel_of_a_shipped_delivery_is_refused(web_as, shipped):
    response = web_as("warehouse").post(act(shipped, "cancel"), {"reason": "late"}, follow=True)
    shipped.refresh_from_db()
    assert shipped.status == "shipped"
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_carrier_and_tracking_are_noted(web_as, shipped):
    data = {"carrier": "UPS", "tracking_number": "1Z999", "shipping_address": "2 Quay", "notes": "ring twice"}
    web_as("warehouse").post(act(shipped, "update"), data)
    shipped.refresh_from_db()
    assert (shipped.carrier, shipped.tracking_number, shipped.shipping_address, shipped.notes) == ("UPS", "1Z999", "2 Quay", "ring twice")


def test_a_cancelled_delivery_cannot_be_noted(web_as, goods, order):
    delivery = fulfilment.delivery_cancel(delivery=make_delivery(goods, order), actor=goods["admin"])
    response = web_as("warehouse").post(act(delivery, "update"), {"carrier": "UPS"}, follow=True)
    delivery.refresh_from_db()
    assert delivery.carrier == ""
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_too_long_a_carrier_is_refused(web_as, shipped):
    response = web_as("warehouse").post(act(shipped, "update"), {"carrier": "x" * 101}, follow=True)
    shipped.refresh_from_db()
    assert shipped.carrier == "" and any(m.level_tag == "error" for m in response.context["messages"])


def test_who_sees_margins_sees_the_cost_of_a_delivery(web_as, shipped):
    page = web_as("admin").get(detail(shipped))
    assert b'id="delivery-cost"' in page.content and b"180.00" in page.content
    assert b"180.00" not in web_as("warehouse").get(detail(shipped)).content


def test_salesperson_sees_only_their_customers_deliveries(web_as, shipped):
    assert web_as("sales").get(detail(shipped)).status_code == 200
    assert web_as("sales2").get(detail(shipped)).status_code == 404
    assert web_as("sales3").get(detail(shipped)).status_code == 404
    assert web_as("manager").get(detail(shipped)).status_code == 200
    assert shipped.number.encode() not in web_as("sales3").get(reverse("fulfilment:delivery-list")).content


def test_the_delivery_note_pdf(web_as, shipped, monkeypatch):
    documents = importlib.import_module("salesdesk.fulfilment.documents")
    monkeypatch.setattr(documents, "delivery_note_pdf", lambda delivery: b"%PDF-1.7 " + delivery.number.encode(), raising=False)
    response = web_as("warehouse").get(reverse("fulfilment:delivery-pdf", args=[shipped.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 " + shipped.number.encode()
    assert web_as("sales3").get(reverse("fulfilment:delivery-pdf", args=[shipped.pk])).status_code == 404


def test_delivery_list_filters_and_export(web_as, goods, order, shipped):
    client = web_as("warehouse")
    draft = make_delivery(goods, order, "1")
    page = client.get(reverse("fulfilment:delivery-list"), {"status": "shipped"})
    assert shipped.number.encode() in page.content and draft.number.encode() not in page.content
    page = client.get(reverse("fulfilment:delivery-list"), {"due": "1"})
    assert draft.number.encode() in page.content and shipped.number.encode() not in page.content
    other = Warehouse.objects.create(company=order.company, code="SEC", name="Second")
    assert shipped.number.encode() not in client.get(reverse("fulfilment:delivery-list"), {"warehouse": other.pk}).content
    body = client.get(reverse("fulfilment:delivery-list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert shipped.number in body and draft.number in body


def test_delivery_list_reads_a_fixed_number_of_queries(web_as, goods, django_assert_max_num_queries):
    goods["receive"]("100", "60")
    client = web_as("warehouse")
    make_delivery(goods, goods["order"]("1"), "1")
    client.get(reverse("fulfilment:delivery-list"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("fulfilment:delivery-list")).status_code == 200
    for _ in range(10):
        make_delivery(goods, goods["order"]("1"), "1")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("fulfilment:delivery-list")).status_code == 200


# --- returns --------------------------------------------------------------------------------


def return_form(customer, lines, **header) -> dict:
    data = {
        "customer": customer.pk,
        **{k: v.pk if hasattr(v, "pk") else v for k, v in header.items()},
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, (product, quantity, reason) in enumerate(lines):
        data.update({f"lines-{i}-product": product.pk, f"lines-{i}-quantity": quantity, f"lines-{i}-reason": reason})
    return data


@pytest.fixture
def requested(goods, shipped, chair):
    return fulfilment.return_create(
        company=shipped.company,
        actor=goods["admin"],
        membership=goods["membership"],
        customer=goods["customer"],
        delivery=shipped,
        lines=[{"product": chair, "quantity": D("2"), "reason": "scratched"}],
    )


def rdetail(ret) -> str:
    return reverse("fulfilment:return-detail", args=[ret.pk])


def ract(ret, name) -> str:
    return reverse("fulfilment:return-action", args=[ret.pk, name])


def test_return_goods_from_a_delivery_fills_in_the_form(web_as, shipped, chair):
    page = web_as("sales").get(reverse("fulfilment:return-create"), {"delivery": shipped.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{shipped.pk}" selected>' in html  # the delivery
    assert f'<option value="{shipped.customer_id}" selected>' in html  # its customer
    assert f'<option value="{chair.pk}" selected>' in html and 'value="3"' in html  # its line


def test_return_goods_from_an_order_fills_in_what_the_customer_has_of_it(web_as, goods, shipped, chair):
    order = shipped.sales_order
    panel_link = f'href="{reverse("fulfilment:return-create")}?order={order.pk}"'
    assert panel_link in web_as("sales").get(reverse("fulfilment:order-goods-panel", args=[order.pk])).content.decode()
    page = web_as("sales").get(reverse("fulfilment:return-create"), {"order": order.pk})
    html = page.content.decode()
    assert f'<option value="{order.pk}" selected>' in html and f'<option value="{order.customer_id}" selected>' in html
    assert f'<option value="{chair.pk}" selected>' in html and 'value="3"' in html  # the 3 chairs shipped


def test_the_references_follow_the_customer(web_as, goods, shipped):
    page = web_as("sales").get(reverse("fulfilment:return-references"), {"customer": goods["customer"].pk})
    assert shipped.number.encode() in page.content
    other = web_as("sales").get(reverse("fulfilment:return-references"), {"customer": "999999"})
    assert shipped.number.encode() not in other.content


def test_salesperson_requests_a_return(web_as, goods, shipped, chair):
    data = return_form(goods["customer"], [(chair, "2", "scratched")], delivery=shipped, reason="damaged in transit")
    response = web_as("sales").post(reverse("fulfilment:return-create"), data, follow=True)
    ret = ReturnRequest.objects.get()
    assert response.redirect_chain[-1][0] == rdetail(ret)
    assert ret.status == "requested" and ret.delivery == shipped and ret.lines.get().quantity == D("2")
    assert ret.number in flash(response)


def test_a_return_line_set_to_zero_is_left_out(web_as, goods, shipped, chair):
    data = return_form(goods["customer"], [(chair, "2", "scratched"), (chair, "0", "")], delivery=shipped)
    response = web_as("sales").post(reverse("fulfilment:return-create"), data)
    assert response.status_code == 302
    assert list(ReturnRequest.objects.get().lines.values_list("quantity", flat=True)) == [D("2")]


def test_returning_more_than_delivered_is_refused_and_saves_nothing(web_as, goods, shipped, chair):
    data = return_form(goods["customer"], [(chair, "4", "")], delivery=shipped)
    page = web_as("sales").post(reverse("fulfilment:return-create"), data)
    assert page.status_code == 400 and b'id="form-errors"' in page.content
    assert not ReturnRequest.objects.exists()


def test_a_return_without_lines_is_refused(web_as, goods, shipped):
    page = web_as("sales").post(reverse("fulfilment:return-create"), return_form(goods["customer"], []))
    assert page.status_code == 400 and not ReturnRequest.objects.exists()


def test_a_salesperson_cannot_return_another_salespersons_customer(web_as, goods, shipped, chair):
    page = web_as("sales3").post(reverse("fulfilment:return-create"), return_form(goods["customer"], [(chair, "1", "")]))
    assert page.status_code == 400 and not ReturnRequest.objects.exists()


def test_the_clerk_cannot_request_returns(web_as, goods, shipped, chair):
    response = web_as("warehouse").post(reverse("fulfilment:return-create"), return_form(goods["customer"], [(chair, "1", "")]))
    assert response.status_code == 403 and not ReturnRequest.objects.exists()


def test_manager_approves_and_clerk_receives(web_as, requested, chair):
    manager = web_as("manager")
    assert b'id="approve-button"' in manager.get(rdetail(requested)).content
    manager.post(ract(requested, "approve"))
    requested.refresh_from_db()
    assert requested.status == "approved"
    clerk = web_as("warehouse")
    page = clerk.get(rdetail(requested))
    assert b'id="receive-form"' in page.content and b'id="approve-button"' not in page.content
    assert no_prices(page)
    line = requested.lines.get()
    response = clerk.post(ract(requested, "receive"), {f"qty-{line.pk}": "2", f"outcome-{line.pk}": "restock"}, follow=True)
    requested.refresh_from_db()
    line.refresh_from_db()
    assert requested.status == "received" and (line.received_quantity, line.outcome) == (D("2"), "restock")
    assert StockLevel.objects.get(product=chair).on_hand == D("2")
    assert requested.number in flash(response)
    assert no_prices(clerk.get(rdetail(requested)))


def test_a_salesperson_may_not_approve(web_as, requested):
    assert web_as("sales").post(ract(requested, "approve")).status_code == 403
    requested.refresh_from_db()
    assert requested.status == "requested"


def test_rejecting_needs_a_reason(web_as, requested):
    response = web_as("manager").post(ract(requested, "reject"), {"reason": " "}, follow=True)
    requested.refresh_from_db()
    assert requested.status == "requested" and any(m.level_tag == "error" for m in response.context["messages"])
    web_as("manager").post(ract(requested, "reject"), {"reason": "outside the return window"})
    requested.refresh_from_db()
    assert requested.status == "rejected" and requested.decision_reason == "outside the return window"


def test_receiving_more_than_approved_is_refused_and_saves_nothing(web_as, goods, requested, chair):
    fulfilment.return_approve(request=requested, actor=goods["admin"], membership=goods["membership"])
    line = requested.lines.get()
    moves = StockMove.objects.count()
    response = web_as("warehouse").post(ract(requested, "receive"), {f"qty-{line.pk}": "3", f"outcome-{line.pk}": "scrap"}, follow=True)
    requested.refresh_from_db()
    assert requested.status == "approved" and StockMove.objects.count() == moves
    assert any(m.level_tag == "error" for m in response.context["messages"])
    # The form comes back as typed, once: the quantity and the outcome chosen.
    form = response.context["receive_form"]
    assert (form[f"qty-{line.pk}"].value(), form[f"outcome-{line.pk}"].value()) == ("3", "scrap")
    assert '<option value="scrap" selected>' in response.content.decode()


def test_receiving_without_an_outcome_is_refused(web_as, goods, requested):
    fulfilment.return_approve(request=requested, actor=goods["admin"], membership=goods["membership"])
    line = requested.lines.get()
    web_as("warehouse").post(ract(requested, "receive"), {f"qty-{line.pk}": "2", f"outcome-{line.pk}": ""})
    requested.refresh_from_db()
    assert requested.status == "approved"


def test_credit_button_only_for_who_posts_invoices(web_as, goods, requested):
    fulfilment.return_approve(request=requested, actor=goods["admin"], membership=goods["membership"])
    line = requested.lines.get()
    fulfilment.return_receive(request=requested, actor=goods["admin"], lines=[{"id": line.pk, "outcome": "restock"}])
    assert b'id="credit-button"' in web_as("accountant").get(rdetail(requested)).content
    assert b'id="credit-button"' not in web_as("warehouse").get(rdetail(requested)).content
    assert reverse("billing:return-credit", args=[requested.pk]).encode() in web_as("accountant").get(rdetail(requested)).content


def test_returns_are_scoped_to_the_salesperson(web_as, requested):
    assert web_as("sales").get(rdetail(requested)).status_code == 200
    assert web_as("sales3").get(rdetail(requested)).status_code == 404


def test_return_list_reads_a_fixed_number_of_queries(web_as, goods, chair, django_assert_max_num_queries):
    goods["receive"]("100", "60")
    delivery = make_delivery(goods, goods["order"]("30"), "30")
    delivery = fulfilment.delivery_ship(delivery=delivery, actor=goods["admin"])

    def request_one():
        fulfilment.return_create(
            company=delivery.company,
            actor=goods["admin"],
            membership=goods["membership"],
            customer=goods["customer"],
            delivery=delivery,
            lines=[{"product": chair, "quantity": D("1")}],
        )

    client = web_as("manager")
    request_one()
    client.get(reverse("fulfilment:return-list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("fulfilment:return-list")).status_code == 200
    for _ in range(10):
        request_one()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("fulfilment:return-list")).status_code == 200


# --- stock adjustments and the product stock page ---------------------------------------------


def lines_form(header: dict, lines: list[tuple]) -> dict:
    data = {
        **{k: v.pk if hasattr(v, "pk") else v for k, v in header.items()},
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        data.update({f"lines-{i}-product": line[0].pk, f"lines-{i}-quantity": line[1]})
        if len(line) > 2:
            data[f"lines-{i}-unit_cost"] = line[2]
    return data


def test_clerk_receives_goods_at_standard_cost(web_as, warehouse, chair):
    page = web_as("warehouse").get(reverse("fulfilment:adjustment-create"))
    assert b"unit_cost" not in page.content  # clerks see no costs
    data = lines_form({"warehouse": warehouse, "kind": "receipt", "reason": "supplier delivery"}, [(chair, "4")])
    response = web_as("warehouse").post(reverse("fulfilment:adjustment-create"), data, follow=True)
    adjustment = StockAdjustment.objects.get()
    assert response.redirect_chain[-1][0] == reverse("fulfilment:adjustment-detail", args=[adjustment.pk])
    assert adjustment.number.startswith("REC-") and adjustment.number in flash(response)
    level = StockLevel.objects.get(product=chair)
    assert (level.on_hand, level.value) == (D("4"), D("240.00"))
    assert b"240.00" not in response.content and b"60.0000" not in response.content


def test_admin_receives_goods_at_a_cost(web_as, warehouse, chair):
    data = lines_form({"warehouse": warehouse, "kind": "receipt", "reason": "supplier"}, [(chair, "2", "55.50")])
    page = web_as("admin").post(reverse("fulfilment:adjustment-create"), data, follow=True)
    assert StockLevel.objects.get(product=chair).value == D("111.00")
    assert b"111.00" in page.content


def test_taking_out_more_than_on_hand_is_refused_and_saves_nothing(web_as, goods, warehouse, chair):
    goods["receive"]("2", "60")
    data = lines_form({"warehouse": warehouse, "kind": "adjustment", "reason": "count"}, [(chair, "-3")])
    page = web_as("warehouse").post(reverse("fulfilment:adjustment-create"), data)
    assert page.status_code == 400 and b'id="form-errors"' in page.content
    assert StockAdjustment.objects.filter(kind="adjustment").count() == 0
    assert StockLevel.objects.get(product=chair).on_hand == D("2")


def test_a_receipt_cannot_remove_stock(web_as, warehouse, chair):
    data = lines_form({"warehouse": warehouse, "kind": "receipt", "reason": "count"}, [(chair, "-1")])
    page = web_as("warehouse").post(reverse("fulfilment:adjustment-create"), data)
    assert page.status_code == 400 and not StockAdjustment.objects.exists()


def test_a_receipt_worth_more_than_the_stock_value_can_hold_is_refused_on_the_form(web_as, warehouse, chair):
    data = lines_form({"warehouse": warehouse, "kind": "receipt", "reason": "supplier"}, [(chair, "999999999", "1000000")])
    page = web_as("admin").post(reverse("fulfilment:adjustment-create"), data)
    assert page.status_code == 400 and b"too large" in page.content
    assert not StockAdjustment.objects.exists() and not StockLevel.objects.filter(product=chair).exclude(on_hand=0).exists()


def test_services_are_not_stocked(web_as, company, warehouse, unit_pc):
    service = Product.objects.create(company=company, sku="SRV", name="Fitting", unit=unit_pc, kind="service")
    data = lines_form({"warehouse": warehouse, "kind": "receipt", "reason": "x"}, [(service, "1")])
    assert web_as("warehouse").post(reverse("fulfilment:adjustment-create"), data).status_code == 400
    assert not StockAdjustment.objects.exists()


def test_a_salesperson_may_not_adjust_stock(web_as, warehouse, chair):
    data = lines_form({"warehouse": warehouse, "kind": "receipt", "reason": "x"}, [(chair, "1")])
    assert web_as("sales").post(reverse("fulfilment:adjustment-create"), data).status_code == 403
    assert not StockAdjustment.objects.exists()


def test_adjustment_pages_show_costs_only_to_who_sees_margins(web_as, goods):
    adjustment = goods["receive"]("3", "60")
    url = reverse("fulfilment:adjustment-detail", args=[adjustment.pk])
    assert b"180.00" in web_as("admin").get(url).content
    clerk = web_as("warehouse")
    assert no_prices(clerk.get(url))
    assert adjustment.number.encode() in clerk.get(reverse("fulfilment:adjustment-list")).content


def test_adjustment_list_reads_a_fixed_number_of_queries(web_as, goods, django_assert_max_num_queries):
    client = web_as("warehouse")
    goods["receive"]("1", "60")
    client.get(reverse("fulfilment:adjustment-list"))
    with django_assert_max_num_queries(9):
        assert client.get(reverse("fulfilment:adjustment-list")).status_code == 200
    for _ in range(10):
        goods["receive"]("1", "60")
    with django_assert_max_num_queries(9):
        assert client.get(reverse("fulfilment:adjustment-list")).status_code == 200


def test_product_stock_page(web_as, goods, order, shipped, chair, requested):
    fulfilment.return_approve(request=requested, actor=goods["admin"], membership=goods["membership"])
    url = reverse("fulfilment:product-stock", args=[chair.pk])
    page = web_as("warehouse").get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="incoming">2<' in html  # the approved return
    assert 'id="outgoing">2<' in html and 'id="backorder">2<' in html  # the order's last 2 chairs wait
    assert order.number in html and shipped.number in html  # the order waiting, the delivery's move
    assert no_prices(page)
    admin = web_as("admin").get(url).content.decode()
    assert 'id="total-value"' in admin


def test_product_stock_moves_are_paginated(web_as, goods, chair):
    for _ in range(30):
        goods["receive"]("1", "60")
    page = web_as("warehouse").get(reverse("fulfilment:product-stock", args=[chair.pk]))
    first = page.context["page"]
    assert first.has_next and len(first.object_list) == 25
    second = web_as("warehouse").get(reverse("fulfilment:product-stock", args=[chair.pk]), {"page": 2}).context["page"]
    assert not second.has_next and second.has_previous and second.start_index == 26


# --- panels inside the order and customer pages, home cards, settings -------------------------


def test_order_panel_shows_progress_and_gross_profit(web_as, order, shipped):
    page = web_as("admin").get(reverse("fulfilment:order-goods-panel", args=[order.pk]))
    html = page.content.decode()
    line = order.lines.first()
    assert shipped.number in html
    # 3 of 5 shipped: revenue 500.00 * 3/5 = 300.00, cost 3 x 60 = 180.00, gross profit 120.00 (40 %).
    assert f'id="gross-profit-{line.pk}">120.00' in html and "180.00" in html and "(40 %)" in html
    assert b'id="create-delivery"' in page.content  # 2 left to put on a delivery


def test_order_panel_hides_margins_without_the_permission(web_as, order, shipped):
    page = web_as("warehouse").get(reverse("fulfilment:order-goods-panel", args=[order.pk]))
    assert page.status_code == 200 and no_prices(page)
    assert b"gross-profit" not in page.content


def test_order_page_loads_the_goods_panel(web_as, order):
    page = web_as("sales").get(reverse("sales:order-detail", args=[order.pk]))
    assert reverse("fulfilment:order-goods-panel", args=[order.pk]).encode() in page.content


def test_customer_panel_lists_deliveries_and_returns(web_as, goods, shipped, requested):
    customer = goods["customer"]
    page = web_as("sales").get(reverse("fulfilment:customer-goods-panel", args=[customer.pk]))
    assert shipped.number.encode() in page.content and requested.number.encode() in page.content
    assert web_as("sales3").get(reverse("fulfilment:customer-goods-panel", args=[customer.pk])).status_code == 404
    detail_page = web_as("sales").get(reverse("customers:customer-detail", args=[customer.pk]))
    assert reverse("fulfilment:customer-goods-panel", args=[customer.pk]).encode() in detail_page.content


def test_home_cards_for_the_warehouse(web_as, goods, order):
    make_delivery(goods, order, "3")
    page = web_as("warehouse").get(reverse("home"))
    cards = {str(c["title"]): c["value"] for c in page.context["cards"]}
    assert cards["Deliveries to ship today"] == 1 and cards["Backorders"] == 1
    nav = dict(page.context["nav_sections"])
    assert [str(link["label"]) for link in nav["Warehouse"]][:5] == [
        "To ship",
        "Deliveries",
        "Returns",
        "Stock levels",
        "Stock adjustments",
    ]


def test_sales_settings_choose_the_default_warehouse_and_stock_blocking(web_as, company, warehouse):
    form = web_as("admin").get(reverse("sales:settings"))
    assert b"default_warehouse" in form.content and b"block_without_stock" in form.content
    data = {"salesperson_band_percent": "0", "manager_band_percent": "10", "quotation_validity_days": "30"}
    web_as("admin").post(reverse("sales:settings"), {**data, "default_warehouse": warehouse.pk, "block_without_stock": "on"})
    settings = SalesSettings.objects.get(company=company)
    assert settings.default_warehouse == warehouse and settings.block_without_stock


def test_an_order_can_name_its_warehouse(web_as, goods, chair, company):
    second = Warehouse.objects.create(company=company, code="SEC", name="Second")
    data = {
        "customer": goods["customer"].pk,
        "warehouse": second.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": chair.pk,
        "lines-0-quantity": "1",
    }
    response = web_as("sales").post(reverse("sales:order-create"), data)
    assert response.status_code == 302
    assert SalesOrder.objects.get().warehouse == second


def test_confirmed_orders_waiting_today(web_as, goods, order):
    SalesOrder.objects.filter(pk=order.pk).update(requested_date=timezone.localdate())
    assert order.number.encode() in web_as("warehouse").get(reverse("fulfilment:to-ship"), {"due": "1"}).content
