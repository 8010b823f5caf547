"""Reads composed once by the ORM and run again with new values.

Django composes the SQL of a queryset again every time it runs, and for the narrow lookups of
the quote-to-cash cycle (lock this order, read that document's lines) composing costs about
ten times as much as running the statement (docs/benchmarks.md, finding 11). A ``Prepared``
read asks the ORM for the SQL once per database connection, with stand-in values for its
arguments, and afterwards only swaps the real values into the parameters. The ORM stays the
author of the SQL (so both databases get their own dialect, ``FOR UPDATE OF`` included) and
of the rows (model instances with their ``select_related`` parents, or tuples).

The rule that keeps this safe: the queryset may depend on its arguments and nothing else (no
``date.today()``, no settings read inside the build). Arguments are whole numbers, text or
dates (a date goes into the statement as the database takes a date field's value).
With ``SALESDESK_CHECK_PREPARED`` on (the test settings turn it on), every run also composes
the queryset the ordinary way and refuses to go on if the two statements differ.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

from salesdesk.core import converters as faster_converters
from salesdesk.core import cursors
from salesdesk.core.instances import Populator, builder, snapshot

_SENTINEL_BASE = 2_147_480_000  # no constant of ours looks like it, and it fits a 32-bit column


_DATE_BASE = date(1901, 2, 3)  # stand-in dates: far before any document of ours
_KINDS = (int, str, date)


def _stand_in(kind: type, position: int):
    if kind is int:
        return _SENTINEL_BASE + position
    if kind is date:
        return _DATE_BASE + timedelta(days=position)
    return f"\x01prepared argument {position}\x01"


def _adapter(connection, kind: type) -> Callable:
    """How an argument of `kind` reaches the parameters (SQLite takes a date field's value as text)."""
    return connection.ops.adapt_datefield_value if kind is date else _same


def _same(value):
    return value


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple  # the composed parameters, with the stand-ins still in them
    slots: tuple  # (parameter position, argument position, adapter) for every stand-in
    locks: bool
    compiler: Any  # keeps the select list, converters and the select_related tree
    model: Any
    init_list: tuple
    build: Any  # (db, values) -> instance, as the model's from_db
    model_slice: tuple
    populators: tuple
    annotations: tuple
    converters: dict


class Prepared:
    """A read whose SQL is composed once; ``build(*args)`` returns the queryset.

    ``kinds`` gives each argument's type (``int``, ``str`` or ``date``). ``rows`` is ``"models"`` for
    model instances or ``"tuples"`` for a ``values_list`` queryset's rows.
    """

    def __init__(self, build: Callable[..., QuerySet], *kinds: type, rows: str = "models"):
        if any(k not in _KINDS for k in kinds):
            raise TypeError("A prepared read takes whole numbers, text and dates only.")
        if rows not in ("models", "tuples"):
            raise ValueError(rows)
        self.build, self.kinds, self.rows = build, kinds, rows
        self._plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    # -- composing -------------------------------------------------------------------------

    def _plan(self, connection) -> _Plan:
        plan = self._plans.get(connection)
        if plan is None:
            plan = self._plans[connection] = self._compose(connection)
        return plan

    def _compose(self, connection) -> _Plan:
        stand_ins = [_stand_in(kind, i) for i, kind in enumerate(self.kinds)]
        queryset = self.build(*stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        adapters = [_adapter(connection, kind) for kind in self.kinds]
        where = {adapters[i](value): i for i, value in enumerate(stand_ins)}
        slots = tuple((p, where[value], adapters[where[value]]) for p, value in enumerate(params) if _hashable(value) and value in where)
        missing = set(range(len(stand_ins))) - {arg for _, arg, _adapt in slots}
        if missing:
            raise ValueError(f"Prepared read: argument(s) {sorted(missing)} do not reach the SQL as given.")
        select = compiler.select
        fields = [s[0] for s in select[0 : compiler.col_count]]
        converters = faster_converters.faster(compiler.get_converters(fields), connection)
        model = init_list = model_slice = build = None
        populators = annotations = ()
        if self.rows == "models":
            info = compiler.klass_info
            model = info["model"]
            first, last = info["select_fields"][0], info["select_fields"][-1] + 1
            model_slice = (first, last)
            init_list = tuple(f[0].target.attname for f in select[first:last])
            build = builder(model, init_list)
            populators = tuple(Populator(related) for related in get_related_populators(info, select, connection.alias))
            annotations = tuple(compiler.annotation_col_map.items())
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=slots,
            locks=bool(queryset.query.select_for_update),
            compiler=compiler,
            model=model,
            init_list=init_list,
            build=build,
            model_slice=model_slice,
            populators=populators,
            annotations=annotations,
            converters=converters,
        )

    # -- running ---------------------------------------------------------------------------

    def _args(self, args) -> tuple | None:
        if len(args) != len(self.kinds):
            raise TypeError(f"Prepared read takes {len(self.kinds)} argument(s), got {len(args)}.")
        out = []
        for value, kind in zip(args, self.kinds, strict=True):
            if value is None:
                return None  # `= NULL` matches no row (an unsaved document has no key to find)
            if isinstance(value, bool | datetime) or not isinstance(value, kind):
                raise TypeError(f"Prepared read argument {value!r} is not {kind.__name__}.")
            out.append(value)
        return tuple(out)

    def statement(self, *args, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list]:
        """The SQL and parameters of this read for `args`, to run inside another statement (an
        UPDATE that sets a column from it). Arguments must not be None."""
        found = self._args(args)
        if found is None:
            raise ValueError("Prepared.statement() needs every argument")
        connection = connections[using]
        plan = self._plan(connection)
        params = list(plan.params)
        for position, arg, adapt in plan.slots:
            params[position] = adapt(found[arg])
        if getattr(settings, "SALESDESK_CHECK_PREPARED", False):
            self._check(connection, plan, found, params)
        return plan.sql, params

    def all(self, *args, using: str = DEFAULT_DB_ALIAS, attach: dict | None = None) -> list:
        """Every row. ``attach`` names parents to set on each instance, as a related manager does
        (``lines.all(invoice.pk, attach={"invoice": invoice})``), so reading them costs nothing."""
        args = self._args(args)
        if args is None:
            return []
        connection = connections[using]
        plan = self._plan(connection)
        if plan.locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(plan.params)
        for position, arg, adapt in plan.slots:
            params[position] = adapt(args[arg])
        checking = getattr(settings, "SALESDESK_CHECK_PREPARED", False)
        if checking:
            self._check(connection, plan, args, params)
        with cursors.cursor(connection) as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = list(plan.compiler.apply_converters(rows, plan.converters))
        if self.rows == "tuples":
            return [tuple(row) for row in rows]
        found = [self._instance(plan, row, using) for row in rows]
        if checking:
            self._check_instances(plan, rows, found, using)
        for name, parent in (attach or {}).items():
            for obj in found:
                setattr(obj, name, parent)
        return found

    def first(self, *args, using: str = DEFAULT_DB_ALIAS):
        found = self.all(*args, using=using)
        return found[0] if found else None

    def get(self, *args, using: str = DEFAULT_DB_ALIAS):
        """One row, or the model's DoesNotExist / MultipleObjectsReturned, as ``.get()`` does."""
        found = self.all(*args, using=using)
        if len(found) == 1:
            return found[0]
        model = self._plan(connections[using]).model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}.")

    def _instance(self, plan: _Plan, row, using: str):
        first, last = plan.model_slice
        obj = plan.build(using, row[first:last])
        for populator in plan.populators:
            populator.populate(row, obj)
        for name, position in plan.annotations:
            setattr(obj, name, row[position])
        return obj

    @staticmethod
    def _check_instances(plan: _Plan, rows, found, using: str) -> None:
        """The instances are the ones Django's own ``from_db`` and populators build from the rows."""
        first, last = plan.model_slice
        for row, obj in zip(rows, found, strict=True):
            expected = plan.model.from_db(using, plan.init_list, row[first:last])
            for populator in plan.populators:
                populator.related.populate(row, expected)
            for name, position in plan.annotations:
                setattr(expected, name, row[position])
            if snapshot(obj) != snapshot(expected):
                raise AssertionError(f"Prepared read built {snapshot(obj)!r}, Django builds {snapshot(expected)!r}")

    def _check(self, connection, plan: _Plan, args, params) -> None:
        sql, expected = self.build(*args).query.get_compiler(connection=connection).as_sql()
        if sql != plan.sql or tuple(expected) != tuple(params):
            raise AssertionError(f"Prepared read differs from the ORM's statement.\nprepared: {plan.sql} {params}\nORM: {sql} {expected}")


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class PreparedByKeys:
    """A read of the rows whose keys (of type ``key``) are in a list: ``build(*args, *keys)``
    returns the queryset.

    Each length of list gets its own prepared statement (an order's five products, its five
    lines), up to ``most`` keys; a longer list goes to the ORM as it is. No keys, no query."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type, key: type = int, rows: str = "models", most: int = 100):
        self.build, self.kinds, self.key, self.rows, self.most = build, kinds, key, rows, most
        self._by_length: dict[int, Prepared] = {}

    def all(self, *args, keys, using: str = DEFAULT_DB_ALIAS) -> list:
        keys = sorted(set(keys))
        if not keys:
            return []
        if len(keys) > self.most:
            found = self.build(*args, *keys).using(using)
            return list(found) if self.rows == "models" else [tuple(row) for row in found]
        read = self._by_length.get(len(keys))
        if read is None:
            read = self._by_length[len(keys)] = Prepared(self.build, *self.kinds, *[self.key] * len(keys), rows=self.rows)
        return read.all(*args, *keys, using=using)
