"""Gapless numbers per company, series and year.

The counter row is locked and incremented inside the caller's transaction, so a rollback
anywhere after taking a number gives it back: the series never has a hole and never repeats.
"""

from django.db import IntegrityError, transaction

from salesdesk.core.models import NumberCounter


def next_number(*, company, series: str, year: int) -> int:
    """Take the next number of `series` in `year`. Must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must be called inside the transaction that uses the number")
    counter = NumberCounter.objects.select_for_update().filter(company=company, series=series, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = NumberCounter.objects.create(company=company, series=series, year=year, last_value=0)
        except IntegrityError:
            # Another transaction created the row first; lock theirs.
            counter = NumberCounter.objects.select_for_update().get(company=company, series=series, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def format_number(*, series: str, year: int, sequence: int, width: int = 5) -> str:
    """The printed document number, e.g. `INV-2026-00042`."""
    return f"{series}-{year}-{sequence:0{width}d}"
