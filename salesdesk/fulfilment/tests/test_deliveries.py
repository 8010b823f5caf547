"""Deliveries at the service level: made from what an order has outstanding (less what open
deliveries already cover), bad input refused with nothing saved, the pick/ship/deliver/cancel
workflow with every refused move leaving everything as it was, shipment taking stock and booking
cost of goods sold to the cent, partial deliveries with backorders, and the order closing itself
when delivered, invoiced and paid (and reopening when a payment is reversed)."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from salesdesk.billing import services as billing
from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.fulfilment import selectors
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.errors import NothingToDeliver
from salesdesk.fulfilment.models import Delivery, DeliveryLine
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.inventory.errors import InsufficientStock
from salesdesk.inventory.models import Reservation, StockLevel, StockMove
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import Account, AccountBalance, JournalEntry
from salesdesk.sales import services as sales_services
from salesdesk.sales.errors import OverDelivery
from salesdesk.sales.models import SalesOrderLine

ROLE = Account.Role


def balance(company, role) -> D:
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0.00")


def snapshot(company) -> dict:
    """Everything a delivery action may touch, to prove that a refused one touched nothing."""
    return {
        "deliveries": sorted(Delivery.objects.filter(company=company).values_list("pk", "status", "cost_amount", "journal_entry_id")),
        "lines": sorted(DeliveryLine.objects.filter(company=company).values_list("pk", "quantity", "cost", "move_id")),
        "moves": StockMove.objects.filter(company=company).count(),
        "levels": sorted(StockLevel.objects.filter(company=company).values_list("product_id", "on_hand", "reserved", "available", "value")),
        "claims": sorted(Reservation.objects.filter(company=company).values_list("order_line_id", "wanted", "reserved")),
        "order_lines": sorted(SalesOrderLine.objects.filter(company=company).values_list("pk", "delivered_quantity")),
        "entries": JournalEntry.objects.filter(company=company).count(),
        "counters": sorted(NumberCounter.objects.filter(company=company).values_list("series", "last_value")),
    }


@pytest.fixture
def admin(goods):
    return goods["admin"]


@pytest.fixture
def make(goods):
    """`make(order, lines=None, **values)`: a delivery made by the administrator."""

    def create(order, lines=None, **values):
        return fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"], lines=lines, **values)

    return create


@pytest.fixture
def table(company, unit_pc, vat21):
    return Product.objects.create(company=company, sku="TB", name="Table", unit=unit_pc, list_price=D("300.00"), cost=D("150"), tax=vat21)


def line_of(order, product=None):
    lines = order.lines.all()
    return lines.get(product=product) if product is not None else lines.get()


# --- Creating ---------------------------------------------------------------------------------------------


def test_a_delivery_for_everything_outstanding_takes_every_goods_line(company, goods, chair, table, make):
    goods["receive"]("5")
    order = sales_services.order_create(
        company=company,
        actor=goods["admin"],
        membership=goods["membership"],
        customer=goods["customer"],
        lines=[{"product": chair, "quantity": D("4")}, {"product": table, "quantity": D("1")}],
    )
    order = sales_services.order_confirm(order=order, actor=goods["admin"], membership=goods["membership"])
    delivery = make(order, carrier="DHL", tracking_number="TRK1")
    year = timezone.localdate().year
    assert (delivery.number, delivery.status, delivery.customer, delivery.sales_order, delivery.carrier) == (
        f"DL-{year}-00001",
        "draft",
        goods["customer"],
        order,
        "DHL",
    )
    assert delivery.shipping_address == "1 Dock Road" and delivery.warehouse == order.warehouse
    assert list(delivery.lines.values_list("product__sku", "quantity", "order_line__product__sku")) == [
        ("CH", D("4"), "CH"),
        ("TB", D("1"), "TB"),
    ]


def test_a_delivery_for_chosen_lines_and_quantities(goods, chair, make):
    goods["receive"]("5")
    order = goods["order"]("5")
    delivery = make(order, lines=[{"order_line": line_of(order), "quantity": D("2")}, {"order_line": line_of(order).pk, "quantity": "1"}])
    assert list(delivery.lines.values_list("quantity", flat=True)) == [D("3")]  # the same line twice adds up
    [row] = selectors.order_lines_progress(order)
    assert (row["ordered"], row["delivered"], row["on_deliveries"], row["outstanding"]) == (D("5"), D("0"), D("3"), D("5"))


def test_asking_more_than_is_outstanding_is_refused_and_nothing_is_saved(company, goods, make):
    order = goods["order"]("5")
    before = snapshot(company)
    with pytest.raises(OverDelivery) as refused:
        make(order, lines=[{"order_line": line_of(order).pk, "quantity": D("5.0001")}])
    assert refused.value.code == "over_delivery" and refused.value.status == 409
    assert snapshot(company) == before


def test_what_open_deliveries_cover_is_not_outstanding_any_more(company, goods, make):
    order = goods["order"]("5")
    line = line_of(order)
    make(order, lines=[{"order_line": line.pk, "quantity": D("3")}])
    before = snapshot(company)
    with pytest.raises(OverDelivery) as refused:
        make(order, lines=[{"order_line": line.pk, "quantity": D("3")}])
    assert D(refused.value.details["outstanding"]) == D("2")
    assert snapshot(company) == before
    second = make(order)  # everything left: the other 2
    assert list(second.lines.values_list("quantity", flat=True)) == [D("2")]
    with pytest.raises(NothingToDeliver) as nothing:
        make(order)
    assert nothing.value.code == "nothing_to_deliver" and nothing.value.status == 409


def test_a_cancelled_delivery_makes_its_goods_outstanding_again(goods, make, admin):
    order = goods["order"]("2")
    first = make(order)
    fulfilment.delivery_pick(delivery=first, actor=admin)
    fulfilment.delivery_cancel(delivery=first, actor=admin, reason="wrong address")
    assert list(make(order).lines.values_list("quantity", flat=True)) == [D("2")]


def test_a_fully_shipped_order_has_nothing_to_deliver(company, goods, make, admin):
    goods["receive"]("2")
    order = goods["order"]("2")
    fulfilment.delivery_ship(delivery=make(order), actor=admin)
    order.refresh_from_db()
    assert (order.status, order.delivery_state) == ("confirmed", "delivered")
    before = snapshot(company)
    with pytest.raises(NothingToDeliver):
        make(order)
    assert snapshot(company) == before


def test_an_order_of_services_only_has_nothing_to_deliver(company, goods, unit_pc, make):
    service = Product.objects.create(
        company=company, sku="SV", name="Assembly", unit=unit_pc, list_price=D("40"), kind=Product.Kind.SERVICE
    )
    order = goods["order"]("1", product=service)
    with pytest.raises(NothingToDeliver):
        make(order)
    with pytest.raises(OverDelivery):
        make(order, lines=[{"order_line": line_of(order).pk, "quantity": D("1")}])
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([{"quantity": D("-1")}], "quantity"),
        ([{"quantity": D("0")}], "quantity"),
        ([{"quantity": "abc"}], "quantity"),
        ([{"quantity": None}], "quantity"),
        ([{"quantity": D("1.00001")}], "quantity"),
        ([{"quantity": True}], "quantity"),
        ([{"order_line": "other", "quantity": D("1")}], "order_line"),
        ([{"order_line": None, "quantity": D("1")}], "order_line"),
        ([{"order_line": 999999, "quantity": D("1")}], "order_line"),
        ([{"product": "CH", "quantity": D("1")}], "order_line"),
    ],
)
def test_bad_lines_are_refused_with_the_field_named_and_nothing_is_saved(company, goods, chair, make, lines, field):
    order = goods["order"]("5")
    other = goods["order"]("1")
    for raw in lines:
        if "product" not in raw:  # a line naming a product instead of one of the order's lines is refused
            raw.setdefault("order_line", line_of(order).pk)
        if raw.get("order_line") == "other":
            raw["order_line"] = line_of(other).pk  # a line of another order
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        make(order, lines=lines)
    assert field in refused.value.details["lines"][0]
    assert snapshot(company) == before


@pytest.mark.parametrize("lines", [[], "all", [None], [["order_line", 1]]])
def test_lines_that_are_not_a_list_of_lines_are_refused(company, goods, make, lines):
    order = goods["order"]("1")
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        make(order, lines=lines)
    assert "lines" in refused.value.details
    assert snapshot(company) == before


def test_one_bad_line_among_good_ones_saves_nothing(company, goods, make):
    order = goods["order"]("5")
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        make(order, lines=[{"order_line": line_of(order).pk, "quantity": D("1")}, {"order_line": line_of(order).pk, "quantity": D("-2")}])
    assert refused.value.details["lines"][0] == {} and "quantity" in refused.value.details["lines"][1]
    assert snapshot(company) == before


def test_only_confirmed_orders_are_delivered(company, goods, chair, make, admin):
    draft = sales_services.order_create(
        company=company,
        actor=admin,
        membership=goods["membership"],
        customer=goods["customer"],
        lines=[{"product": chair, "quantity": D("1")}],
    )
    with pytest.raises(InvalidTransition):
        make(draft)
    order = goods["order"]("1")
    sales_services.order_cancel(order=order, actor=admin)
    with pytest.raises(InvalidTransition):
        make(order)
    assert not Delivery.objects.exists()


def test_a_salesperson_outside_the_customers_scope_cannot_make_a_delivery(company, users, goods):
    order = goods["order"]("1")
    outsider = users["sales3"]
    with pytest.raises(Invalid) as refused:
        fulfilment.delivery_create(order=order, actor=outsider, membership=outsider.memberships.get(company=company))
    assert "customer" in refused.value.details
    assert not Delivery.objects.exists()


# --- Workflow -----------------------------------------------------------------------------------------------


def test_pick_ship_deliver_is_the_path_and_each_step_is_stamped(goods, make, admin):
    goods["receive"]("1")
    delivery = make(goods["order"]("1"))
    delivery = fulfilment.delivery_pick(delivery=delivery, actor=admin)
    assert delivery.status == "picked" and delivery.picked_at is not None
    delivery = fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert delivery.status == "shipped" and delivery.shipped_at is not None
    delivery = fulfilment.delivery_deliver(delivery=delivery, actor=admin, note="signed by J.")
    assert delivery.status == "delivered" and delivery.delivered_at is not None


def test_a_draft_may_ship_without_being_picked(goods, make, admin):
    goods["receive"]("1")
    assert fulfilment.delivery_ship(delivery=make(goods["order"]("1")), actor=admin).status == "shipped"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "deliver"),
        (["pick"], "pick"),
        (["pick"], "deliver"),
        (["ship"], "pick"),
        (["ship"], "ship"),
        (["ship"], "cancel"),
        (["ship", "deliver"], "deliver"),
        (["ship", "deliver"], "cancel"),
        (["ship", "deliver"], "ship"),
        (["cancel"], "ship"),
        (["cancel"], "pick"),
        (["cancel"], "cancel"),
        (["cancel"], "deliver"),
    ],
)
def test_a_refused_transition_is_invalid_transition_and_changes_nothing(company, goods, make, admin, path, refused):
    goods["receive"]("2")
    delivery = make(goods["order"]("2"))
    actions = {
        "pick": lambda d: fulfilment.delivery_pick(delivery=d, actor=admin),
        "ship": lambda d: fulfilment.delivery_ship(delivery=d, actor=admin),
        "deliver": lambda d: fulfilment.delivery_deliver(delivery=d, actor=admin),
        "cancel": lambda d: fulfilment.delivery_cancel(delivery=d, actor=admin, reason="x"),
    }
    for step in path:
        delivery = actions[step](delivery)
    before = snapshot(company)
    events = delivery_events(delivery)
    with pytest.raises(InvalidTransition) as error:
        actions[refused](delivery)
    assert error.value.code == "invalid_transition"
    assert snapshot(company) == before
    assert delivery_events(delivery) == events


def delivery_events(delivery) -> int:
    from salesdesk.core.workflow import events_for

    return len(list(events_for(delivery)))


def test_shipping_a_cancelled_delivery_is_refused_and_the_stock_stays_reserved(company, goods, chair, make, admin):
    goods["receive"]("3")
    order = goods["order"]("3")
    delivery = fulfilment.delivery_cancel(delivery=make(order), actor=admin, reason="customer away")
    before = snapshot(company)
    with pytest.raises(InvalidTransition) as refused:
        fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert (refused.value.details["from_status"], refused.value.details["to_status"]) == ("cancelled", "shipped")
    assert snapshot(company) == before
    assert StockLevel.objects.values_list("on_hand", "reserved").get(product=chair) == (D("3"), D("3"))
    assert Delivery.objects.get(pk=delivery.pk).status == "cancelled"


def test_a_delivery_of_a_cancelled_order_cannot_ship(company, goods, make, admin):
    goods["receive"]("2")
    order = goods["order"]("2")
    delivery = make(order)
    sales_services.order_cancel(order=order, actor=admin, reason="customer went bust")
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert snapshot(company) == before


def test_notes_stay_editable_after_shipping_but_not_the_date_or_the_goods(company, goods, make, admin):
    goods["receive"]("1")
    delivery = make(goods["order"]("1"))
    fulfilment.delivery_update(delivery=delivery, actor=admin, values={"carrier": "UPS", "date": timezone.localdate()})
    delivery = fulfilment.delivery_ship(delivery=delivery, actor=admin)
    fulfilment.delivery_update(delivery=delivery, actor=admin, values={"tracking_number": "1Z999", "notes": "left at gate"})
    delivery.refresh_from_db()
    assert (delivery.carrier, delivery.tracking_number, delivery.notes) == ("UPS", "1Z999", "left at gate")
    with pytest.raises(InvalidTransition):
        fulfilment.delivery_update(delivery=delivery, actor=admin, values={"date": timezone.localdate()})
    with pytest.raises(Invalid) as refused:
        fulfilment.delivery_update(delivery=delivery, actor=admin, values={"cost_amount": D("0"), "status": "draft"})
    assert set(refused.value.details) == {"cost_amount", "status"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.cost_amount) == ("shipped", D("60.00"))


# --- Shipping: stock and cost of goods sold ------------------------------------------------------------------


def test_shipping_takes_the_stock_and_books_its_cost_exactly(company, goods, chair, make, admin):
    goods["receive"]("3", "60")
    goods["receive"]("4", "66.3333")  # 265.33: 445.33 for 7
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.GOODS_RECEIVED)) == (D("445.33"), D("-445.33"))
    order = goods["order"]("5")
    delivery = fulfilment.delivery_ship(delivery=make(order), actor=admin)
    # 445.33 * 5 / 7 = 318.0928... -> 318.09
    assert delivery.cost_amount == D("318.09")
    assert list(delivery.lines.values_list("cost", flat=True)) == [D("318.09")]
    move = delivery.lines.get().move
    assert (move.kind, move.quantity, move.value, move.reference) == ("delivery", D("-5"), D("-318.09"), delivery.number)
    assert StockLevel.objects.values_list("on_hand", "reserved", "available", "value").get(product=chair) == (
        D("2"),
        D("0"),
        D("2"),
        D("127.24"),
    )
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("127.24"), D("318.09"))
    entry = delivery.journal_entry
    assert sorted((line.account.role, line.debit, line.credit) for line in entry.lines.select_related("account")) == [
        (ROLE.COST_OF_GOODS_SOLD, D("318.09"), D("0.00")),
        (ROLE.INVENTORY, D("0.00"), D("318.09")),
    ]
    # The rest ships at exactly what is left: the books and the stock agree to the cent.
    second = fulfilment.delivery_ship(delivery=make(goods["order"]("2")), actor=admin)
    assert second.cost_amount == D("127.24")
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("0.00"), D("445.33"))
    assert stock_selectors.level_mismatches(company) == []
    tb = ledger_selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit
    assert ledger_selectors.maintained_balances(company) == ledger_selectors.balances_from_entries(company)


def test_a_delivery_at_zero_cost_ships_without_a_ledger_entry(company, goods, make, admin):
    goods["receive"]("1", "0")
    delivery = fulfilment.delivery_ship(delivery=make(goods["order"]("1")), actor=admin)
    assert (delivery.cost_amount, delivery.journal_entry) == (D("0.00"), None)
    assert balance(company, ROLE.COST_OF_GOODS_SOLD) == D("0.00")


def test_shipping_short_of_stock_ships_nothing(company, goods, chair, table, make, admin):
    goods["receive"]("2")
    goods["receive"]("1", "150", product=table)
    order = sales_services.order_create(
        company=company,
        actor=admin,
        membership=goods["membership"],
        customer=goods["customer"],
        lines=[{"product": table, "quantity": D("1")}, {"product": chair, "quantity": D("3")}],
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=goods["membership"])
    delivery = make(order)
    before = snapshot(company)
    with pytest.raises(InsufficientStock) as refused:
        fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert refused.value.code == "insufficient_stock" and refused.value.status == 409
    assert snapshot(company) == before
    assert Delivery.objects.get(pk=delivery.pk).status == "draft"


def test_a_delivery_never_ships_stock_reserved_for_an_older_order(company, goods, make, admin):
    goods["receive"]("2")
    older = goods["order"]("2")
    newer = goods["order"]("1")
    delivery = make(newer)
    before = snapshot(company)
    with pytest.raises(InsufficientStock):
        fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert snapshot(company) == before
    fulfilment.delivery_ship(delivery=make(older), actor=admin)


# --- Partial deliveries, backorders and the order's delivery state ----------------------------------------------


def test_a_delivery_of_everything_outstanding_with_only_part_in_stock_ships_nothing(company, goods, make, admin):
    goods["receive"]("3", "60")
    order = goods["order"]("5")
    delivery = make(order)
    before = snapshot(company)
    with pytest.raises(InsufficientStock):
        fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert snapshot(company) == before
    order.refresh_from_db()
    assert order.delivery_state == "none"


@pytest.fixture
def partial(goods, make, admin):
    """5 ordered, 3 in stock at 60 shipped: a backorder of 2."""
    goods["receive"]("3", "60")
    order = goods["order"]("5")
    first = make(order, lines=[{"order_line": line_of(order).pk, "quantity": D("3")}])
    fulfilment.delivery_ship(delivery=first, actor=admin)
    order.refresh_from_db()
    return order, first


def test_shipping_part_of_an_order_leaves_the_rest_on_backorder(company, chair, partial):
    order, _first = partial
    assert order.delivery_state == "partial"
    [row] = selectors.order_lines_progress(order)
    assert (row["ordered"], row["delivered"], row["outstanding"], row["reserved"], row["backorder"], row["on_deliveries"]) == (
        D("5"),
        D("3"),
        D("2"),
        D("0"),
        D("2"),
        D("0"),
    )
    assert list(Reservation.objects.values_list("wanted", "reserved")) == [(D("2"), D("0"))]
    assert StockLevel.objects.values_list("on_hand", "reserved", "value").get(product=chair) == (D("0"), D("0"), D("0.00"))


def test_the_backorder_ships_once_stock_arrives_and_the_order_is_delivered(company, goods, chair, partial, make, admin):
    order, _ = partial
    goods["receive"]("4", "66")
    assert list(Reservation.objects.values_list("wanted", "reserved")) == [(D("2"), D("2"))]
    second = fulfilment.delivery_ship(delivery=make(order), actor=admin)
    assert second.cost_amount == D("132.00")
    order.refresh_from_db()
    assert order.delivery_state == "delivered" and order.status == "confirmed"
    assert not Reservation.objects.exists()
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("132.00"), D("312.00"))
    with pytest.raises(NothingToDeliver):
        make(order)


def test_an_order_closes_when_delivered_invoiced_and_paid_and_reopens_when_the_payment_is_reversed(company, goods, make, admin):
    goods["receive"]("2", "60")
    order = goods["order"]("2")
    delivery = fulfilment.delivery_ship(delivery=make(order), actor=admin)
    invoice = billing.invoice_post(
        invoice=billing.invoice_from_order(order=order, actor=admin, membership=goods["membership"], delivery=delivery), actor=admin
    )
    assert invoice.total_amount == D("242.00")
    order.refresh_from_db()
    assert (order.delivery_state, order.invoice_state, order.payment_state, order.status) == ("delivered", "invoiced", "none", "confirmed")
    part = billing.payment_create(
        company=company,
        actor=admin,
        customer=goods["customer"],
        amount=D("100.00"),
        allocations=[{"invoice": invoice, "amount": D("100.00")}],
    )
    order.refresh_from_db()
    assert (order.payment_state, order.status) == ("partial", "confirmed")
    rest = billing.payment_create(
        company=company,
        actor=admin,
        customer=goods["customer"],
        amount=D("142.00"),
        allocations=[{"invoice": invoice, "amount": D("142.00")}],
    )
    order.refresh_from_db()
    assert (order.payment_state, order.status) == ("paid", "closed")
    billing.payment_reverse(payment=rest, actor=admin, reason="chargeback")
    order.refresh_from_db()
    assert (order.payment_state, order.status) == ("partial", "confirmed")
    billing.payment_create(
        company=company,
        actor=admin,
        customer=goods["customer"],
        amount=D("142.00"),
        allocations=[{"invoice": invoice, "amount": D("142.00")}],
    )
    order.refresh_from_db()
    assert order.status == "closed"
    assert part.status == "posted"


def test_an_order_paid_and_invoiced_but_not_delivered_stays_open_until_it_ships(company, goods, customer_of, chair, make, admin):
    prepay = customer_of("sales", "PRE", status="active", invoice_policy="on_order")
    order = sales_services.order_create(
        company=company, actor=admin, membership=goods["membership"], customer=prepay, lines=[{"product": chair, "quantity": D("1")}]
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=goods["membership"])
    invoice = billing.invoice_post(
        invoice=billing.invoice_from_order(order=order, actor=admin, membership=goods["membership"]), actor=admin
    )
    billing.payment_create(
        company=company,
        actor=admin,
        customer=prepay,
        amount=invoice.total_amount,
        allocations=[{"invoice": invoice, "amount": invoice.total_amount}],
    )
    order.refresh_from_db()
    assert (order.delivery_state, order.invoice_state, order.payment_state, order.status) == ("none", "invoiced", "paid", "confirmed")
    goods["receive"]("1")
    fulfilment.delivery_ship(delivery=make(order), actor=admin)
    order.refresh_from_db()
    assert (order.delivery_state, order.status) == ("delivered", "closed")


def test_an_order_amended_below_what_an_open_delivery_holds_cannot_ship_it(company, goods, make, admin):
    goods["receive"]("5", "60")
    order = goods["order"]("5")
    delivery = make(order)
    line = line_of(order)
    sales_services.order_amend(
        order=order,
        actor=admin,
        membership=goods["membership"],
        lines=[{"id": line.pk, "product": line.product, "quantity": D("3"), "unit_price": line.unit_price}],
    )
    before = snapshot(company)
    with pytest.raises(OverDelivery) as refused:
        fulfilment.delivery_ship(delivery=delivery, actor=admin)
    assert refused.value.code == "over_delivery"
    assert snapshot(company) == before
