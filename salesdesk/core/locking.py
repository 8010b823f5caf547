"""Row locks taken ahead of an action's reads, in the fixed order that keeps actions from deadlocking.

Several actions lock a parent row before the row they change (an order before its delivery or
invoice, invoices in key order before a customer's account) only so that two actions running at
once queue in the same order. On PostgreSQL that is one `SELECT ... FOR UPDATE`. SQLite has no
row locks: a writing transaction holds the whole database from its `BEGIN IMMEDIATE`, so the
same read would lock nothing and only cost a statement; there it is not run.
"""

from django.db import DEFAULT_DB_ALIAS, connections

from salesdesk.core import cursors

_BY_KEYS: dict = {}


def lock_rows(queryset) -> None:
    """Lock the rows of `queryset` (in its order, or by key when it has none) until the transaction ends.

    The lock only makes actions queue (a customer's returns and refusals), so on PostgreSQL it is
    FOR NO KEY UPDATE: it waits for and blocks other such lockers, but not the foreign-key checks
    of rows other transactions insert that point at it (a payment's journal line naming the
    customer), which a full FOR UPDATE would block and so deadlock with."""
    connection = connections[queryset.db]
    if not connection.features.has_select_for_update:
        return
    if not queryset.query.order_by:
        queryset = queryset.order_by("pk")
    no_key = connection.features.has_select_for_no_key_update
    list(queryset.select_for_update(no_key=no_key).values_list("pk", flat=True))


def lock_keys(model, keys, using: str = DEFAULT_DB_ALIAS) -> None:
    """Lock the rows of `model` with these keys, in key order, until the transaction ends: what
    `lock_rows(model.objects.filter(pk__in=keys))` does, with its statement composed once per
    model and number of keys (the cycle locks an order or a payment's invoices this way)."""
    connection = connections[using]
    keys = sorted(set(keys))
    if not keys or not connection.features.has_select_for_update:
        return
    shape = (connection.vendor, model, len(keys))
    sql = _BY_KEYS.get(shape)
    if sql is None:
        q, meta = connection.ops.quote_name, model._meta
        key = f"{q(meta.db_table)}.{q(meta.pk.column)}"
        marks = ", ".join(["%s"] * len(keys))
        sql = _BY_KEYS[shape] = f"SELECT {key} FROM {q(meta.db_table)} WHERE {key} IN ({marks}) ORDER BY {key} FOR UPDATE"  # noqa: S608 (names from the model)
    with cursors.cursor(connection) as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(key, connection) for key in keys])
        cursor.fetchall()
