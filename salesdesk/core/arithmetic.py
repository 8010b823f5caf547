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

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.functions import Round

from salesdesk.core import cursors

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
    returning: tuple[str, ...] = (),
) -> int | dict | None:
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
    db = connections[DEFAULT_DB_ALIAS]  # looked up once (each use of the `connection` proxy looks it up again)
    sql, params = _statement(
        model, where=where, add=add, places=places, at_least=at_least, room=room, returning=returning, vendor=db.vendor
    )
    with cursors.cursor(db) as cursor:
        cursor.execute(sql, params)
        if not returning:
            return cursor.rowcount
        found = cursor.fetchone()
    # `returning`: the named fields of the row as they are now (by attribute name), or None
    # when no row changed; `where` must then select one row at most.
    return None if found is None else _converted(model, returning, found)


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
    with cursors.cursor(connection) as cursor:
        cursor.executemany(sql, [params for _, params in statements])
        return cursor.rowcount


def add_to_rows(model, *, keys: tuple[str, ...], rows: list[tuple[tuple, tuple[Decimal, ...]]], figures: tuple[str, ...]) -> None:
    """Add amounts to the maintained `figures` of rows found by a unique key (`keys`, in the
    order of a unique constraint), creating a row that does not exist yet with the amounts
    as its figures: one `INSERT ... ON CONFLICT DO UPDATE` for every row, each rounded to
    money places in the statement as `bump` does.

    `rows` gives each row's key values and its amounts (one per figure). The rows are written
    in the order given, which is the order they are locked: callers give them sorted so that
    concurrent writers lock them alike. A row created at the same moment by another
    transaction is added to, never duplicated (the unique key decides). One statement instead
    of one UPDATE per row plus a savepoint and INSERT for a missing one: on PostgreSQL one
    round trip for all of them."""
    if not rows:
        return
    shape = (connection.vendor, "add_to_rows", model, keys, figures, len(rows))
    sql = _SQL.get(shape)
    if sql is None:
        sql = _SQL[shape] = _compose_add_to_rows(model, keys, figures, len(rows))
    params: list = []
    for key, amounts in rows:
        params.extend(_plain(value) for value in key)
        params.extend(Decimal(amount) for amount in amounts)
    with cursors.cursor(connection) as cursor:
        cursor.execute(sql, params)


def _compose_add_to_rows(model, keys, figures, count: int) -> str:
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(meta.get_field(name).column) for name in (*keys, *figures)]
    one = "(" + ", ".join(["%s"] * len(keys) + ["CAST(%s AS NUMERIC)"] * len(figures)) + ")"
    key_columns = ", ".join(quote(meta.get_field(name).column) for name in keys)
    sets = []
    for name in figures:
        column = quote(meta.get_field(name).column)
        places = meta.get_field(name).decimal_places
        sets.append(f"{column} = CAST(ROUND({table}.{column} + excluded.{column}, {places}) AS NUMERIC)")
    # Names come from the model, values go as parameters.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * count)} "  # noqa: S608
        f"ON CONFLICT ({key_columns}) DO UPDATE SET {', '.join(sets)}"
    )


def _plain(value):
    """A choice (`Invoice.Status.POSTED`) as its stored value; anything else as it is, with its own type."""
    return value.value if isinstance(value, Enum) else value


_SQL: dict = {}


def _statement(model, *, where, add, places, at_least=None, room=None, returning=(), vendor=None) -> tuple[str, list]:
    """The UPDATE and its parameters; the text is composed once per shape (model, figures,
    conditions, number of values in a list) and kept, as the values are all parameters."""
    if not where:
        raise ValueError("bump() needs the rows it moves")
    at_least, room = at_least or {}, room or {}
    place = (lambda name: places) if isinstance(places, int) else (lambda name: places.get(name, MONEY_PLACES))
    shape = (
        vendor or connection.vendor,
        model,
        tuple((name, int(place(name))) for name in add),
        tuple((name, len(value) if isinstance(value, (list, tuple)) else None) for name, value in where.items()),
        tuple(at_least),
        tuple((name, limit, int(place(name))) for name, limit in room.items()),
        tuple(returning),
    )
    sql = _SQL.get(shape)
    if sql is None:
        sql = _SQL[shape] = _compose(model, *shape[2:])
    params = [Decimal(delta) for delta in add.values()]
    for value in where.values():
        if isinstance(value, (list, tuple)):
            params.extend(_plain(item) for item in value)
        else:
            params.append(_plain(value))
    params.extend(Decimal(value) for value in at_least.values())
    params.extend(Decimal(add[name]) for name in room)
    return sql, params


def _compose(model, add, where, at_least, room, returning) -> str:
    meta = model._meta
    quote = connection.ops.quote_name

    def column(name):
        return quote(meta.get_field(name).column)

    sets = [f"{column(name)} = CAST(ROUND({column(name)} + CAST(%s AS NUMERIC), {places}) AS NUMERIC)" for name, places in add]
    conditions = []
    for name, count in where:
        if count is not None:  # one of several values
            conditions.append(f"{column(name)} IN ({', '.join(['%s'] * count)})")
        else:
            conditions.append(f"{column(name)} = %s")
    conditions += [f"{column(name)} >= CAST(%s AS NUMERIC)" for name in at_least]
    conditions += [
        f"{column(name)} <= CAST(ROUND({column(limit)} - CAST(%s AS NUMERIC), {places}) AS NUMERIC)" for name, limit, places in room
    ]
    # Names come from the model, values go as parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(conditions)}"  # noqa: S608
    if returning:
        sql += " RETURNING " + ", ".join(column(name) for name in returning)
    return sql


def _converted(model, names, row) -> dict:
    """A returned row's values as the ORM reads them (a decimal from SQLite's float, a date from its text)."""
    meta = model._meta
    values = {}
    for name, value in zip(names, row, strict=True):
        field = meta.get_field(name)
        col = field.get_col(meta.db_table)
        for converter in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = converter(value, col, connection)
        values[field.attname] = value
    return values
