"""The floor rule and authority bands (pure)."""

from decimal import Decimal as D

from salesdesk.sales.floors import FloorInputs, LineCheck, allowed_price, breaches, floor_price


def test_the_highest_minimum_is_the_floor():
    f = FloorInputs(
        list_price=D("100"),
        cost=D("60"),
        product_floor_price=D("80"),
        product_max_discount_percent=D("15"),
        product_min_margin_percent=D("40"),
    )
    assert floor_price(f) == D("85.0000")  # 100 - 15 % beats 80 and 60 + 40 % = 84


def test_an_entry_max_discount_is_measured_from_the_entry_price():
    f = FloorInputs(
        list_price=D("100"), cost=D("0"), entry_price=D("94"), entry_max_discount_percent=D("5"), product_max_discount_percent=D("1")
    )
    assert floor_price(f) == D("89.3000")


def test_the_floor_never_lies_above_the_price_the_company_set():
    f = FloorInputs(list_price=D("100"), cost=D("0"), product_floor_price=D("85"), authorized_price=D("80"))
    assert floor_price(f) == D("80.0000")


def test_nothing_limits_a_product_without_floors():
    assert floor_price(FloorInputs(list_price=D("100"), cost=D("0"))) is None


def test_bands_salesperson_manager_and_administrator():
    lines = [LineCheck(key=0, net_unit_price=D("8.50"), floor=D("9.00"))]
    assert [b.allowed for b in breaches(lines, D("0"))] == [D("9.0000")]
    assert breaches(lines, D("10")) == []  # a manager may go to 8.10
    assert breaches(lines, None) == []  # administrators have no limit
    assert allowed_price(D("9.00"), D("10")) == D("8.1000")
