"""Price resolution: customer list, then group list, then default, then list price — with reasons."""

from datetime import date
from decimal import Decimal as D

import pytest

from salesdesk.catalog.pricing import Candidate, Entry, NoExchangeRate, PriceListData, ProductData, convert, resolve_price

TODAY = date(2026, 11, 23)
CHAIR = ProductData(id=1, list_price=D("100.00"), category_path=(11, 10))  # Chairs (11) under Furniture (10)
RATES = {"USD": D("1.10"), "GBP": D("0.85")}


def rate(code, on):
    return RATES.get(code)


def resolve(candidates, quantity="1", currency="EUR", on=TODAY, product=CHAIR):
    return resolve_price(
        product=product, quantity=D(quantity), on=on, candidates=candidates, base_currency="EUR", currency=currency, rate=rate
    )


def pl(id_, *entries, currency="EUR", **kw):
    return PriceListData(id=id_, name=f"PL{id_}", currency=currency, entries=tuple(entries), **kw)


def test_without_price_lists_the_list_price_applies():
    result = resolve([])
    assert result.unit_price == D("100.0000")
    assert result.source == "list_price"
    assert result.explanation[-1] == "list price 100.00 EUR applies"


def test_customer_list_wins_over_group_and_default_lists():
    customer = Candidate("customer", pl(1, Entry(1, product_id=1, category_id=None, min_quantity=D(0), price=D("90"))))
    group = Candidate("group", pl(2, Entry(2, product_id=1, category_id=None, min_quantity=D(0), price=D("80"))))
    result = resolve([customer, group])
    assert (result.unit_price, result.price_list_id, result.entry_id) == (D("90.0000"), 1, 1)


def test_a_list_without_an_entry_falls_through_to_the_next_and_says_why():
    customer = Candidate("customer", pl(1, Entry(1, product_id=99, category_id=None, min_quantity=D(0), price=D("1"))))
    group = Candidate("group", pl(2, Entry(2, product_id=None, category_id=10, min_quantity=D(0), discount_percent=D("15"))))
    result = resolve([customer, group])
    assert result.unit_price == D("85.0000")
    assert "customer price list “PL1” skipped: no entry for this product or its categories" in result.explanation
    assert "group price list “PL2” applies: category entry from quantity 0, 15 % off the list price 100.00 EUR" in result.explanation


def test_quantity_breaks_take_the_highest_break_reached():
    breaks = pl(
        1,
        Entry(1, product_id=1, category_id=None, min_quantity=D(0), price=D("95")),
        Entry(2, product_id=1, category_id=None, min_quantity=D(10), price=D("90")),
        Entry(3, product_id=1, category_id=None, min_quantity=D(50), price=D("85")),
    )
    assert resolve([Candidate("customer", breaks)], quantity="9").unit_price == D("95.0000")
    assert resolve([Candidate("customer", breaks)], quantity="10").unit_price == D("90.0000")
    assert resolve([Candidate("customer", breaks)], quantity="500").unit_price == D("85.0000")


def test_below_the_smallest_break_the_list_is_skipped_with_that_reason():
    only_big = pl(1, Entry(1, product_id=1, category_id=None, min_quantity=D(10), price=D("90")))
    result = resolve([Candidate("customer", only_big)], quantity="2")
    assert result.source == "list_price"
    assert "customer price list “PL1” skipped: quantity is below its smallest break" in result.explanation


def test_product_entry_beats_category_entry_and_nearer_category_beats_parent():
    mixed = pl(
        1,
        Entry(1, product_id=None, category_id=10, min_quantity=D(0), discount_percent=D("30")),
        Entry(2, product_id=None, category_id=11, min_quantity=D(0), discount_percent=D("20")),
    )
    assert resolve([Candidate("default", mixed)]).unit_price == D("80.0000")
    with_product = pl(2, *mixed.entries, Entry(3, product_id=1, category_id=None, min_quantity=D(0), price=D("99")))
    assert resolve([Candidate("default", with_product)]).unit_price == D("99.0000")


def test_lists_outside_their_validity_or_inactive_are_skipped():
    entry = Entry(1, product_id=1, category_id=None, min_quantity=D(0), price=D("50"))
    expired = Candidate("customer", pl(1, entry, valid_to=date(2026, 1, 31)))
    future = Candidate("group", pl(2, entry, valid_from=date(2027, 1, 1)))
    inactive = Candidate("default", pl(3, entry, active=False))
    result = resolve([expired, future, inactive])
    assert result.source == "list_price"
    assert result.explanation[:3] == (
        "customer price list “PL1” skipped: expired on 2026-01-31",
        "group price list “PL2” skipped: not valid until 2027-01-01",
        "default price list “PL3” skipped: inactive",
    )


def test_fixed_price_in_another_currency_converts_at_the_dated_rate():
    usd_list = pl(1, Entry(1, product_id=1, category_id=None, min_quantity=D(0), price=D("110"), floor_price=D("99")), currency="USD")
    result = resolve([Candidate("customer", usd_list)], currency="EUR")
    assert result.unit_price == D("100.0000")  # 110 USD / 1.10
    assert result.floor_price == D("90.0000")
    assert result.explanation[-1] == f"converted from USD to EUR at the rate of {TODAY.isoformat()}"


def test_list_price_converts_into_the_document_currency():
    assert resolve([], currency="GBP").unit_price == D("85.0000")
    assert resolve([], currency="USD").reference_price == D("110.0000")


def test_conversion_without_a_rate_is_refused():
    with pytest.raises(NoExchangeRate):
        convert(D("1"), from_currency="EUR", to_currency="CNY", base_currency="EUR", on=TODAY, rate=rate)


def test_unit_prices_keep_four_decimals_rounded_half_up():
    odd = ProductData(id=1, list_price=D("2.0005"), category_path=())
    half_off = pl(1, Entry(1, product_id=1, category_id=None, min_quantity=D(0), discount_percent=D("50")))
    # 2.0005 × 50 % = 1.00025: half-up gives 1.0003 where banker's rounding would give 1.0002.
    assert resolve([Candidate("customer", half_off)], product=odd).unit_price == D("1.0003")
