"""Rows written with statements composed once per model and set of columns.

`Model.objects.create()` and `save(update_fields=...)` compose their INSERT or UPDATE again on
every call, which for the small rows a status change writes (the document's status, its event,
its audit row) costs several times more than the database takes to run them
(docs/benchmarks.md, finding 11). These write the same columns with the same values: each
field prepares its own value (`pre_save`, `get_db_prep_save`), as `save()` does; only the
statement text is kept. No model here has save signals or a `save()` that adds to the write
(the audit row's `save()` only refuses to change a row, and these never change one).

Values take a shorter way where the field's own preparation is known to hand the value to the
driver as it is: text for a text field, a `Decimal` for a decimal field, a boolean, a whole
number for an integer or a key where the database takes Python's int, and a missing value for
any of them (docs/benchmarks.md, finding 20). Every other field and value goes through the
field. With `SALESDESK_CHECK_PREPARED` on (the test settings), each shortcut value is
compared with what the field's own preparation gives, and a difference stops the write.
"""

from contextlib import nullcontext
from decimal import Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import signals

from salesdesk.core import cursors

_STATEMENTS: dict = {}
_PREPARERS: dict = {}
_NONE = type(None)
_INTEGERS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)
# Text fields hand any text on as it is, a choice's member (a str subclass) included.
_TEXT = (str, _NONE)
# Field classes (exactly these, not subclasses) whose `pre_save` reads the attribute and whose
# preparation returns a value of these types unchanged.
_PASSING = {
    models.CharField: _TEXT,
    models.TextField: _TEXT,
    models.DecimalField: (Decimal, _NONE),
    models.BooleanField: (bool, _NONE),
}


def _passes(field, connection) -> tuple:
    """The value types `field` hands to the driver as they are on `connection` (none: always prepare)."""
    target = field
    if isinstance(field, models.ForeignKey):
        target = field.target_field
    elif field.is_relation:
        return ()
    if type(target) in _INTEGERS:
        # PostgreSQL wraps whole numbers in the driver's sized types; SQLite takes them as they are.
        same = type(connection.ops).adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
        return (int, _NONE) if same else ()
    if field is not target:
        return ()
    return _PASSING.get(type(field), ())


def _preparers(connection, model, fields, add: bool, names: tuple | None = None) -> tuple:
    key = (connection.vendor, model, names or tuple(f.attname for f in fields), add)
    found = _PREPARERS.get(key)
    if found is None:
        found = _PREPARERS[key] = tuple((f, f.attname, _passes(f, connection)) for f in fields)
    return found


def values_of(obj, fields, connection, *, add: bool, names: tuple | None = None) -> list:
    """The parameters that store `fields` of `obj`, as `save()` prepares them (`names`: their
    attribute names, when the caller has them at hand)."""
    values = []
    shortcut = [] if getattr(settings, "SALESDESK_CHECK_PREPARED", False) else None
    held = obj.__dict__  # a loaded field's value, as its attribute gives it (a key's id without its descriptor)
    for field, attname, passes in _preparers(connection, type(obj), fields, add, names):
        if passes:
            value = held[attname] if attname in held else getattr(obj, attname)
            # A decimal that is not finite goes to the field, which refuses it.
            kind = type(value)
            if (kind in passes or (passes is _TEXT and isinstance(value, str))) and (kind is not Decimal or value.is_finite()):
                values.append(value)
                if shortcut is not None:
                    shortcut.append((field, value))
                continue
            values.append(field.get_db_prep_save(value, connection))
        else:
            values.append(field.get_db_prep_save(field.pre_save(obj, add), connection))
    if shortcut:
        for field, value in shortcut:
            expected = field.get_db_prep_save(field.pre_save(obj, add), connection)
            if type(expected) is not type(value) or expected != value:
                raise AssertionError(f"{field}: the shortcut gives {value!r}, the field gives {expected!r}")
    return values


def _insert_sql(q, meta, fields, count: int = 1) -> str:
    """INSERT of `count` rows of `fields` into the model's table, values as parameters."""
    columns = ", ".join(q(f.column) for f in fields)
    marks = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * count)
    return f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES {marks}"  # noqa: S608 (names from the model, values as parameters)


def _update_sql(q, meta, fields) -> str:
    """UPDATE of `fields` of the row with a key, values as parameters (the key last)."""
    assignments = ", ".join(f"{q(f.column)} = %s" for f in fields)
    return f"UPDATE {q(meta.db_table)} SET {assignments} WHERE {q(meta.pk.column)} = %s"  # noqa: S608 (names from the model)


def _sql(connection, key, compose) -> str:
    full = (connection.vendor, *key)
    sql = _STATEMENTS.get(full)
    if sql is None:
        sql = _STATEMENTS[full] = compose(connection.ops.quote_name)
    return sql


_PARENT_KEYS: dict = {}


def _parent_keys(model) -> dict:
    """{cache name: (key attribute, parent's key attribute)} of the model's keys to a parent's primary key."""
    found = _PARENT_KEYS.get(model)
    if found is None:
        found = _PARENT_KEYS[model] = {
            f.cache_name: (f.attname, f.target_field.attname)
            for f in model._meta.concrete_fields
            if f.many_to_one and len(f.related_fields) == 1 and f.target_field.primary_key
        }
    return found


def _prepare_parents(model, objs) -> None:
    """What bulk_create checks of each new row's cached parents (`_prepare_related_fields_for_save`):
    an unsaved parent is refused, a parent saved after it was assigned gives its key. A row whose
    every cached parent is saved and already holds that parent's key has nothing to do; any other
    goes through the model's own check."""
    keys = _parent_keys(model)
    for obj in objs:
        held = obj.__dict__
        for name, parent in obj._state.fields_cache.items():
            how = keys.get(name)
            if how is None or parent is None or held.get(how[0]) is None or held[how[0]] != parent.__dict__.get(how[1]):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                break


_COLUMNS: dict = {}


def _new_row_columns(model, *, with_key: bool) -> tuple[tuple, tuple]:
    """(fields, their attribute names) a new row of `model` is inserted with: every concrete
    field of its own, the key only when the row comes with one."""
    found = _COLUMNS.get((model, with_key))
    if found is None:
        fields = tuple(f for f in model._meta.local_concrete_fields if with_key or not f.primary_key)
        found = _COLUMNS[(model, with_key)] = (fields, tuple(f.attname for f in fields))
    return found


def insert(obj, using: str = DEFAULT_DB_ALIAS):
    """INSERT `obj` (a new row) and set its key, as `obj.save()` would for a new row."""
    connection = connections[using]
    model = type(obj)
    meta = model._meta
    fields, names = _new_row_columns(model, with_key=getattr(obj, meta.pk.attname) is not None)
    returning = connection.features.can_return_columns_from_insert

    def compose(q):
        sql = _insert_sql(q, meta, fields)
        return f"{sql} RETURNING {q(meta.pk.column)}" if returning else sql

    sql = _sql(connection, ("insert", model, names), compose)
    values = values_of(obj, fields, connection, add=True, names=names)
    with cursors.cursor(connection) as cursor:
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
    fields, names = _new_row_columns(model, with_key=False)
    _prepare_parents(model, objs)
    returning = connection.features.can_return_rows_from_bulk_insert
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)

    def compose_for(count):
        def compose(q):
            sql = _insert_sql(q, meta, fields, count)
            return f"{sql} RETURNING {q(pk.column)}" if returning else sql

        return compose

    # Several batches go in together or not at all, as bulk_create's; one batch inside the
    # caller's transaction is one statement and needs no block of its own.
    together = transaction.atomic(using=using, savepoint=False) if len(objs) > size or not connection.in_atomic_block else nullcontext()
    with together, cursors.cursor(connection) as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            sql = _sql(connection, ("insert_many", model, len(batch)), compose_for(len(batch)))
            cursor.execute(sql, [value for obj in batch for value in values_of(obj, fields, connection, add=True, names=names)])
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
    sql = _sql(connection, ("update", model, tuple(f.attname for f in fields)), lambda q: _update_sql(q, meta, fields))
    values = values_of(obj, fields, connection, add=False)
    values.append(meta.pk.get_db_prep_value(obj.pk, connection))
    with cursors.cursor(connection) as cursor:
        cursor.execute(sql, values)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def delete_where(model, using: str = DEFAULT_DB_ALIAS, **equals) -> int:
    """DELETE the rows whose fields equal these values (a list: any of them), as
    `model.objects.filter(**equals).delete()` does, in one statement composed once; returns
    the rows deleted. A model that other rows refer to, or whose deletes a signal receiver
    hears, goes through the ORM's delete, which looks after them."""
    meta = model._meta
    if meta.related_objects or signals.pre_delete.has_listeners(model) or signals.post_delete.has_listeners(model):
        return model.objects.using(using).filter(**equals).delete()[0]
    connection = connections[using]
    fields = {name: meta.get_field(name) for name in equals}
    shape = tuple((name, len(value) if isinstance(value, (list, tuple)) else None) for name, value in equals.items())
    if any(count == 0 for _, count in shape):
        return 0  # `IN ()` matches no row

    def compose(q):
        conditions = [
            f"{q(fields[name].column)} IN ({', '.join(['%s'] * count)})" if count is not None else f"{q(fields[name].column)} = %s"
            for name, count in shape
        ]
        return f"DELETE FROM {q(meta.db_table)} WHERE {' AND '.join(conditions)}"  # noqa: S608 (names from the model, values as parameters)

    sql = _sql(connection, ("delete", model, shape), compose)
    params = []
    for name, value in equals.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            params.append(fields[name].get_db_prep_value(item, connection))
    with cursors.cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def save_fields_with(obj, names, new_rows, using: str = DEFAULT_DB_ALIAS) -> None:
    """`save_fields(obj, names)` and `insert(row)` of each new row that goes with it (a status
    change and its event and audit rows), refused as `save_fields` refuses when the row is gone.

    On PostgreSQL the three are one statement (an UPDATE and INSERTs in one `WITH`), one
    round trip instead of three; the new rows get no key back. Elsewhere a statement each."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        save_fields(obj, names, using)
        for row in new_rows:
            insert(row, using)
        return
    model, meta = type(obj), type(obj)._meta
    fields = [meta.get_field(name) for name in dict.fromkeys(names)]
    inserted = [(row, [f for f in type(row)._meta.local_concrete_fields if not f.primary_key]) for row in new_rows]

    def compose(q):
        parts = [f"moved AS ({_update_sql(q, meta, fields)} RETURNING 1)"]
        parts += [f"new_{i} AS ({_insert_sql(q, type(row)._meta, columns)})" for i, (row, columns) in enumerate(inserted)]
        return f"WITH {', '.join(parts)} SELECT count(*) FROM moved"  # noqa: S608 (names from the models)

    key = ("update_with", model, tuple(f.attname for f in fields), tuple(type(row) for row, _ in inserted))
    sql = _sql(connection, key, compose)
    values = values_of(obj, fields, connection, add=False)
    values.append(meta.pk.get_db_prep_value(obj.pk, connection))
    for row, columns in inserted:
        values.extend(values_of(row, columns, connection, add=True))
    with cursors.cursor(connection) as cursor:
        cursor.execute(sql, values)
        if cursor.fetchone()[0] == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    for row, _ in inserted:
        row._state.adding, row._state.db = False, using
