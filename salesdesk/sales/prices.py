"""Pricing a line from the database: gather the price lists and rates, then ask `catalog.pricing`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from salesdesk.catalog import pricing
from salesdesk.catalog.models import PriceList, Product, ProductCategory
from salesdesk.catalog.selectors import rate_on
from salesdesk.core.money import display, round_money
from salesdesk.core.prepared import Prepared
from salesdesk.sales import floors
from salesdesk.sales.models import ContractItem


def _list_data(price_list: PriceList) -> pricing.PriceListData:
    entries = tuple(
        pricing.Entry(
            id=i.pk,
            product_id=i.product_id,
            category_id=i.category_id,
            min_quantity=i.min_quantity,
            price=i.price,
            discount_percent=i.discount_percent,
            floor_price=i.floor_price,
            max_discount_percent=i.max_discount_percent,
        )
        for i in price_list.items.all()
    )
    return pricing.PriceListData(
        id=price_list.pk,
        name=price_list.name,
        currency=price_list.currency.code,
        entries=entries,
        valid_from=price_list.valid_from,
        valid_to=price_list.valid_to,
        active=price_list.active,
    )


# Every priced line asks for it: composed once (core.prepared). The lists' own order, as `.first()`.
_DEFAULT_LIST = Prepared(lambda company: PriceList.objects.filter(company_id=company, is_default=True)[:1], int)


def candidates(company, customer, price_list: PriceList | None = None) -> list[pricing.Candidate]:
    """The price lists to try, in order: the document's, the customer's, the group's, the default.

    A document's own list goes first, not instead of the customer's: a product it does not
    price still takes the customer's agreed list before the group's or the default."""
    found: list[tuple[str, PriceList]] = []
    if price_list is not None:
        found.append(("document", price_list))
    if customer.price_list_id:
        found.append(("customer", customer.price_list))
    if customer.group_id and customer.group.price_list_id:
        found.append(("group", customer.group.price_list))
    default = _DEFAULT_LIST.first(company.pk)
    if default is not None:
        found.append(("default", default))
    seen: set[int] = set()
    out = []
    for role, pl in found:
        if pl.pk not in seen:
            seen.add(pl.pk)
            out.append(pricing.Candidate(role, _list_data(pl)))
    return out


def category_path(product: Product) -> tuple[int, ...]:
    path: list[int] = []
    category_id = product.category_id
    parents = dict(ProductCategory.objects.filter(company_id=product.company_id).values_list("id", "parent_id"))
    while category_id is not None and category_id not in path:
        path.append(category_id)
        category_id = parents.get(category_id)
    return tuple(path)


def rate_lookup(company):
    def lookup(code: str, on: date) -> Decimal | None:
        return rate_on(company, code, on)

    return lookup


def price(*, company, customer, product: Product, quantity: Decimal, on: date, currency: str, price_list=None, lists=None):
    """The `PriceResult` for one product (`lists` lets a caller reuse the candidates for many lines)."""
    lists = lists if lists is not None else candidates(company, customer, price_list)
    # The category tree is read only when some list prices a whole category (one query per line otherwise).
    by_category = any(entry.category_id for c in lists for entry in c.price_list.entries)
    data = pricing.ProductData(id=product.pk, list_price=product.list_price, category_path=category_path(product) if by_category else ())
    return pricing.resolve_price(
        product=data,
        quantity=quantity,
        on=on,
        candidates=lists,
        base_currency=company.base_currency,
        currency=currency,
        rate=rate_lookup(company),
    )


def to_currency(company, amount: Decimal | None, currency: str, on: date) -> Decimal | None:
    """An amount in the base currency (product costs and floors) expressed in the document currency."""
    if amount is None:
        return None
    return pricing.convert(
        amount,
        from_currency=company.base_currency,
        to_currency=currency,
        base_currency=company.base_currency,
        on=on,
        rate=rate_lookup(company),
    )


def _contract_item(contract, product: Product) -> ContractItem | None:
    if contract is None:
        return None
    return next((i for i in contract.items.all() if i.product_id == product.pk), None)


@dataclass(frozen=True)
class Quote:
    """What the company asks for a product: the price, its floor, and why."""

    result: Any  # the price-list resolution (catalog.pricing.PriceResult)
    unit_price: Decimal
    floor_price: Decimal | None
    explanation: tuple[str, ...]
    source: str
    contract_item: ContractItem | None


def quote_product(
    *,
    company,
    customer,
    product: Product,
    quantity: Decimal,
    on: date,
    currency: str,
    lists=None,
    contract=None,
    price_list=None,
    drawn: dict | None = None,
) -> Quote:
    """The authorised price of a product for this customer (contract, price list or list price) and its floor.

    `drawn`: what earlier lines of the same document already take of each contract item."""
    result = price(
        company=company, customer=customer, product=product, quantity=quantity, on=on, currency=currency, lists=lists, price_list=price_list
    )
    cost = to_currency(company, product.cost, currency, on)
    tax = product.tax
    if cost and tax is not None and tax.included_in_price:
        # Its prices include the tax and its cost does not: the margin floor is compared with a
        # price that includes the tax, so it includes the tax too.
        cost = cost * (100 + tax.rate) / 100
    product_floor = to_currency(company, product.floor_price, currency, on)
    explanation = list(result.explanation)
    source, unit, item = result.source, result.unit_price, _contract_item(contract, product)
    if item is not None:
        left = item.remaining_quantity - (drawn or {}).get(item.pk, 0)
        if contract.allow_over_commitment or quantity <= left:
            # The agreed price is in the contract's currency; the line is in the document's.
            agreed = pricing.convert(
                item.price,
                from_currency=contract.currency.code,
                to_currency=currency,
                base_currency=company.base_currency,
                on=on,
                rate=rate_lookup(company),
            )
            unit, source = round_money(agreed, pricing.UNIT_PRICE_PLACES), "contract"
            explanation.append(f"contract {contract.number} agreed price {display(item.price)} {contract.currency.code}")
            if contract.currency.code != currency:
                explanation.append(f"converted to {display(unit)} {currency} at the rate of {on.isoformat()}")
        else:
            explanation.append(
                f"contract {contract.number}: only {max(left, Decimal(0)).normalize()} left of the committed quantity, so the price list applies"
            )
            item = None
    floor = floors.floor_price(
        floors.FloorInputs(
            list_price=result.reference_price,
            cost=cost,
            entry_floor_price=result.floor_price,
            entry_max_discount_percent=result.max_discount_percent,
            product_floor_price=product_floor,
            product_max_discount_percent=product.max_discount_percent,
            product_min_margin_percent=product.min_margin_percent,
            authorized_price=unit,
            entry_price=result.unit_price if result.source == "price_list" else None,
        )
    )
    return Quote(result=result, unit_price=unit, floor_price=floor, explanation=tuple(explanation), source=source, contract_item=item)
