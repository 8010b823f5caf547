"""Rows written with statements composed once per model and set of columns.

`Model.objects.create()` and `save(update_fields=...)` compose their INSERT or UPDATE again on
every call, which for the small rows a status change writes (the document's status, its event,
its audit row) costs several times more than the database takes to run them
(docs/benchmarks.md, finding 11). These write the same columns with the same values: each
field prepares its own value (`pre_save`, `get_db_prep_save`), as `save()` does; only the
statement text is kept. No model here has save signals or a `save()` that adds to the write
(the audit row's `save()` only refuses to change a row, and these never change one).
"""

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

_STATEMENTS: dict = {}


def _sql(connection, key, compose) -> str:
    full = (connection.vendor, *key)
    sql = _STATEMENTS.get(full)
    if sql is None:
        sql = _STATEMENTS[full] = compose(connection.ops.quote_name)
    return sql


def insert(obj, using: str = DEFAULT_DB_ALIAS):
    """INSERT `obj` (a new row) and set its key, as `obj.save()` would for a new row."""
    connection = connections[using]
    model = type(obj)
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not (f.primary_key and getattr(obj, f.attname) is None)]
    returning = connection.features.can_return_columns_from_insert

    def compose(q):
        columns = ", ".join(q(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model, values as parameters)
        return f"{sql} RETURNING {q(meta.pk.column)}" if returning else sql

    sql = _sql(connection, ("insert", model, tuple(f.attname for f in fields)), compose)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        pk = cursor.fetchone()[0] if returning else connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    if getattr(obj, meta.pk.attname) is None:
        setattr(obj, meta.pk.attname, pk)
    obj._state.adding, obj._state.db = False, using
    return obj


def insert_many(objs, using: str = DEFAULT_DB_ALIAS) -> list:
    """INSERT new rows of one model, as `bulk_create(objs)` does: the same batches, the same
    values, and each object's key set from the database where it returns them (PostgreSQL,
    SQLite 3.35+). Refuses a row that already has a key rather than write it another way."""
    objs = list(objs)
    if not objs:
        return objs
    connection = connections[using]
    model = type(objs[0])
    meta = model._meta
    pk = meta.pk
    if any(type(obj) is not model or getattr(obj, pk.attname) is not None for obj in objs):
        raise ValueError(f"insert_many writes new {meta.label} rows only: one row has a key or another model")
    fields = [f for f in meta.local_concrete_fields if f is not pk]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # as bulk_create: a parent saved after assignment
    returning = connection.features.can_return_rows_from_bulk_insert
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)

    def compose_for(count):
        def compose(q):
            columns = ", ".join(q(f.column) for f in fields)
            marks = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * count)
            sql = f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES {marks}"  # noqa: S608 (names from the model, values as parameters)
            return f"{sql} RETURNING {q(pk.column)}" if returning else sql

        return compose

    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            sql = _sql(connection, ("insert_many", model, len(batch)), compose_for(len(batch)))
            cursor.execute(sql, [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in batch for f in fields])
            if returning:
                for obj, (key,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, key)
    for obj in objs:
        obj._state.adding, obj._state.db = False, using
    return objs


def save_fields(obj, names, using: str = DEFAULT_DB_ALIAS) -> None:
    """UPDATE the named fields of `obj`'s row, as `obj.save(update_fields=names)` does
    (including its refusal when the row is gone)."""
    connection = connections[using]
    model = type(obj)
    meta = model._meta
    fields = [meta.get_field(name) for name in dict.fromkeys(names)]

    def compose(q):
        assignments = ", ".join(f"{q(f.column)} = %s" for f in fields)
        return f"UPDATE {q(meta.db_table)} SET {assignments} WHERE {q(meta.pk.column)} = %s"  # noqa: S608 (names from the model)

    sql = _sql(connection, ("update", model, tuple(f.attname for f in fields)), compose)
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    values.append(meta.pk.get_db_prep_value(obj.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
