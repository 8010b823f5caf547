"""An order's delivery, invoicing and payment progress, derived from quantities and amounts (pure)."""

from collections.abc import Iterable
from decimal import Decimal

NONE, PARTIAL, DONE = "none", "partial", "done"


def quantity_state(pairs: Iterable[tuple[Decimal, Decimal]], done_word: str) -> str:
    """`none` when nothing happened, `partial` part of the way, `done_word` when every line is covered."""
    pairs = list(pairs)
    if not pairs or all(done <= 0 for _, done in pairs):
        return NONE
    if all(done >= ordered for ordered, done in pairs):
        return done_word
    return PARTIAL


def delivery_state(lines: Iterable[tuple[Decimal, Decimal]]) -> str:
    """(ordered, delivered) per line -> none / partial / delivered."""
    return quantity_state(lines, "delivered")


def invoice_state(lines: Iterable[tuple[Decimal, Decimal]]) -> str:
    """(ordered, invoiced) per line -> none / partial / invoiced."""
    return quantity_state(lines, "invoiced")


def payment_state(total: Decimal, paid: Decimal) -> str:
    """none / partial / paid from the order total and what was paid against it."""
    if paid <= 0:
        return NONE
    return "paid" if paid >= total else PARTIAL
