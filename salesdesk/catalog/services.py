"""Writes of catalog master data: products, categories, units, taxes, currencies, price lists."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from salesdesk.catalog.models import Currency, CurrencyRate, PriceList, PriceListItem, ProductCategory, Unit
from salesdesk.core import audit
from salesdesk.core.errors import Invalid, ProtectedRecord
from salesdesk.core.money import stored_places

# Every company has these units (API clients rely on the codes).
STANDARD_UNITS = (("pc", "Piece"), ("kg", "Kilogram"), ("h", "Hour"))
CURRENCY_NAMES = {"EUR": "Euro", "USD": "US Dollar", "GBP": "Pound Sterling", "CNY": "Yuan Renminbi", "JPY": "Yen"}


@transaction.atomic
def company_defaults(*, company, actor=None) -> None:
    """Standard units and the base currency, so a new company can sell at once."""
    for code, name in STANDARD_UNITS:
        if not Unit.objects.filter(company=company, code=code).exists():
            audit.audited_create(model=Unit, company=company, actor=actor, values={"code": code, "name": name})
    base = company.base_currency
    if not Currency.objects.filter(company=company, code=base).exists():
        audit.audited_create(
            model=Currency,
            company=company,
            actor=actor,
            values={"code": base, "name": CURRENCY_NAMES.get(base, base), "decimal_places": stored_places(base)},
        )


def create(*, model, company, actor, values: Mapping[str, Any]):
    return audit.audited_create(model=model, company=company, actor=actor, values=values)


def update(*, instance, actor, values: Mapping[str, Any]):
    if isinstance(instance, CurrencyRate) and "currency" in values:
        _check_not_base(instance.company, values["currency"])
    if isinstance(instance, ProductCategory) and "parent" in values:
        _check_no_cycle(instance, values["parent"])
    if isinstance(instance, Currency) and "code" in values and values["code"] != instance.code:
        raise Invalid({"code": ["A currency code cannot change; add a new currency instead."]})
    if isinstance(instance, Unit) and "code" in values:
        # Compared with the stored code: API clients name the standard units by it.
        stored = Unit.objects.get(pk=instance.pk, company_id=instance.company_id).code
        if stored in dict(STANDARD_UNITS) and values["code"] != stored:
            raise Invalid({"code": ["The standard units pc, kg and h keep their codes; add a new unit instead."]})
    return audit.audited_update(instance=instance, actor=actor, values=values)


@transaction.atomic
def delete(*, instance, actor) -> None:
    if isinstance(instance, Unit) and instance.code in dict(STANDARD_UNITS):
        raise Invalid({"code": ["The standard units pc, kg and h cannot be deleted."]})
    if isinstance(instance, Currency) and instance.code == instance.company.base_currency:
        raise Invalid({"code": ["The company's base currency cannot be deleted: the ledger and prices are kept in it."]})
    if isinstance(instance, PriceList):
        users = _quiet_users(instance)
        if users:
            raise ProtectedRecord(used_by=users)
    audit.audited_delete(instance=instance, actor=actor)


def _quiet_users(instance) -> list[str]:
    """The kinds of record that still name `instance` through a reference the database would
    quietly empty on delete (a customer group's price list). Losing it would change their
    prices without a trace, so they protect it like a customer's own price list does.

    Read from the model's relations: the apps that hold these references sit above this one."""
    found = set()
    for relation in type(instance)._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        if (
            relation.on_delete is models.SET_NULL
            and relation.related_model._base_manager.filter(**{relation.field.name: instance}).exists()
        ):
            found.add(str(relation.related_model._meta.verbose_name))
    return sorted(found)


def _check_no_cycle(category: ProductCategory, parent: ProductCategory | None) -> None:
    node = parent
    while node is not None:
        if node.pk == category.pk:
            raise Invalid({"parent": ["A category cannot sit below itself."]})
        node = node.parent


def _check_not_base(company, currency: Currency) -> None:
    if currency.code == company.base_currency:
        raise Invalid({"currency": ["The base currency has no exchange rate."]})


def rate_create(*, company, actor, currency: Currency, date, rate) -> CurrencyRate:
    _check_not_base(company, currency)
    return audit.audited_create(model=CurrencyRate, company=company, actor=actor, values={"currency": currency, "date": date, "rate": rate})


def _check_item(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if bool(values.get("product")) == bool(values.get("category")):
        errors["product"] = ["Give either a product or a category, not both."]
    if (values.get("price") is None) == (values.get("discount_percent") is None):
        errors["price"] = ["Give either a fixed price or a discount percent, not both."]
    return errors


@transaction.atomic
def price_list_save(
    *, company, actor, values: Mapping[str, Any], items: Iterable[Mapping[str, Any]] | None = None, price_list: PriceList | None = None
) -> PriceList:
    """Create or change a price list; `items`, when given, replace all its entries."""
    if values.get("is_default"):
        _unmark_default(company=company, actor=actor, keep=price_list)
    if price_list is None:
        price_list = audit.audited_create(model=PriceList, company=company, actor=actor, values=values)
    else:
        price_list = audit.audited_update(instance=price_list, actor=actor, values=values)
    if items is not None:
        items = list(items)
        errors = {f"items[{i}]": [m for ms in e.values() for m in ms] for i, e in enumerate(map(_check_item, items)) if e}
        if errors:
            raise Invalid(errors)
        before_items = _items_summary(price_list)
        PriceListItem.objects.filter(price_list=price_list).delete()
        PriceListItem.objects.bulk_create([PriceListItem(company=company, price_list=price_list, **item) for item in items])
        audit.record(
            instance=price_list, actor=actor, action="update", before={"items": before_items}, after={"items": _items_summary(price_list)}
        )
    return price_list


def _unmark_default(*, company, actor, keep: PriceList | None) -> None:
    """One default per company: the previous default loses the flag, and its audit log says so."""
    previous = PriceList.objects.select_for_update().filter(company=company, is_default=True).order_by("pk")
    for old in previous.exclude(pk=getattr(keep, "pk", None)):
        before = audit.snapshot(old)
        old.is_default = False
        old.save(update_fields=["is_default"])
        audit.record(instance=old, actor=actor, action="update", before=before, after=audit.snapshot(old))


def _items_summary(price_list: PriceList) -> str:
    parts = []
    for item in price_list.items.select_related("product", "category"):
        target = item.product.sku if item.product_id else f"[{item.category.name}]"
        rule = f"{item.price}" if item.price is not None else f"-{item.discount_percent}%"
        parts.append(f"{target}≥{item.min_quantity}:{rule}")
    return "; ".join(parts)
