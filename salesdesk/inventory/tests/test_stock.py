"""Stock moves, maintained levels and reservations at the service level: moving-average cost kept
exact to the cent, levels that never go below nothing, a conditional take that a stale read cannot
fool, and a rebuild of every level from its moves after random sequences of operations."""

from datetime import UTC
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid
from salesdesk.inventory import selectors
from salesdesk.inventory import services as stock
from salesdesk.inventory.errors import InsufficientStock
from salesdesk.inventory.models import Reservation, StockLevel, StockMove, Warehouse

D = Decimal


@pytest.fixture
def warehouse(company):
    return Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")


@pytest.fixture
def put_in(company, product, warehouse):
    def move(quantity, cost=None, *, value=None, target=None, kind="receipt"):
        return stock.move_in(
            company=company,
            product=target or product,
            warehouse=warehouse,
            quantity=D(quantity),
            kind=kind,
            unit_cost=None if cost is None else D(cost),
            value=None if value is None else D(value),
        )

    return move


@pytest.fixture
def take_out(company, product, warehouse):
    def move(quantity, *, line=None, value=None, kind="delivery"):
        # Inside an action's transaction, as every caller takes stock out: a refusal undoes it.
        with transaction.atomic():
            return stock.move_out(
                company=company,
                product=product,
                warehouse=warehouse,
                quantity=D(quantity),
                kind=kind,
                order_line_id=line,
                value=None if value is None else D(value),
            )

    return move


@pytest.fixture
def claim(company, product, warehouse):
    def reserve(line_id, wanted, priority=None):
        with transaction.atomic():  # inside an action's transaction, as every caller reserves
            return stock.reserve(
                company_id=company.pk,
                product_id=product.pk,
                warehouse_id=warehouse.pk,
                order_line_id=line_id,
                reference=f"SO-{line_id}",
                wanted=D(wanted),
                priority=priority,
            )

    return reserve


def level_of(product, warehouse) -> tuple:
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    return level.on_hand, level.reserved, level.available, level.value


def claims(company) -> list[tuple]:
    return list(Reservation.objects.filter(company=company).order_by("priority", "id").values_list("order_line_id", "wanted", "reserved"))


# --- Moves in ----------------------------------------------------------------------------------------------


def test_stock_coming_in_adds_quantity_and_value_and_writes_one_move(company, product, warehouse, put_in):
    move = put_in("3", "10.3333")
    assert level_of(product, warehouse) == (D("3"), D("0"), D("3"), D("31.00"))
    assert (move.kind, move.quantity, move.value, move.unit_cost) == ("receipt", D("3"), D("31.00"), D("10.3333"))
    assert StockMove.objects.filter(company=company).count() == 1


def test_without_a_cost_stock_comes_in_at_the_products_cost(product, warehouse, put_in):
    put_in("4")
    assert level_of(product, warehouse) == (D("4"), D("0"), D("4"), D("24.00"))


def test_stock_can_come_in_at_an_exact_value(product, warehouse, put_in):
    move = put_in("3", value="10.00", kind="refusal")
    assert level_of(product, warehouse)[3] == D("10.00")
    assert (move.value, move.unit_cost) == (D("10.00"), D("3.3333"))


@pytest.mark.parametrize("quantity", [D("0"), D("-1"), D("NaN"), D("Infinity"), 3, "2"])
def test_a_quantity_that_is_not_a_positive_decimal_is_refused_and_nothing_moves(company, product, warehouse, quantity):
    with pytest.raises(Invalid) as refused:
        stock.move_in(company=company, product=product, warehouse=warehouse, quantity=quantity, kind="receipt")
    assert "quantity" in refused.value.details
    with pytest.raises(Invalid):
        stock.move_out(company=company, product=product, warehouse=warehouse, quantity=quantity, kind="delivery")
    assert not StockMove.objects.exists()
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()


def test_a_negative_unit_cost_is_refused(company, product, warehouse):
    with pytest.raises(Invalid) as refused:
        stock.move_in(company=company, product=product, warehouse=warehouse, quantity=D("1"), kind="receipt", unit_cost=D("-0.01"))
    assert "unit_cost" in refused.value.details
    assert not StockMove.objects.exists()


# --- Moves out and moving average ---------------------------------------------------------------------------


def test_moving_average_takes_each_share_rounded_and_the_last_unit_takes_the_rest(product, warehouse, put_in, take_out):
    put_in("3", value="10.00")
    first = take_out("1")
    second = take_out("1")
    last = take_out("1")
    # 10.00 / 3 = 3.33; then 6.67 / 2 = 3.335 -> 3.34 (half up); the last unit takes the 3.33 left.
    assert [first.value, second.value, last.value] == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert level_of(product, warehouse) == (D("0"), D("0"), D("0"), D("0.00"))
    assert selectors.level_mismatches(product.company) == []


def test_the_average_blends_receipts_at_different_costs(product, warehouse, put_in, take_out):
    put_in("2", "10.00")
    put_in("3", "12.50")  # 20.00 + 37.50 = 57.50 for 5: 11.50 each
    out = take_out("2")
    assert (out.value, out.unit_cost) == (D("-23.00"), D("11.5000"))
    assert level_of(product, warehouse) == (D("3"), D("0"), D("3"), D("34.50"))
    put_in("1", "14.50")  # 34.50 + 14.50 = 49.00 for 4
    assert take_out("4").value == D("-49.00")
    assert level_of(product, warehouse) == (D("0"), D("0"), D("0"), D("0.00"))


def test_fractional_quantities_keep_the_value_exact(product, warehouse, put_in, take_out):
    put_in("1.5", "7.3333")  # 10.99995 -> 11.00
    assert take_out("0.7").value == D("-5.13")  # 11.00 * 0.7 / 1.5 = 5.1333
    assert take_out("0.8").value == D("-5.87")  # the rest
    assert level_of(product, warehouse) == (D("0"), D("0"), D("0"), D("0.00"))


def test_an_exact_value_out_never_takes_more_than_the_level_holds(product, warehouse, put_in, take_out):
    put_in("2", "5.00")
    assert take_out("1", value="99.00", kind="scrap").value == D("-10.00")
    assert level_of(product, warehouse) == (D("1"), D("0"), D("1"), D("0.00"))
    assert selectors.level_mismatches(product.company) == []


def test_taking_more_than_is_on_hand_is_refused_and_nothing_changes(company, product, warehouse, put_in, take_out):
    put_in("2", "5.00")
    with pytest.raises(InsufficientStock) as refused:
        take_out("3")
    assert refused.value.code == "insufficient_stock" and refused.value.status == 409
    assert D(refused.value.details["available"]) == D("2")
    assert level_of(product, warehouse) == (D("2"), D("0"), D("2"), D("10.00"))
    assert StockMove.objects.filter(company=company).count() == 1


def test_taking_from_an_empty_warehouse_is_refused_and_leaves_no_move(company, product, warehouse, take_out):
    with pytest.raises(InsufficientStock):
        take_out("1")
    assert not StockMove.objects.exists()
    assert selectors.level_mismatches(company) == []


def test_stock_promised_to_another_order_line_is_never_taken(company, product, warehouse, put_in, take_out, claim):
    put_in("5", "2.00")
    assert claim(101, "4") == D("4")
    with pytest.raises(InsufficientStock):
        take_out("2")  # only 1 is free
    with pytest.raises(InsufficientStock):
        take_out("2", line=202)  # a line with no claim takes only free stock
    assert level_of(product, warehouse) == (D("5"), D("4"), D("1"), D("10.00"))
    take_out("1")
    assert level_of(product, warehouse) == (D("4"), D("4"), D("0"), D("8.00"))
    assert claims(company) == [(101, D("4"), D("4"))]


def test_a_line_takes_its_own_reservation_first_and_its_claim_shrinks(company, product, warehouse, put_in, take_out, claim):
    put_in("6", "3.00")
    claim(101, "4")
    take_out("3", line=101)
    assert level_of(product, warehouse) == (D("3"), D("1"), D("2"), D("9.00"))
    assert claims(company) == [(101, D("1"), D("1"))]
    take_out("2", line=101)  # its last reserved unit, then one free
    assert level_of(product, warehouse) == (D("1"), D("0"), D("1"), D("3.00"))
    assert claims(company) == []  # nothing left wanted: the claim is gone
    assert selectors.level_mismatches(company) == []


def test_a_line_short_of_its_reservation_plus_free_stock_is_refused_and_keeps_its_claim(
    company, product, warehouse, put_in, take_out, claim
):
    put_in("3", "3.00")
    claim(101, "2")
    claim(102, "1")
    with pytest.raises(InsufficientStock):
        take_out("3", line=101)  # 2 reserved, 0 free: the third is 102's
    assert claims(company) == [(101, D("2"), D("2")), (102, D("1"), D("1"))]
    assert level_of(product, warehouse) == (D("3"), D("3"), D("0"), D("9.00"))


def test_the_take_is_conditional_so_a_stale_read_cannot_take_stock_that_is_gone(company, product, warehouse, put_in, take_out, monkeypatch):
    """The level row read before the update may be stale (another writer on another engine); the
    UPDATE ... WHERE available >= n decides, and a refused take changes nothing."""
    put_in("1", "4.00")
    real = stock.locked_levels

    def stale(**keys):
        levels = real(**keys)
        for level in levels.values():
            level.on_hand, level.available, level.value = D("10"), D("10"), D("40.00")
        return levels

    monkeypatch.setattr(stock, "locked_levels", stale)
    with pytest.raises(InsufficientStock):
        take_out("5")
    monkeypatch.undo()
    assert level_of(product, warehouse) == (D("1"), D("0"), D("1"), D("4.00"))
    assert StockMove.objects.filter(company=company).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("on_hand", D("-1")), ("reserved", D("-1")), ("available", D("-1")), ("value", D("-0.01")), ("reserved", D("3"))],
)
def test_the_database_refuses_a_level_below_nothing_or_reserving_more_than_is_on_hand(product, warehouse, put_in, field, value):
    put_in("2", "1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product, warehouse=warehouse).update(**{field: value})
    assert level_of(product, warehouse) == (D("2"), D("0"), D("2"), D("2.00"))


def test_the_database_refuses_a_move_that_goes_the_wrong_way(company, product, warehouse):
    common = {"company": company, "product": product, "warehouse": warehouse, "unit_cost": D("1"), "date": "2026-01-01"}
    for kind, quantity, value in [("delivery", D("1"), D("1.00")), ("receipt", D("-1"), D("-1.00")), ("receipt", D("0"), D("0.00"))]:
        with pytest.raises(IntegrityError), transaction.atomic():
            StockMove.objects.create(kind=kind, quantity=quantity, value=value, **common)


# --- Reservations and allocation -----------------------------------------------------------------------------


def test_a_claim_takes_what_is_free_and_the_rest_waits(company, product, warehouse, put_in, claim):
    put_in("3", "1.00")
    assert claim(101, "5") == D("3")
    assert claim(102, "2") == D("0")
    assert level_of(product, warehouse) == (D("3"), D("3"), D("0"), D("3.00"))
    assert claims(company) == [(101, D("5"), D("3")), (102, D("2"), D("0"))]
    assert selectors.product_totals(company, product.pk)["backorder"] == D("4.0000")


def test_new_stock_goes_to_waiting_lines_by_priority_not_by_arrival(company, product, warehouse, put_in, claim):
    from datetime import datetime

    late, early = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    claim(101, "2", priority=late)
    claim(102, "2", priority=early)
    put_in("3", "1.00")
    assert claims(company) == [(102, D("2"), D("2")), (101, D("2"), D("1"))]
    assert level_of(product, warehouse)[:3] == (D("3"), D("3"), D("0"))


def test_stock_passing_through_is_not_given_to_waiting_lines(company, product, warehouse, put_in, claim):
    claim(101, "2")
    stock.move_in(
        company=company, product=product, warehouse=warehouse, quantity=D("1"), kind="return", value=D("6.00"), serve_waiting=False
    )
    assert claims(company) == [(101, D("2"), D("0"))]
    assert level_of(product, warehouse) == (D("1"), D("0"), D("1"), D("6.00"))


def test_a_smaller_claim_gives_stock_back_to_the_next_in_line(company, product, warehouse, put_in, claim):
    put_in("4", "1.00")
    claim(101, "4")
    claim(102, "3")
    stock.set_wanted(company_id=company.pk, order_line_id=101, wanted=D("1"))
    assert claims(company) == [(101, D("1"), D("1")), (102, D("3"), D("3"))]
    stock.set_wanted(company_id=company.pk, order_line_id=101, wanted=D("3"))  # wants more again, but 102 holds it now
    assert claims(company) == [(101, D("3"), D("1")), (102, D("3"), D("3"))]
    stock.release(company_id=company.pk, order_line_ids=[102])
    assert claims(company) == [(101, D("3"), D("3"))]
    assert level_of(product, warehouse) == (D("4"), D("3"), D("1"), D("4.00"))
    assert selectors.level_mismatches(company) == []


def test_stock_counted_missing_takes_from_the_newest_claims_first(company, product, warehouse, put_in, take_out, claim):
    put_in("5", "1.00")
    claim(101, "3")
    claim(102, "2")
    level = stock.locked_level(company_id=company.pk, product_id=product.pk, warehouse_id=warehouse.pk)
    stock.free_for_removal(level=level, quantity=D("3"))
    take_out("3", kind="adjustment")
    assert claims(company) == [(101, D("3"), D("2")), (102, D("2"), D("0"))]
    assert level_of(product, warehouse) == (D("2"), D("2"), D("0"), D("2.00"))
    assert selectors.level_mismatches(company) == []


def test_the_rebuild_check_reports_a_level_that_drifted_from_its_moves(company, product, warehouse, put_in):
    put_in("2", "1.00")
    assert selectors.level_mismatches(company) == []
    StockLevel.objects.filter(product=product).update(value=D("3.00"))
    [problem] = selectors.level_mismatches(company)
    assert problem["level"]["value"] == D("3.00") and problem["moves"]["value"] == D("2.00")


# --- Random sequences: the levels always equal their moves ---------------------------------------------------

quantities = st.sampled_from([D("1"), D("2"), D("3"), D("0.5"), D("1.25"), D("7")])
costs = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("in"), quantities, costs),
        st.tuples(st.just("out"), quantities),
        st.tuples(st.just("claim"), quantities),
        st.tuples(st.just("ship"), st.integers(0, 5), quantities),
        st.tuples(st.just("want"), st.integers(0, 5), st.sampled_from([D("0"), D("1"), D("2.5"), D("6")])),
        st.tuples(st.just("release"), st.integers(0, 5)),
        st.tuples(st.just("count_out"), quantities),
    ),
    min_size=1,
    max_size=25,
)


def _check_invariants(company, product, warehouse) -> None:
    assert selectors.level_mismatches(company) == []
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    if level is None:
        return
    assert level.on_hand >= 0 and level.reserved >= 0 and level.available >= 0 and level.value >= 0
    assert level.available == level.on_hand - level.reserved
    if level.on_hand == 0:
        assert level.value == 0  # the last unit out took the rest of the value
    reserved = Reservation.objects.filter(company=company).aggregate(total=Sum("reserved"))["total"] or 0
    assert D(str(reserved)).quantize(D("0.0001")) == level.reserved
    if level.available > 0:
        # Free stock never sits while a line waits.
        assert all(r.reserved == r.wanted for r in Reservation.objects.filter(company=company))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=operations)
def test_after_any_sequence_of_operations_every_level_equals_its_moves(company, unit_pc, warehouse, steps):
    with transaction.atomic():
        product = Product.objects.create(company=company, sku="H", name="Hyp", unit=unit_pc, list_price=D("1"), cost=D("2.5"))
        args = {"company": company, "product": product, "warehouse": warehouse}
        lines: list[int] = []
        for step in steps:
            try:
                with transaction.atomic():
                    if step[0] == "in":
                        stock.move_in(quantity=step[1], kind="receipt", unit_cost=step[2], **args)
                    elif step[0] == "out":
                        stock.move_out(quantity=step[1], kind="delivery", **args)
                    elif step[0] == "claim":
                        lines.append(len(lines) + 1)
                        stock.reserve(
                            company_id=company.pk,
                            product_id=product.pk,
                            warehouse_id=warehouse.pk,
                            order_line_id=lines[-1],
                            reference="",
                            wanted=step[1],
                            priority=None,
                        )
                    elif step[0] == "ship" and lines:
                        stock.move_out(quantity=step[2], kind="delivery", order_line_id=lines[step[1] % len(lines)], **args)
                    elif step[0] == "want" and lines:
                        stock.set_wanted(company_id=company.pk, order_line_id=lines[step[1] % len(lines)], wanted=step[2])
                    elif step[0] == "release" and lines:
                        stock.release(company_id=company.pk, order_line_ids=[lines[step[1] % len(lines)]])
                    elif step[0] == "count_out":
                        level = stock.locked_level(company_id=company.pk, product_id=product.pk, warehouse_id=warehouse.pk)
                        stock.free_for_removal(level=level, quantity=step[1])
                        stock.move_out(quantity=step[1], kind="adjustment", **args)
            except InsufficientStock:
                pass  # refused: the savepoint is rolled back, and the invariants below must still hold
            _check_invariants(company, product, warehouse)
        transaction.set_rollback(True)


# --- A whole document at once ------------------------------------------------------------------------------


@pytest.fixture
def second_product(company, unit_pc, vat21):
    return Product.objects.create(company=company, sku="P-20", name="Gadget", unit=unit_pc, list_price=D("20"), cost=D("8.00"), tax=vat21)


def test_a_delivery_ships_all_its_lines_with_one_move_each_at_moving_average(company, product, second_product, warehouse, put_in, claim):
    put_in("3", "3.3333")  # 10.00 for three
    put_in("2", "8.00", target=second_product)
    claim(101, "1")
    moves = stock.move_out_many(
        company=company,
        warehouse=warehouse,
        items=[
            {"product": product, "quantity": D("1"), "order_line_id": 101},
            {"product": second_product, "quantity": D("2"), "order_line_id": None},
            {"product": product, "quantity": D("2"), "order_line_id": None},  # the same product again: the last units take the rest
        ],
        kind="delivery",
        reference="DL-1",
    )
    assert [(m.product_id, m.quantity, m.value) for m in moves] == [
        (product.pk, D("-1"), D("-3.33")),
        (second_product.pk, D("-2"), D("-16.00")),
        (product.pk, D("-2"), D("-6.67")),
    ]
    assert all(m.pk for m in moves)
    assert level_of(product, warehouse) == (D("0"), D("0"), D("0"), D("0.00"))
    assert level_of(second_product, warehouse) == (D("0"), D("0"), D("0"), D("0.00"))
    assert claims(company) == []  # the claim was used up


def test_one_line_short_refuses_the_whole_delivery_and_nothing_moves(company, product, second_product, warehouse, put_in, claim):
    put_in("3", "3.00")
    put_in("1", "8.00", target=second_product)
    claim(101, "2")
    with pytest.raises(InsufficientStock) as refused, transaction.atomic():  # the action's transaction
        stock.move_out_many(
            company=company,
            warehouse=warehouse,
            items=[
                {"product": product, "quantity": D("2"), "order_line_id": 101},
                {"product": second_product, "quantity": D("2"), "order_line_id": None},
            ],
            kind="delivery",
        )
    assert refused.value.details["product"] == second_product.pk
    assert level_of(product, warehouse) == (D("3"), D("2"), D("1"), D("9.00"))
    assert level_of(second_product, warehouse) == (D("1"), D("0"), D("1"), D("8.00"))
    assert claims(company) == [(101, D("2"), D("2"))]
    assert StockMove.objects.filter(company=company, kind="delivery").count() == 0


@pytest.mark.parametrize("lines", [1, 5])
def test_shipping_one_line_or_five_costs_the_same_statements(company, unit_pc, vat21, warehouse, lines, django_assert_num_queries):
    products = [
        Product.objects.create(company=company, sku=f"Q-{n}", name=f"Q{n}", unit=unit_pc, cost=D("1.00"), tax=vat21) for n in range(lines)
    ]
    for n, product in enumerate(products):
        stock.move_in(company=company, product=product, warehouse=warehouse, quantity=D("5"), kind="receipt")
        stock.reserve(
            company_id=company.pk,
            product_id=product.pk,
            warehouse_id=warehouse.pk,
            order_line_id=200 + n,
            reference="SO",
            wanted=D("1"),
            priority=None,
        )
    items = [{"product": product, "quantity": D("1"), "order_line_id": 200 + n} for n, product in enumerate(products)]
    # levels, claims, the levels' updates (one call), claims used up, moves: no savepoint
    with django_assert_num_queries(5):
        stock.move_out_many(company=company, warehouse=warehouse, items=items, kind="delivery")
    assert [level_of(product, warehouse) for product in products] == [(D("4"), D("0"), D("4"), D("4.00"))] * lines


def test_claims_of_one_order_take_what_is_free_in_the_order_given(company, product, second_product, warehouse, put_in):
    put_in("3", "1.00")
    got = stock.reserve_many(
        company_id=company.pk,
        warehouse_id=warehouse.pk,
        claims=[(301, product.pk, D("2")), (302, second_product.pk, D("1")), (303, product.pk, D("2"))],
        reference="SO-1",
        priority=None,
    )
    assert got == {301: D("2"), 302: D("0"), 303: D("1")}
    assert claims(company) == [(301, D("2"), D("2")), (302, D("1"), D("0")), (303, D("2"), D("1"))]
    assert level_of(product, warehouse) == (D("3"), D("3"), D("0"), D("3.00"))
    assert level_of(second_product, warehouse) == (D("0"), D("0"), D("0"), D("0.00"))


def test_a_claim_of_nothing_refuses_the_whole_order_and_nothing_is_set_aside(company, product, warehouse, put_in):
    put_in("3", "1.00")
    with pytest.raises(Invalid):
        stock.reserve_many(
            company_id=company.pk,
            warehouse_id=warehouse.pk,
            claims=[(301, product.pk, D("2")), (302, product.pk, D("0"))],
            reference="SO",
            priority=None,
        )
    assert claims(company) == []
    assert level_of(product, warehouse) == (D("3"), D("0"), D("3"), D("3.00"))
