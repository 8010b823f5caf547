"""Decimal arithmetic done by the database, kept exact on every backend.

A maintained figure is moved with one `UPDATE ... SET x = x + delta` so that concurrent
writers never lose an update. PostgreSQL computes that in exact `numeric`; SQLite stores
decimals as binary floating point, where 152.94 - 61.18 is 91.75999999999999. Rounding the
result to the column's places in the same statement gives back the exact value (the
closest stored number to it), so figures, conditional updates and check constraints agree
with the Decimals the services computed.
"""

from decimal import Decimal
from enum import Enum

from django.db import connection
from django.db.models.functions import Round

MONEY_PLACES = 2
QUANTITY_PLACES = 4


def exact(expression, places: int = MONEY_PLACES) -> Round:
    """`expression` rounded to `places` decimals (the column's), in SQL."""
    return Round(expression, precision=places)


def bump(
    model,
    *,
    where: dict,
    add: dict[str, Decimal],
    places: dict[str, int] | int = MONEY_PLACES,
    at_least: dict[str, Decimal] | None = None,
    room: dict[str, str] | None = None,
) -> int:
    """Move maintained figures of the rows `where` selects, in one conditional UPDATE; returns the rows changed.

    `where` names the rows by equal values (a list: any of them). `add` gives each figure
    its delta (negative to take away), rounded to `places` (one number for every figure, or
    per figure) in the same statement. `at_least` keeps only rows whose figure is still at
    least a value (`available >= 3`: there is enough to take). `room` keeps only rows where
    a figure can take its delta without passing another column (`{"delivered_quantity":
    "quantity"}`: `delivered_quantity <= quantity - delta`). Zero rows changed means a
    condition failed; the caller refuses.

    The statement is written directly rather than through the ORM's update(): it is the
    hottest statement of the quote-to-cash cycle, and composing it costs twenty times more
    than running it (docs/benchmarks.md)."""
    sql, params = _statement(model, where=where, add=add, places=places, at_least=at_least, room=room)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def bump_each(model, changes: list[dict], *, places: dict[str, int] | int = MONEY_PLACES, room: dict[str, str] | None = None) -> int:
    """Several `bump`s of the same shape (the same figures and conditions, each row its own
    `where`, `add` and `at_least`) sent in one driver call; returns the rows changed in all.

    A document's lines or stock levels move together this way: on PostgreSQL that is one
    round trip instead of one per row. Fewer rows changed than `changes` means a condition
    failed on some row; the caller refuses and its transaction undoes the others."""
    if not changes:
        return 0
    statements = [_statement(model, places=places, room=room, **change) for change in changes]
    sql = statements[0][0]
    if any(other != sql for other, _ in statements):
        raise ValueError("bump_each() needs changes of one shape")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [params for _, params in statements])
        return cursor.rowcount


def _plain(value):
    """A choice (`Invoice.Status.POSTED`) as its stored value; anything else as it is, with its own type."""
    return value.value if isinstance(value, Enum) else value


def _statement(model, *, where, add, places, at_least=None, room=None) -> tuple[str, list]:
    if not where:
        raise ValueError("bump() needs the rows it moves")
    meta = model._meta
    quote = connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in {*add, *where, *(at_least or {}), *(room or {}), *(room or {}).values()}}
    place = (lambda name: places) if isinstance(places, int) else (lambda name: places.get(name, MONEY_PLACES))
    sets, params = [], []
    for name, delta in add.items():
        sets.append(f"{column[name]} = CAST(ROUND({column[name]} + CAST(%s AS NUMERIC), {int(place(name))}) AS NUMERIC)")
        params.append(Decimal(delta))
    conditions = []
    for name, value in where.items():
        if isinstance(value, (list, tuple)):  # one of several values
            conditions.append(f"{column[name]} IN ({', '.join(['%s'] * len(value))})")
            params.extend(_plain(item) for item in value)
        else:
            conditions.append(f"{column[name]} = %s")
            params.append(_plain(value))
    for name, value in (at_least or {}).items():
        conditions.append(f"{column[name]} >= CAST(%s AS NUMERIC)")
        params.append(Decimal(value))
    for name, limit in (room or {}).items():
        conditions.append(f"{column[name]} <= CAST(ROUND({column[limit]} - CAST(%s AS NUMERIC), {int(place(name))}) AS NUMERIC)")
        params.append(Decimal(add[name]))
    # Names come from the model, values go as parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(conditions)}"  # noqa: S608
    return sql, params
