"""Pricing a line from the database: gather the price lists and rates, then ask `catalog.pricing`."""

from datetime import date
from decimal import Decimal

from salesdesk.catalog import pricing
from salesdesk.catalog.models import PriceList, Product, ProductCategory
from salesdesk.catalog.selectors import rate_on


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


def candidates(company, customer, price_list: PriceList | None = None) -> list[pricing.Candidate]:
    """The price lists to try, in order: the document's (or the customer's), the group's, the default."""
    found: list[tuple[str, PriceList]] = []
    if price_list is not None:
        found.append(("document", price_list))
    elif customer.price_list_id:
        found.append(("customer", customer.price_list))
    if customer.group_id and customer.group.price_list_id:
        found.append(("group", customer.group.price_list))
    default = PriceList.objects.filter(company=company, is_default=True).first()
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
    data = pricing.ProductData(id=product.pk, list_price=product.list_price, category_path=category_path(product))
    return pricing.resolve_price(
        product=data,
        quantity=quantity,
        on=on,
        candidates=lists if lists is not None else candidates(company, customer, price_list),
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
