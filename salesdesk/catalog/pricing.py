"""Price resolution: which price applies to a product for a customer, and why.

Pure functions on plain values (no database). The caller gathers the candidate price lists
in priority order — the customer's own list, then their group's, then the company default —
and the product's list price as the last resort. The first list that is in force and has an
entry for the product (or one of its categories) at the ordered quantity decides the price.

Within one list, a product entry beats a category entry, a nearer category beats a farther
one, and among entries for the same target the highest quantity break not above the ordered
quantity wins. A fixed price is in the list's currency; a discount applies to the product's
list price (in the company's base currency). The result is converted into the document's
currency at the exchange rate of the pricing date.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salesdesk.core.money import HUNDRED, display, round_money

UNIT_PRICE_PLACES = 4


@dataclass(frozen=True)
class Entry:
    id: int
    product_id: int | None
    category_id: int | None
    min_quantity: Decimal
    price: Decimal | None = None
    discount_percent: Decimal | None = None
    floor_price: Decimal | None = None
    max_discount_percent: Decimal | None = None


@dataclass(frozen=True)
class PriceListData:
    id: int
    name: str
    currency: str
    entries: tuple[Entry, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool = True


@dataclass(frozen=True)
class ProductData:
    id: int
    list_price: Decimal
    # The product's category first, then its ancestors up to the root.
    category_path: tuple[int, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """A price list in the resolution order, with why it is a candidate ("customer", "group", "default")."""

    role: str
    price_list: PriceListData


@dataclass(frozen=True)
class PriceResult:
    unit_price: Decimal
    currency: str
    source: str  # "price_list" or "list_price"
    price_list_id: int | None = None
    price_list_name: str = ""
    entry_id: int | None = None
    reference_price: Decimal = Decimal(0)  # the list price in the document currency (discounts are measured against it)
    floor_price: Decimal | None = None
    max_discount_percent: Decimal | None = None
    explanation: tuple[str, ...] = field(default_factory=tuple)


class NoExchangeRate(LookupError):
    """No rate is known for a currency on or before the pricing date."""

    def __init__(self, currency: str, on: date) -> None:
        self.currency, self.on = currency, on
        super().__init__(f"no exchange rate for {currency} on or before {on}")


RateLookup = Callable[[str, date], Decimal | None]


def convert(amount: Decimal, *, from_currency: str, to_currency: str, base_currency: str, on: date, rate: RateLookup) -> Decimal:
    """Convert through the base currency; a rate is units of a currency per 1 unit of base."""
    if from_currency == to_currency:
        return amount

    def units_per_base(code: str) -> Decimal:
        if code == base_currency:
            return Decimal(1)
        found = rate(code, on)
        if found is None:
            raise NoExchangeRate(code, on)
        return found

    return amount / units_per_base(from_currency) * units_per_base(to_currency)


def _in_force(price_list: PriceListData, on: date) -> str | None:
    """None if the list applies on `on`, else the reason it does not."""
    if not price_list.active:
        return "inactive"
    if price_list.valid_from and on < price_list.valid_from:
        return f"not valid until {price_list.valid_from.isoformat()}"
    if price_list.valid_to and on > price_list.valid_to:
        return f"expired on {price_list.valid_to.isoformat()}"
    return None


def best_entry(entries: Sequence[Entry], product: ProductData, quantity: Decimal) -> tuple[Entry | None, str]:
    """The entry that applies, or None with the reason none does."""
    ranked: list[tuple[int, Decimal, int, Entry]] = []
    below_break = False
    for entry in entries:
        if entry.product_id is not None:
            rank = 0 if entry.product_id == product.id else None
        elif entry.category_id in product.category_path:
            rank = 1 + product.category_path.index(entry.category_id)
        else:
            rank = None
        if rank is None:
            continue
        if entry.min_quantity > quantity:
            below_break = True
            continue
        ranked.append((rank, -entry.min_quantity, entry.id, entry))
    if not ranked:
        return None, ("quantity is below its smallest break" if below_break else "no entry for this product or its categories")
    ranked.sort(key=lambda r: (r[0], r[1], r[2]))
    return ranked[0][3], ""


def resolve_price(
    *,
    product: ProductData,
    quantity: Decimal,
    on: date,
    candidates: Sequence[Candidate],
    base_currency: str,
    currency: str,
    rate: RateLookup,
) -> PriceResult:
    """The unit price of `product` for `quantity` on `on`, in `currency`, with its explanation."""
    notes: list[str] = []
    reference = _q(
        convert(product.list_price, from_currency=base_currency, to_currency=currency, base_currency=base_currency, on=on, rate=rate)
    )
    for candidate in candidates:
        pl = candidate.price_list
        label = f"{candidate.role} price list “{pl.name}”"
        reason = _in_force(pl, on)
        if reason:
            notes.append(f"{label} skipped: {reason}")
            continue
        entry, why_not = best_entry(pl.entries, product, quantity)
        if entry is None:
            notes.append(f"{label} skipped: {why_not}")
            continue
        if entry.price is not None:
            in_list = entry.price
            list_currency = pl.currency
            rule = f"fixed price {display(entry.price)} {pl.currency}"
        else:
            in_list = product.list_price * (HUNDRED - entry.discount_percent) / HUNDRED
            list_currency = base_currency
            rule = f"{entry.discount_percent.normalize()} % off the list price {display(product.list_price)} {base_currency}"
        target = "product" if entry.product_id is not None else "category"
        unit_price = _q(convert(in_list, from_currency=list_currency, to_currency=currency, base_currency=base_currency, on=on, rate=rate))
        floor = None
        if entry.floor_price is not None:
            floor = _q(
                convert(entry.floor_price, from_currency=pl.currency, to_currency=currency, base_currency=base_currency, on=on, rate=rate)
            )
        notes.append(f"{label} applies: {target} entry from quantity {entry.min_quantity.normalize()}, {rule}")
        if list_currency != currency:
            notes.append(f"converted from {list_currency} to {currency} at the rate of {on.isoformat()}")
        return PriceResult(
            unit_price=unit_price,
            currency=currency,
            source="price_list",
            price_list_id=pl.id,
            price_list_name=pl.name,
            entry_id=entry.id,
            reference_price=reference,
            floor_price=floor,
            max_discount_percent=entry.max_discount_percent,
            explanation=tuple(notes),
        )
    notes.append(f"list price {display(product.list_price)} {base_currency} applies")
    if currency != base_currency:
        notes.append(f"converted from {base_currency} to {currency} at the rate of {on.isoformat()}")
    return PriceResult(unit_price=reference, currency=currency, source="list_price", reference_price=reference, explanation=tuple(notes))


def _q(value: Decimal) -> Decimal:
    """Unit prices keep four decimals (amounts are rounded to the currency later, per line)."""
    return round_money(value, UNIT_PRICE_PLACES)
