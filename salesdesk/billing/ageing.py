"""Receivables ageing buckets (pure): how long each open amount has been overdue."""

from datetime import date
from decimal import Decimal

from salesdesk.core.money import ZERO

BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")


def bucket(due: date, on: date) -> str:
    """Not yet due (or due today) is current; then by days past the due date."""
    days = (on - due).days
    if days <= 0:
        return "current"
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "over_90"


def empty_row() -> dict[str, Decimal]:
    return dict.fromkeys((*BUCKETS, "total"), ZERO)


def add(row: dict[str, Decimal], due: date, amount: Decimal, on: date) -> None:
    row[bucket(due, on)] += amount
    row["total"] += amount
