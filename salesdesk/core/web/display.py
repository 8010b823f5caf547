"""How plain values appear on a page: locale-aware numbers and dates, yes/no, empty as a dash."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def trim_decimal(value: Decimal, places: int = 2) -> Decimal:
    """Drop trailing zeros beyond `places` (10.5000 -> 10.50), keep real precision (0.1250)."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return normalized
    return value.quantize(Decimal(1).scaleb(-places))


def display(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(trim_decimal(value), use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def money_text(amount: Decimal, currency) -> str:
    """An amount for a message, as the pages show it: grouped, two decimals, then the currency code."""
    code = getattr(currency, "code", currency) or ""
    return f"{display(Decimal(amount))} {code}".strip()


def resolve(obj: Any, accessor: Any) -> Any:
    """The value behind a dotted accessor ("group.name"); choice fields give their label."""
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        if value is None:
            return None
        if isinstance(value, models.Model) and hasattr(value, f"get_{part}_display"):
            field = value._meta.get_field(part) if part in {f.name for f in value._meta.get_fields()} else None
            if field is not None and getattr(field, "choices", None):
                value = getattr(value, f"get_{part}_display")()
                continue
        value = getattr(value, part, None)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    if isinstance(value, models.Manager):
        value = ", ".join(str(v) for v in value.all())
    return value
