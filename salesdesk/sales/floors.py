"""Price floors and discount authority (pure).

A line's floor is the highest of the minimums that apply to it:
- the floor price of the price-list entry that priced it, or of the product;
- the entry's price less the entry's maximum discount, or else the list price less the
  product's maximum discount;
- the standard cost plus the minimum margin (a markup over cost).
The floor never lies above the price the company itself set for this customer (the price
list's, the contract's or the list price): the floor guards against lowering that price, so
selling at it never needs an approval.
The line's net price (unit price less its discount) may go below the floor only as far as
the seller's authority band allows: by default 0 % for a salesperson and 10 % for a sales
manager. Administrators have no limit. Anything lower needs a manager's approval.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from salesdesk.core.money import HUNDRED, round_money


@dataclass(frozen=True)
class FloorInputs:
    list_price: Decimal
    cost: Decimal
    entry_floor_price: Decimal | None = None
    entry_max_discount_percent: Decimal | None = None
    product_floor_price: Decimal | None = None
    product_max_discount_percent: Decimal | None = None
    product_min_margin_percent: Decimal | None = None
    # The price pricing gave this customer (price list, contract or list price) and the
    # entry price an entry's maximum discount is measured from.
    authorized_price: Decimal | None = None
    entry_price: Decimal | None = None


def floor_price(f: FloorInputs) -> Decimal | None:
    """The lowest net unit price allowed without approval, or None when nothing limits it."""
    candidates: list[Decimal] = []
    for value in (f.entry_floor_price, f.product_floor_price):
        if value is not None:
            candidates.append(value)
    if f.entry_max_discount_percent is not None:
        base = f.entry_price if f.entry_price is not None else f.list_price
        candidates.append(base * (HUNDRED - f.entry_max_discount_percent) / HUNDRED)
    elif f.product_max_discount_percent is not None:
        candidates.append(f.list_price * (HUNDRED - f.product_max_discount_percent) / HUNDRED)
    if f.product_min_margin_percent is not None and f.cost > 0:
        candidates.append(f.cost * (HUNDRED + f.product_min_margin_percent) / HUNDRED)
    if not candidates:
        return None
    floor = max(candidates)
    if f.authorized_price is not None:
        floor = min(floor, f.authorized_price)
    return round_money(floor, 4)


def allowed_price(floor: Decimal, band_percent: Decimal | None) -> Decimal | None:
    """How low this seller may go: the floor less their band. None means no limit at all."""
    if band_percent is None:
        return None
    return round_money(floor * (HUNDRED - band_percent) / HUNDRED, 4)


@dataclass(frozen=True)
class LineCheck:
    key: int
    net_unit_price: Decimal
    floor: Decimal | None


@dataclass(frozen=True)
class Breach:
    key: int
    net_unit_price: Decimal
    floor: Decimal
    allowed: Decimal


def breaches(lines: Iterable[LineCheck], band_percent: Decimal | None) -> list[Breach]:
    """The lines whose net price is below what the seller may give without approval."""
    found: list[Breach] = []
    for line in lines:
        if line.floor is None:
            continue
        allowed = allowed_price(line.floor, band_percent)
        if allowed is not None and round_money(line.net_unit_price, 4) < allowed:
            found.append(Breach(key=line.key, net_unit_price=round_money(line.net_unit_price, 4), floor=line.floor, allowed=allowed))
    return found
