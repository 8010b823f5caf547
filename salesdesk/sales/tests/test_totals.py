"""Document totals with exact figures: per-line rounding, tax per document per rate."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from salesdesk.sales.totals import LineInput, document_totals


def test_two_lines_with_ten_percent_tax_added():
    totals = document_totals([LineInput(D(2), D("10.00"), tax_rate=D(10)), LineInput(D(3), D("10.00"), tax_rate=D(10))])
    assert (totals.untaxed, totals.tax, totals.total) == (D("50.00"), D("5.00"), D("55.00"))


def test_a_discounted_line_is_rounded_half_up_to_the_cent():
    totals = document_totals([LineInput(D(3), D("9.99"), discount_percent=D(15))])
    assert totals.line_amounts == (D("25.47"),)  # 29.97 × 0.85 = 25.4745


def test_tax_is_computed_once_per_rate_not_per_line():
    # Per line: 1.05 × 10 % = 0.105 → 0.11, three times 0.33. Per document: 3.15 × 10 % = 0.315 → 0.32.
    lines = [LineInput(D(1), D("1.05"), tax_rate=D(10))] * 3
    totals = document_totals(lines)
    assert (totals.untaxed, totals.tax, totals.total) == (D("3.15"), D("0.32"), D("3.47"))


def test_each_rate_is_taxed_on_its_own_base():
    totals = document_totals([LineInput(D(1), D("100"), tax_rate=D(21)), LineInput(D(1), D("50"), tax_rate=D(10)), LineInput(D(1), D("7"))])
    assert [(t.rate, t.base, t.amount) for t in totals.taxes] == [(D(10), D("50"), D("5.00")), (D(21), D("100"), D("21.00"))]
    assert (totals.untaxed, totals.tax, totals.total) == (D("157"), D("26.00"), D("183.00"))


def test_included_tax_keeps_the_price_the_customer_sees():
    # Two items at 12.10 incl. 21 %: gross 24.20, tax 4.20, untaxed 20.00 split over the lines.
    totals = document_totals([LineInput(D(1), D("12.10"), tax_rate=D(21), tax_included=True)] * 2)
    assert (totals.untaxed, totals.tax, totals.total) == (D("20.00"), D("4.20"), D("24.20"))
    assert totals.line_amounts == (D("10.00"), D("10.00"))


def test_included_tax_split_over_uneven_lines_adds_up_exactly():
    lines = [LineInput(D(1), D("0.99"), tax_rate=D(21), tax_included=True), LineInput(D(1), D("1.00"), tax_rate=D(21), tax_included=True)]
    totals = document_totals(lines)
    assert totals.total == D("1.99")
    assert totals.tax == D("0.35")  # 1.99 × 21 / 121 = 0.3453…
    assert sum(totals.line_amounts) == totals.untaxed == D("1.64")


def test_zero_decimal_currency_rounds_to_whole_units():
    totals = document_totals([LineInput(D(3), D("333.5"), tax_rate=D(10))], places=0)
    assert (totals.untaxed, totals.tax, totals.total) == (D("1001"), D("100"), D("1101"))


money = st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2)
rates = st.sampled_from([D(0), D(4), D(10), D(21)])


@given(
    st.lists(st.tuples(st.integers(1, 50), money, st.sampled_from([D(0), D(5), D("12.5")]), rates, st.booleans()), min_size=1, max_size=12)
)
def test_totals_always_add_up(rows):
    lines = [LineInput(D(q), p, discount_percent=d, tax_rate=r, tax_included=inc) for q, p, d, r, inc in rows]
    totals = document_totals(lines)
    assert sum(totals.line_amounts) == totals.untaxed
    assert totals.untaxed + totals.tax == totals.total
    assert all(a == a.quantize(D("0.01")) for a in totals.line_amounts)
    gross_included = sum((D(q) * p * (100 - d) / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP") for q, p, d, r, inc in rows if inc)
    included_total = sum(t.base + t.amount for t in totals.taxes if t.included)
    assert included_total == gross_included
