"""Pieces the delivery, return and stock services share: parsing quantities and booking stock value."""

from decimal import Decimal, InvalidOperation

from salesdesk.core.numbering import format_number, next_number
from salesdesk.ledger import services as ledger
from salesdesk.ledger.models import Account

ZERO = Decimal("0")


def quantity(value, errors: dict, field: str = "quantity") -> Decimal | None:
    """A positive quantity with at most 4 decimals, or an error under `field`."""
    try:
        parsed = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        parsed = None
    if isinstance(value, bool) or value is None or parsed is None or not parsed.is_finite():
        errors[field] = ["A number is required."]
        return None
    if parsed <= 0:
        errors[field] = ["Must be more than zero."]
        return None
    if parsed != parsed.quantize(Decimal("0.0001")) or parsed >= Decimal("1e10"):
        errors[field] = ["At most 4 decimals and 10 digits."]
        return None
    return parsed


def take_number(company, series: str, on) -> str:
    return format_number(series=series, year=on.year, sequence=next_number(company=company, series=series, year=on.year))


def book_value(*, company, on, memo: str, debit_role: str, credit_role: str, amount: Decimal, actor, source):
    """One balanced entry moving stock value between two accounts (nothing to book for zero)."""
    if amount <= 0:
        return None
    return ledger.post_entry(
        company=company,
        date=on,
        memo=memo,
        lines=[{"role": debit_role, "debit": amount}, {"role": credit_role, "credit": amount}],
        actor=actor,
        source=source,
    )


ROLE = Account.Role
