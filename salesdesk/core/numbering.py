"""Gapless numbers per company, series and year.

The counter row is incremented inside the caller's transaction, so a rollback anywhere after
taking a number gives it back: the series never has a hole and never repeats. The increment
is one `UPDATE ... RETURNING`: it locks the row until the caller's transaction ends (a
concurrent poster waits for it) and hands back the value in the same statement.
"""

from django.db import IntegrityError, connection, transaction

from salesdesk.core import cursors
from salesdesk.core.models import NumberCounter

_TABLE = NumberCounter._meta.db_table
_TAKE = (
    f"UPDATE {connection.ops.quote_name(_TABLE)} SET last_value = last_value + 1 "  # noqa: S608 - the table name is the model's
    "WHERE company_id = %s AND series = %s AND year = %s RETURNING last_value"
)


def _take(company_id: int, series: str, year: int) -> int | None:
    with cursors.cursor(connection) as cursor:
        cursor.execute(_TAKE, [company_id, series, year])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def next_number(*, company, series: str, year: int) -> int:
    """Take the next number of `series` in `year`. Must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must be called inside the transaction that uses the number")
    company_id = getattr(company, "pk", company)
    value = _take(company_id, series, year)
    if value is not None:
        return value
    try:
        with transaction.atomic():
            NumberCounter.objects.create(company_id=company_id, series=series, year=year, last_value=1)
        return 1
    except IntegrityError:
        # Another transaction created the row first: take the next number from theirs.
        value = _take(company_id, series, year)
        if value is None:  # pragma: no cover - the row exists, the unique constraint said so
            raise
        return value


def format_number(*, series: str, year: int, sequence: int, width: int = 5) -> str:
    """The printed document number, e.g. `INV-2026-00042`."""
    return f"{series}-{year}-{sequence:0{width}d}"
