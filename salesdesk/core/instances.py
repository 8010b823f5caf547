"""Model instances made from a database row as ``Model.from_db`` makes them, with less work.

``from_db`` goes through the model's ``__init__``, which sends the init signals and sets every
field through its class attribute; a foreign key's id goes through a setter that drops a cached
parent, which a new instance cannot have yet. A prepared read builds about seventy instances per
order in the quote-to-cash cycle (docs/benchmarks.md, finding 19), so where the model has no
init signal receivers, its own ``__init__`` and ``from_db``, and no field whose attribute has a
setter of its own (a file, say), the instance's dictionary takes the row's values directly:
the same attributes with the same values and the same state. Any other model goes through
``from_db``.

New rows take the same shortcut (``new``): the values given by attribute name go straight into
the instance's dictionary and every other field takes its default, as ``Model(**values)``
does; a parent given as an instance is checked and cached as its field's setter does it (for a
parent of the key's own class, with no database routers, without the setter's general
way). Anything else (a property, a field it does not know) goes through
``Model(**values)``.

``snapshot`` gives what an instance holds (its values, its state and the parents read with it),
so the prepared reads' check (``SALESDESK_CHECK_PREPARED``) can compare both ways of building.
"""

from collections.abc import Callable, Sequence
from decimal import Decimal
from inspect import getattr_static

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import DEFERRED, Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

# Class attributes that only read a value from the instance's dictionary, or (a foreign key's
# id) also drop a cached parent when the id changes.
_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def plain(model, attnames: Sequence[str]) -> bool:
    """True when building `model` from a row is just filling its dictionary."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False
    return all(type(getattr_static(model, name, None)) in _PLAIN_ATTRIBUTES for name in attnames)


def builder(model, attnames: Sequence[str]) -> Callable:
    """``build(db, values)``: an instance of `model` read from database `db`, `values` in `attnames` order."""
    names = tuple(attnames)
    if not plain(model, names):
        return lambda db, values: model.from_db(db, names, values)
    new = object.__new__

    def build(db, values):
        obj = new(model)
        state = ModelState()
        state.adding, state.db = False, db
        fields = obj.__dict__
        fields["_state"] = state
        fields.update(zip(names, values, strict=True))
        return obj

    return build


_MAKERS: dict = {}


def new(model, **values):
    """A new, unsaved `model` instance holding `values`, as ``model(**values)`` makes it."""
    make = _MAKERS.get(model)
    if make is None:
        make = _MAKERS[model] = _maker(model)
    obj = make(values)
    if getattr(settings, "SALESDESK_CHECK_PREPARED", False):
        expected = model(**values)
        if snapshot(obj) != snapshot(expected):
            raise AssertionError(f"{model.__name__}: new() made {snapshot(obj)!r}, the model makes {snapshot(expected)!r}")
    return obj


def _maker(model) -> Callable:
    fields = [f for f in model._meta.fields if f.column is not None and not f.generated]
    if len(fields) != len(model._meta.fields) or not plain(model, [f.attname for f in fields]):
        return lambda values: model(**values)
    plan = tuple((f.attname, f.name if f.is_relation else None, _default_of(f)) for f in fields)
    direct = {f.name: _direct_parent(f) for f in fields if f.is_relation}
    create = object.__new__

    def make(values):
        if any(value is DEFERRED for value in values.values()):
            return model(**values)
        given = dict(values)
        obj = create(model)
        obj.__dict__["_state"] = ModelState()
        parents = []
        for attname, name, default in plan:
            if name is not None and name in given:
                parents.append((name, given.pop(name)))
            elif attname in given:
                obj.__dict__[attname] = given.pop(attname)
            elif type(default) is _Fixed:
                obj.__dict__[attname] = default.value
            else:
                obj.__dict__[attname] = default()
        if given:  # a property or a name the model does not know: the model's own way
            return model(**values)
        state = obj._state
        for name, parent in parents:
            how = direct[name]
            if how is None or type(parent) is not how[0] or router.routers:
                setattr(obj, name, parent)  # checks the parent's class and caches it, as __init__ does
                continue
            # What the setter does for a parent of the key's own class with no database
            # routers: both take one database, the parent's key goes in and the parent is cached.
            _, attname, target_attname = how
            own = parent._state
            if state.db is None:
                state.db = own.db or DEFAULT_DB_ALIAS
            if own.db is None:
                own.db = state.db
            if own.db != state.db:
                setattr(obj, name, parent)  # refused, as the setter refuses it
                continue
            obj.__dict__[attname] = getattr(parent, target_attname)
            state.fields_cache[name] = parent
        return obj

    return make


class _Fixed:
    """A field's default that is the same value every time and cannot be changed in place."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


# Values that can be shared by every new row: changing one means replacing it.
_IMMUTABLE = (type(None), bool, int, str, Decimal)


def _default_of(field):
    """The field's default as a fixed value when it is one that cannot change (none, an empty
    text, a constant number), else the field's own way of making it (a date, a list)."""
    if not field.has_default() and not field.has_db_default():
        value = field.get_default()  # None, or an empty text where the field takes one
    elif field.has_default() and not callable(field.default):
        value = field.get_default()
    else:
        return field.get_default
    return _Fixed(value) if type(value) in _IMMUTABLE else field.get_default


def _direct_parent(field) -> tuple | None:
    """(parent class, key attribute, the parent's attribute it holds) for a many-to-one key to one
    field of its parent; None for anything else (a one-to-one caches itself on the parent too)."""
    if not field.many_to_one or len(field.related_fields) != 1 or field.cache_name != field.name:
        return None
    _, target = field.related_fields[0]
    return field.remote_field.model._meta.concrete_model, field.attname, target.attname


class Populator:
    """Django's ``RelatedPopulator`` (a ``select_related`` parent of each row), building with ``builder``."""

    def __init__(self, related):
        self.related = related
        self.build = builder(related.model_cls, related.init_list)
        self.children = tuple(Populator(child) for child in related.related_populators)

    def populate(self, row, from_obj) -> None:
        related = self.related
        values = related.reorder_for_init(row) if related.reorder_for_init else row[related.cols_start : related.cols_end]
        if values[related.pk_idx] is None:
            obj = None
        else:
            obj = self.build(related.db, values)
            for child in self.children:
                child.populate(row, obj)
        related.local_setter(from_obj, obj)
        if obj is not None:
            related.remote_setter(obj, from_obj)


def snapshot(obj, depth: int = 3):
    """What `obj` holds: its class, its values, its state, and the same of each cached parent."""
    if obj is None or depth == 0:
        return obj
    values = {name: value for name, value in vars(obj).items() if name != "_state"}
    cache = obj._state.fields_cache
    return (
        type(obj),
        values,
        (obj._state.adding, obj._state.db),
        {name: snapshot(parent, depth - 1) for name, parent in cache.items()},
    )
