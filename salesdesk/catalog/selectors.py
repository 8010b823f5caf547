"""Reads of the catalog."""

from django.db.models import QuerySet

from salesdesk.catalog.models import CurrencyRate, PriceList, Product, ProductCategory


def products(company) -> QuerySet:
    return Product.objects.filter(company=company).select_related("category", "unit", "tax")


def category_tree(company) -> list[tuple[int, ProductCategory]]:
    """Categories in tree order with their depth."""
    rows = list(ProductCategory.objects.filter(company=company).order_by("name"))
    children: dict[int | None, list[ProductCategory]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[tuple[int, ProductCategory]] = []

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            out.append((depth, c))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def price_lists(company) -> QuerySet:
    return PriceList.objects.filter(company=company).select_related("currency", "customer_group").prefetch_related("items")


def rate_on(company, currency_code: str, on):
    """The exchange rate in force on a date (the latest row on or before it), or None."""
    return (
        CurrencyRate.objects.filter(company=company, currency__code=currency_code, date__lte=on)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
