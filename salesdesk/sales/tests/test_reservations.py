"""Stock reservations of orders: set aside at confirmation (the rest waits as a backorder), new stock
to waiting orders oldest first, claims released by cancellation and moved by amendment, service
lines counted delivered, the company's "block confirmation without stock" setting, and the credit
release reserving like a confirmation."""

from decimal import Decimal

import pytest

from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import CustomerAccount
from salesdesk.fulfilment import services as fulfilment
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.inventory.errors import InsufficientStock
from salesdesk.inventory.models import Reservation, StockLevel, Warehouse
from salesdesk.sales import services as sales
from salesdesk.sales.errors import CreditLimitExceeded
from salesdesk.sales.models import SalesOrder

D = Decimal


@pytest.fixture
def warehouse(company):
    return Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")


@pytest.fixture
def chair(company, unit_pc, vat21):
    return Product.objects.create(company=company, sku="CH", name="Chair", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=vat21)


@pytest.fixture
def table(company, unit_pc, vat21):
    return Product.objects.create(company=company, sku="TB", name="Table", unit=unit_pc, list_price=D("300.00"), cost=D("150"), tax=vat21)


@pytest.fixture
def setup_fee(company, unit_pc, vat21):
    return Product.objects.create(
        company=company, sku="SV", name="Assembly", unit=unit_pc, list_price=D("50.00"), cost=D("0"), tax=vat21, kind=Product.Kind.SERVICE
    )


@pytest.fixture
def desk(company, users, warehouse, chair, customer_of):
    """Shortcuts: `receive(qty)`, `draft([(product, qty), ...])`, `confirm(order)`, `order(qty)` (chairs, confirmed)."""
    admin = users["admin"]
    membership = admin.memberships.get(company=company)
    customer = customer_of("sales", "RSV", status="active")

    def receive(quantity, product=None, cost="60"):
        line = {"product": product or chair, "quantity": D(quantity), "unit_cost": D(cost)}
        return fulfilment.stock_adjust(company=company, actor=admin, warehouse=warehouse, reason="supplier", lines=[line], kind="receipt")

    def draft(lines, buyer=None):
        return sales.order_create(
            company=company,
            actor=admin,
            membership=membership,
            customer=buyer or customer,
            lines=[{"product": product, "quantity": D(quantity)} for product, quantity in lines],
        )

    def confirm(order):
        return sales.order_confirm(order=order, actor=admin, membership=membership)

    def order(quantity, product=None):
        return confirm(draft([(product or chair, quantity)]))

    return {
        "admin": admin,
        "membership": membership,
        "customer": customer,
        "receive": receive,
        "draft": draft,
        "confirm": confirm,
        "order": order,
    }


def level(product) -> tuple:
    row = StockLevel.objects.filter(product=product).first()
    return (row.on_hand, row.reserved, row.available) if row else (D("0"), D("0"), D("0"))


def claim(order) -> list[tuple]:
    """(wanted, reserved) of each goods line's claim, in line order (None when the line has none)."""
    found = stock_selectors.reservations_by_line(order.company, order.lines.values_list("pk", flat=True))
    return [
        (found[pk].wanted, found[pk].reserved) if pk in found else None
        for pk in order.lines.order_by("sequence", "id").values_list("pk", flat=True)
    ]


def amend_lines(order, changes):
    """The order's lines as amendment input: `changes` maps a line id to its new quantity (None removes it)."""
    lines = []
    for line in order.lines.select_related("product").order_by("sequence", "id"):
        quantity = changes.get(line.pk, line.quantity)
        if quantity is not None:
            lines.append({"id": line.pk, "product": line.product, "quantity": D(quantity), "unit_price": line.unit_price})
    return lines


# --- Confirmation -------------------------------------------------------------------------------------------


def test_confirming_reserves_what_is_available_and_the_rest_waits(company, desk, chair, warehouse):
    desk["receive"]("3")
    order = desk["order"]("5")
    assert order.warehouse == warehouse  # the company's only warehouse, set at confirmation
    assert claim(order) == [(D("5"), D("3"))]
    assert level(chair) == (D("3"), D("3"), D("0"))
    assert stock_selectors.product_totals(company, chair.pk)["backorder"] == D("2")
    order.refresh_from_db()
    assert order.delivery_state == "none"


def test_a_second_order_waits_behind_the_first(desk, chair):
    desk["receive"]("4")
    first, second = desk["order"]("3"), desk["order"]("3")
    assert (claim(first), claim(second)) == ([(D("3"), D("3"))], [(D("3"), D("1"))])


def test_the_default_warehouse_setting_is_where_an_order_reserves(company, desk, chair, warehouse):
    other = Warehouse.objects.create(company=company, code="AAA", name="Annex")
    assert sales.default_warehouse(company) == other  # first active by code
    sales.sales_settings_update(company=company, actor=desk["admin"], values={"default_warehouse": warehouse})
    desk["receive"]("2")
    order = desk["order"]("1")
    assert order.warehouse == warehouse and claim(order) == [(D("1"), D("1"))]


def test_new_stock_goes_to_waiting_orders_oldest_first(desk, chair):
    first, second, third = desk["order"]("2"), desk["order"]("3"), desk["order"]("1")
    assert [claim(o) for o in (first, second, third)] == [[(D("2"), D("0"))], [(D("3"), D("0"))], [(D("1"), D("0"))]]
    desk["receive"]("4")
    assert [claim(o) for o in (first, second, third)] == [[(D("2"), D("2"))], [(D("3"), D("2"))], [(D("1"), D("0"))]]
    desk["receive"]("5")
    assert [claim(o) for o in (first, second, third)] == [[(D("2"), D("2"))], [(D("3"), D("3"))], [(D("1"), D("1"))]]
    assert level(chair) == (D("9"), D("6"), D("3"))


def test_cancelling_releases_the_claim_and_the_freed_stock_goes_to_the_next_waiting_order(company, desk, chair):
    desk["receive"]("3")
    first, second, third = desk["order"]("3"), desk["order"]("2"), desk["order"]("2")
    assert (claim(second), claim(third)) == ([(D("2"), D("0"))], [(D("2"), D("0"))])
    sales.order_cancel(order=first, actor=desk["admin"], reason="customer changed their mind")
    assert claim(first) == [None]
    assert (claim(second), claim(third)) == ([(D("2"), D("2"))], [(D("2"), D("1"))])
    assert level(chair) == (D("3"), D("3"), D("0"))
    assert stock_selectors.level_mismatches(company) == []


def test_cancelling_a_waiting_order_leaves_the_others_as_they_were(desk, chair):
    desk["receive"]("2")
    first, second = desk["order"]("2"), desk["order"]("2")
    sales.order_cancel(order=second, actor=desk["admin"])
    assert (claim(first), claim(second)) == ([(D("2"), D("2"))], [None])
    assert level(chair) == (D("2"), D("2"), D("0"))


# --- Amendment ----------------------------------------------------------------------------------------------


def test_amending_down_gives_stock_to_the_next_waiting_order(company, desk, chair):
    desk["receive"]("5")
    first, second = desk["order"]("5"), desk["order"]("2")
    line = first.lines.get()
    sales.order_amend(order=first, actor=desk["admin"], membership=desk["membership"], lines=amend_lines(first, {line.pk: "3"}))
    assert (claim(first), claim(second)) == ([(D("3"), D("3"))], [(D("2"), D("2"))])
    assert level(chair) == (D("5"), D("5"), D("0"))


def test_amending_up_takes_free_stock_and_the_rest_waits_in_its_old_place(company, desk, chair):
    desk["receive"]("4")
    first, second = desk["order"]("2"), desk["order"]("1")
    line = first.lines.get()
    sales.order_amend(order=first, actor=desk["admin"], membership=desk["membership"], lines=amend_lines(first, {line.pk: "6"}))
    assert (claim(first), claim(second)) == ([(D("6"), D("3"))], [(D("1"), D("1"))])
    desk["receive"]("2")  # the first order keeps its place in line, ahead of later orders
    third = desk["order"]("1")
    assert (claim(first), claim(third)) == ([(D("6"), D("5"))], [(D("1"), D("0"))])
    assert Reservation.objects.get(order_line_id=line.pk).priority == SalesOrder.objects.get(pk=first.pk).confirmed_at


def test_removing_a_line_and_adding_another_moves_the_claims(company, desk, chair, table):
    desk["receive"]("3")
    desk["receive"]("1", product=table, cost="150")
    order = desk["confirm"](desk["draft"]([(chair, "2"), (table, "1")]))
    waiting = desk["order"]("2")
    assert claim(order) == [(D("2"), D("2")), (D("1"), D("1"))]
    chair_line = order.lines.get(product=chair)
    lines = [{"id": chair_line.pk, "product": chair, "quantity": D("2"), "unit_price": chair_line.unit_price}]
    lines.append({"product": table, "quantity": D("2")})  # the table line removed, a new table line added
    sales.order_amend(order=order, actor=desk["admin"], membership=desk["membership"], lines=lines)
    assert claim(order) == [(D("2"), D("2")), (D("2"), D("1"))]
    assert claim(waiting) == [(D("2"), D("1"))]
    assert level(table) == (D("1"), D("1"), D("0"))
    assert Reservation.objects.filter(company=company).count() == 3
    assert stock_selectors.level_mismatches(company) == []


def test_changing_a_lines_product_moves_its_claim_to_the_new_product(company, desk, chair, table):
    desk["receive"]("2")
    order = desk["order"]("2")
    line = order.lines.get()
    lines = [{"id": line.pk, "product": table, "quantity": D("1")}]
    sales.order_amend(order=order, actor=desk["admin"], membership=desk["membership"], lines=lines)
    assert level(chair) == (D("2"), D("0"), D("2"))
    assert Reservation.objects.get(order_line_id=line.pk).product == table
    assert claim(order) == [(D("1"), D("0"))]


def test_a_refused_amendment_leaves_the_claims_as_they_were(company, desk, chair):
    desk["receive"]("3")
    order = desk["order"]("3")
    with pytest.raises(Invalid):
        sales.order_amend(
            order=order, actor=desk["admin"], membership=desk["membership"], lines=[{"id": 999999, "product": chair, "quantity": D("1")}]
        )
    assert claim(order) == [(D("3"), D("3"))]
    assert level(chair) == (D("3"), D("3"), D("0"))


# --- Services -------------------------------------------------------------------------------------------------


def test_service_lines_count_as_delivered_at_confirmation_and_reserve_nothing(company, desk, chair, setup_fee):
    desk["receive"]("5")
    order = desk["confirm"](desk["draft"]([(chair, "2"), (setup_fee, "1")]))
    order.refresh_from_db()
    assert list(order.lines.order_by("sequence").values_list("delivered_quantity", flat=True)) == [D("0"), D("1")]
    assert order.delivery_state == "partial"
    assert claim(order) == [(D("2"), D("2")), None]
    assert not Reservation.objects.filter(product=setup_fee).exists()


def test_an_order_of_services_only_is_delivered_at_confirmation(desk, setup_fee):
    order = desk["confirm"](desk["draft"]([(setup_fee, "3")]))
    order.refresh_from_db()
    assert order.delivery_state == "delivered"
    assert not Reservation.objects.exists()


def test_a_service_line_added_by_amendment_counts_as_delivered(desk, chair, setup_fee):
    desk["receive"]("1")
    order = desk["order"]("1")
    lines = [*amend_lines(order, {}), {"product": setup_fee, "quantity": D("2")}]
    sales.order_amend(order=order, actor=desk["admin"], membership=desk["membership"], lines=lines)
    assert order.lines.get(product=setup_fee).delivered_quantity == D("2")


# --- Block confirmation without stock -------------------------------------------------------------------------


def test_with_block_without_stock_a_short_order_is_refused_and_nothing_is_saved(company, desk, chair, table):
    sales.sales_settings_update(company=company, actor=desk["admin"], values={"block_without_stock": True})
    desk["receive"]("2")
    desk["receive"]("5", product=table, cost="150")
    draft = desk["draft"]([(table, "1"), (chair, "3")])
    with pytest.raises(InsufficientStock) as refused:
        desk["confirm"](draft)
    assert refused.value.code == "insufficient_stock" and refused.value.status == 409
    chair_line = draft.lines.get(product=chair)
    [short] = refused.value.details["lines"]
    assert (short["order_line"], short["product"], D(short["quantity"]), D(short["available"])) == (chair_line.pk, chair.pk, D("3"), D("2"))
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.confirmed_at, draft.warehouse_id) == ("draft", "", None, None)
    assert not NumberCounter.objects.filter(company=company, series="SO").exists()
    assert not Reservation.objects.exists()
    assert (level(chair), level(table)) == ((D("2"), D("0"), D("2")), (D("5"), D("0"), D("5")))
    assert CustomerAccount.objects.get(customer=desk["customer"]).open_orders == D("0.00")


def test_with_block_without_stock_an_order_that_fits_is_confirmed(company, desk, chair):
    sales.sales_settings_update(company=company, actor=desk["admin"], values={"block_without_stock": True})
    desk["receive"]("3")
    order = desk["order"]("3")
    assert order.status == "confirmed" and claim(order) == [(D("3"), D("3"))]
    with pytest.raises(InsufficientStock):
        desk["order"]("1")
    assert SalesOrder.objects.filter(status="confirmed").count() == 1


def test_with_block_without_stock_services_need_no_stock(company, desk, setup_fee):
    sales.sales_settings_update(company=company, actor=desk["admin"], values={"block_without_stock": True})
    assert desk["confirm"](desk["draft"]([(setup_fee, "1")])).status == "confirmed"


def test_without_the_block_an_order_with_no_stock_at_all_is_confirmed_as_a_backorder(desk, chair):
    order = desk["order"]("4")
    assert order.status == "confirmed" and claim(order) == [(D("4"), D("0"))]


# --- Credit hold release ----------------------------------------------------------------------------------------


def test_releasing_an_order_held_for_credit_reserves_its_goods(company, users, desk, chair, customer_of):
    tight = customer_of("sales", "TIGHT", status="active", credit_limit=D("100.00"))
    desk["receive"]("3")
    held = desk["draft"]([(chair, "2")], buyer=tight)
    with pytest.raises(CreditLimitExceeded):
        desk["confirm"](held)
    held.refresh_from_db()
    assert held.status == "credit_hold" and claim(held) == [None]
    assert level(chair) == (D("3"), D("0"), D("3"))
    manager = users["manager"]
    released = sales.order_release_credit(
        order=held, actor=manager, membership=manager.memberships.get(company=company), reason="guarantee"
    )
    assert released.status == "confirmed" and claim(released) == [(D("2"), D("2"))]
    assert level(chair) == (D("3"), D("2"), D("1"))


def test_a_release_under_block_without_stock_is_refused_when_short_and_the_order_stays_held(company, users, desk, chair, customer_of):
    tight = customer_of("sales", "TIGHT", status="active", credit_limit=D("100.00"))
    held = desk["draft"]([(chair, "2")], buyer=tight)
    with pytest.raises(CreditLimitExceeded):
        desk["confirm"](held)
    sales.sales_settings_update(company=company, actor=desk["admin"], values={"block_without_stock": True})
    manager = users["manager"]
    with pytest.raises(InsufficientStock):
        sales.order_release_credit(order=held, actor=manager, membership=manager.memberships.get(company=company), reason="guarantee")
    held.refresh_from_db()
    assert (held.status, held.number, held.credit_release_reason) == ("credit_hold", "", "")
    assert not Reservation.objects.exists()


def test_a_cancelled_order_cannot_be_cancelled_again_and_its_claims_stay_released(desk, chair):
    desk["receive"]("1")
    order = desk["order"]("1")
    sales.order_cancel(order=order, actor=desk["admin"])
    with pytest.raises(InvalidTransition):
        sales.order_cancel(order=order, actor=desk["admin"])
    assert level(chair) == (D("1"), D("0"), D("1"))
