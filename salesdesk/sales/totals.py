"""Totals of a sales document: line amounts, tax per rate, untaxed and total.

The rule (see docs/sales.md):
- A line's amount is quantity × unit price less its discount, rounded half-up to the
  currency. Lines are rounded one by one, then summed.
- Tax is computed once per document and rate, on the sum of that rate's line amounts, so a
  document never carries the rounding noise of many small per-line taxes.
- A tax included in the price: the lines' gross amounts are what the customer pays. The
  document's tax for that rate is taken out of their sum (gross × rate / (100 + rate)), and
  the untaxed rest is split over the lines in proportion to their gross, so the untaxed line
  amounts add up exactly to the document's untaxed amount.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from salesdesk.core.money import HUNDRED, ZERO, round_money, split


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = ZERO
    tax_rate: Decimal | None = None
    tax_included: bool = False


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    included: bool
    base: Decimal  # untaxed amount the tax is computed on
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    line_amounts: tuple[Decimal, ...]  # untaxed, after discount, rounded to the currency
    taxes: tuple[TaxLine, ...]
    untaxed: Decimal
    tax: Decimal
    total: Decimal


def line_gross(line: LineInput, places: int) -> Decimal:
    """Quantity × price less discount, rounded to the currency (tax-inclusive if the tax is included)."""
    return round_money(line.quantity * line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED, places)


def document_totals(lines: Sequence[LineInput], *, places: int = 2) -> Totals:
    grosses = [line_gross(line, places) for line in lines]
    amounts: list[Decimal] = list(grosses)
    groups: dict[tuple[Decimal, bool], list[int]] = {}
    for i, line in enumerate(lines):
        if line.tax_rate is not None:
            groups.setdefault((line.tax_rate, line.tax_included), []).append(i)
    taxes: list[TaxLine] = []
    for (rate, included), members in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1])):
        gross_sum = sum((grosses[i] for i in members), ZERO)
        if not included:
            taxes.append(TaxLine(rate=rate, included=False, base=gross_sum, amount=round_money(gross_sum * rate / HUNDRED, places)))
            continue
        tax = round_money(gross_sum * rate / (HUNDRED + rate), places)
        base = gross_sum - tax
        weights = [abs(grosses[i]) for i in members]
        if any(weights):
            for i, part in zip(members, split(base, weights, places), strict=True):
                amounts[i] = part
        taxes.append(TaxLine(rate=rate, included=True, base=base, amount=tax))
    untaxed = sum(amounts, ZERO)
    tax_total = sum((t.amount for t in taxes), ZERO)
    return Totals(line_amounts=tuple(amounts), taxes=tuple(taxes), untaxed=untaxed, tax=tax_total, total=untaxed + tax_total)
