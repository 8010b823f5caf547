"""Money: the one place where amounts are rounded.

Every amount is a `Decimal`. Rounding is half-up to the number of decimal places of the
currency (ISO 4217 minor units). Lines are rounded one by one and then summed; splits
(instalments, allocations) give parts that always add back to the whole.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
HUNDRED = Decimal("100")
# Every money amount stays below ten trillion: SQLite keeps a decimal column as a float, exact to
# 15 significant digits, which is 13 before the point and 2 after. A larger figure would come
# back rounded and no longer fit its column.
MAX_AMOUNT = Decimal("1e13")

# ISO 4217 minor units for the currencies whose places differ from 2.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3}


# Amount columns keep cents: a currency with three minor units (BHD, KWD) is kept, and
# rounded, to two places, so documents, ledger and e-invoices add up exactly.
STORED_PLACES = 2


def currency_places(code: str | None) -> int:
    """Decimal places of a currency code; 2 unless ISO 4217 says otherwise."""
    return _MINOR_UNITS.get((code or "").upper(), 2)


def stored_places(code: str | None) -> int:
    """The places amounts of this currency are kept and rounded to: ISO's, at most `STORED_PLACES`."""
    return min(currency_places(code), STORED_PLACES)


def display(value: Decimal) -> str:
    """A decimal as people write it: at least two places, no trailing zeros beyond (10.00, 9.995)."""
    value = to_decimal(value)
    normalized = value.normalize()
    if normalized.as_tuple().exponent > -2:
        return str(value.quantize(Decimal("0.01")))
    return format(normalized, "f")


def quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def to_decimal(value: object) -> Decimal:
    """Exact conversion; floats are refused because they are not exact."""
    if isinstance(value, (bool, float)):
        raise TypeError("money values must be Decimal, int or str, never float or bool")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
    if not result.is_finite():
        # NaN and Infinity are not amounts, and NaN breaks every comparison made on them.
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round_money(amount: Decimal, places: int = 2) -> Decimal:
    """Round half-up to `places` decimals."""
    return to_decimal(amount).quantize(quantum(places), rounding=ROUND_HALF_UP)


def round_currency(amount: Decimal, currency: str | None) -> Decimal:
    return round_money(amount, currency_places(currency))


def percent_of(amount: Decimal, percent: Decimal, places: int = 2) -> Decimal:
    """`percent` % of `amount`, rounded once."""
    return round_money(to_decimal(amount) * to_decimal(percent) / HUNDRED, places)


def split(total: Decimal, weights: Sequence[Decimal], places: int = 2) -> list[Decimal]:
    """Split `total` in proportion to `weights`; the parts sum exactly to `total`.

    Each part is rounded down towards zero in units of the currency, and the units left
    over go one each to the parts with the largest remainders (earliest first on ties), so
    the result depends only on the inputs (largest remainder method).
    """
    total = round_money(total, places)
    weights = [to_decimal(w) for w in weights]
    if not weights:
        raise ValueError("split needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("split weights cannot be negative")
    weight_sum = sum(weights, ZERO)
    if weight_sum == 0:
        raise ValueError("split weights cannot all be zero")
    unit = quantum(places)
    sign = -1 if total < 0 else 1
    units_total = int((abs(total) / unit).to_integral_value())
    exact = [Decimal(units_total) * w / weight_sum for w in weights]
    floors = [int(e) for e in exact]
    left = units_total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    # Decimal(sign * n), not sign * Decimal(n): a zero part of a negative total is 0.00, not -0.00.
    return [Decimal(sign * n) * unit for n in floors]
