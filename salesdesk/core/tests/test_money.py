"""Money: half-up rounding to the currency's places, exact inputs only, splits that add up."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.core import money

D = Decimal


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (D("2.5"), "JPY", D("3")),
        (D("3.5"), "JPY", D("4")),
        (D("-2.5"), "JPY", D("-3")),
        (D("1.005"), "EUR", D("1.01")),
        (D("1.004999"), "EUR", D("1.00")),
        (D("2.675"), "EUR", D("2.68")),
        (D("-1.005"), "EUR", D("-1.01")),
        (D("1.0005"), "BHD", D("1.001")),
        (D("1.0004"), "BHD", D("1.000")),
        (D("10"), "EUR", D("10.00")),
    ],
)
def test_amounts_round_half_up_to_the_places_of_their_currency(amount, currency, expected):
    rounded = money.round_currency(amount, currency)
    assert rounded == expected
    assert rounded.as_tuple().exponent == expected.as_tuple().exponent


def test_currency_places_follow_iso_4217_and_default_to_two():
    assert money.currency_places("JPY") == 0
    assert money.currency_places("jpy") == 0
    assert money.currency_places("EUR") == 2
    assert money.currency_places("BHD") == 3
    assert money.currency_places(None) == 2


def test_to_decimal_refuses_floats_and_booleans():
    with pytest.raises(TypeError):
        money.to_decimal(0.1)
    with pytest.raises(TypeError):
        money.to_decimal(True)
    with pytest.raises(TypeError):
        money.round_money(1.005)


def test_to_decimal_takes_strings_and_integers_exactly():
    assert money.to_decimal("0.1") == D("0.1")
    assert money.to_decimal(7) == D("7")
    assert money.to_decimal(D("1.23")) == D("1.23")


@pytest.mark.parametrize("text", ["abc", "", "1,5", "NaN", "Infinity", "-inf"])
def test_to_decimal_refuses_text_that_is_not_a_finite_number(text):
    with pytest.raises(ValueError):
        money.to_decimal(text)


def test_percent_of_rounds_once_half_up():
    assert money.percent_of(D("154.00"), D("21")) == D("32.34")
    assert money.percent_of(D("0.05"), D("10")) == D("0.01")  # 0.005 -> 0.01
    assert money.percent_of(D("100"), D("12.5"), places=0) == D("13")
    assert money.percent_of("19.99", "0") == D("0.00")


def test_split_in_equal_parts_gives_the_leftover_cents_to_the_first_parts():
    assert money.split(D("100.00"), [1, 1, 1]) == [D("33.34"), D("33.33"), D("33.33")]
    assert money.split(D("0.02"), [1, 1, 1]) == [D("0.01"), D("0.01"), D("0.00")]


def test_split_follows_the_weights():
    assert money.split(D("154.00"), [D("30"), D("70")]) == [D("46.20"), D("107.80")]
    assert money.split(D("10"), [D("1"), D("0"), D("2")]) == [D("3.33"), D("0.00"), D("6.67")]


def test_split_of_a_negative_total_mirrors_the_positive_one():
    assert money.split(D("-100.00"), [1, 1, 1]) == [D("-33.34"), D("-33.33"), D("-33.33")]


def test_split_in_yen_gives_whole_yen():
    assert money.split(D("1000"), [1, 1, 1], places=0) == [D("334"), D("333"), D("333")]


def test_split_refuses_zero_negative_or_missing_weights():
    with pytest.raises(ValueError):
        money.split(D("10"), [0, 0])
    with pytest.raises(ValueError):
        money.split(D("10"), [1, -1])
    with pytest.raises(ValueError):
        money.split(D("10"), [])
    with pytest.raises(TypeError):
        money.split(D("10"), [0.5, 0.5])


amounts = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2, allow_nan=False, allow_infinity=False)
weights = st.lists(st.decimals(min_value=D("0"), max_value=D("1000"), places=4), min_size=1, max_size=12).filter(lambda ws: sum(ws) > 0)
places = st.sampled_from([0, 2, 3])


@given(total=amounts, weights=weights, places=places)
def test_split_parts_always_sum_exactly_to_the_rounded_total(total, weights, places):
    parts = money.split(total, weights, places)
    assert len(parts) == len(weights)
    assert sum(parts, D(0)) == money.round_money(total, places)
    unit = money.quantum(places)
    assert all(p % unit == 0 for p in parts)


@given(total=amounts, weights=weights, places=places)
def test_split_is_deterministic(total, weights, places):
    assert money.split(total, weights, places) == money.split(total, list(weights), places)


@given(total=amounts, weights=weights, places=places)
def test_split_parts_are_within_one_unit_of_their_exact_share(total, weights, places):
    rounded = money.round_money(total, places)
    parts = money.split(total, weights, places)
    unit = money.quantum(places)
    weight_sum = sum(weights, D(0))
    for part, weight in zip(parts, weights, strict=True):
        exact = rounded * weight / weight_sum
        assert abs(part - exact) < unit


@given(total=amounts, weights=weights, places=places)
def test_split_parts_share_the_sign_of_the_total(total, weights, places):
    parts = money.split(total, weights, places)
    if total >= 0:
        assert all(p >= 0 for p in parts)
    else:
        assert all(p <= 0 for p in parts)
    assert all(not (p == 0 and p.is_signed()) for p in parts), "no -0 parts"


@given(total=amounts, weight=st.decimals(min_value=D("0.0001"), max_value=D("1000"), places=4), places=places)
def test_a_split_into_one_part_is_the_whole(total, weight, places):
    assert money.split(total, [weight], places) == [money.round_money(total, places)]
