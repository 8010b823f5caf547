"""Conventions every model of every app keeps (DESIGN.md, "Patterns every app repeats").

They read the model registry, so a new app or model is checked as soon as it is installed.
"""

import pytest
from django.apps import apps
from django.db import models

from salesdesk.core import workflow


def salesdesk_models() -> list[type[models.Model]]:
    found = [m for m in apps.get_models(include_auto_created=True) if m.__module__.startswith("salesdesk.") or _auto_of_salesdesk(m)]
    assert found, "no salesdesk models found"
    return found


def _auto_of_salesdesk(model) -> bool:
    return bool(model._meta.auto_created) and model._meta.app_label in {c.label for c in _salesdesk_apps()}


def _salesdesk_apps():
    return [c for c in apps.get_app_configs() if c.name.startswith("salesdesk.")]


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


# Tables that are not business tables of one company, and why.
NO_COMPANY = {
    "accounts.Company": "the tenant itself",
    "accounts.User": "a person may belong to several companies; Membership carries the company",
}
# Django's implicit many-to-many tables of the exempt models above (User.groups, User.user_permissions).
NO_COMPANY_AUTO_OF = {"accounts.User"}

# Unique keys that are global on purpose, and why.
GLOBAL_UNIQUE = {
    ("accounts.User", "username"): "people sign in with one username, whatever their companies",
    ("accounts.Company", "code"): "the company code names the tenant (X-Company header)",
}
# Known violations waiting for a model change (owned by the app's author). Each entry must
# still be a violation: when it is fixed, remove it here (test_known_violations_are_still_real).
KNOWN_GLOBAL_UNIQUE: dict[tuple[str, str], str] = {}

# Models allowed to override save(), and why.
SAVE_ALLOWED = {"core.AuditEntry": "append-only guard: refuses to update an existing row"}


def _is_through_of_exempt(model) -> bool:
    if not model._meta.auto_created:
        return False
    owners = {_label(f.related_model) for f in model._meta.fields if f.is_relation}
    return bool(owners & NO_COMPANY_AUTO_OF)


@pytest.mark.parametrize("model", salesdesk_models(), ids=_label)
def test_every_business_table_has_a_non_null_company(model):
    if _label(model) in NO_COMPANY or _is_through_of_exempt(model) or model._meta.proxy:
        return
    assert not model._meta.auto_created, (
        f"{_label(model)} is an implicit many-to-many table: give the relation an explicit `through` model that carries the company"
    )
    field = next((f for f in model._meta.concrete_fields if f.name == "company"), None)
    assert field is not None, f"{_label(model)} has no company column (add it, or exempt it in NO_COMPANY with a reason)"
    assert field.many_to_one and field.related_model._meta.label == "accounts.Company", f"{_label(model)}.company must be a FK to Company"
    assert not field.null, f"{_label(model)}.company must be NOT NULL"


def _unique_keys(model):
    """(name, fields) of every unique key: unique fields, unique_together and UniqueConstraints."""
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            yield field.name, [field.name]
    for fields in model._meta.unique_together:
        yield f"unique_together {fields}", list(fields)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            fields = list(constraint.fields)
            if not fields:
                fields = [getattr(e, "name", str(e)) for e in constraint.expressions]
            yield constraint.name, fields


@pytest.mark.parametrize("model", salesdesk_models(), ids=_label)
def test_every_unique_key_includes_the_company(model):
    if model._meta.auto_created and _is_through_of_exempt(model):
        return
    bad = []
    for name, fields in _unique_keys(model):
        if "company" in fields:
            continue
        key = (_label(model), fields[0] if len(fields) == 1 else tuple(fields))
        if key in GLOBAL_UNIQUE or key in KNOWN_GLOBAL_UNIQUE:
            continue
        bad.append(f"{name} on {fields}")
    assert not bad, f"{_label(model)}: unique keys without company: {bad}"


def test_known_violations_are_still_real():
    """An entry in KNOWN_GLOBAL_UNIQUE that is fixed must leave the list (so it cannot come back)."""
    for (label, field_name), _reason in KNOWN_GLOBAL_UNIQUE.items():
        model = apps.get_model(label)
        keys = [fields for _, fields in _unique_keys(model)]
        assert [field_name] in keys, f"{label}.{field_name} is no longer a global unique key: remove it from KNOWN_GLOBAL_UNIQUE"


def test_global_unique_exemptions_still_exist():
    for label, field_name in GLOBAL_UNIQUE:
        assert apps.get_model(label)._meta.get_field(field_name).unique


@pytest.mark.parametrize("model", salesdesk_models(), ids=_label)
def test_no_float_fields(model):
    floats = [f.name for f in model._meta.get_fields() if isinstance(f, models.FloatField)]
    assert not floats, f"{_label(model)} stores {floats} as float; money and quantities are DecimalField"


def document_models() -> list[type[models.Model]]:
    return [m for m in salesdesk_models() if isinstance(getattr(m, "Status", None), type) and issubclass(m.Status, models.TextChoices)]


def test_there_are_documents_with_statuses():
    assert document_models(), "expected at least one model with a Status (customers.Customer)"


@pytest.mark.parametrize("model", document_models(), ids=_label)
def test_status_documents_have_transitions_between_valid_statuses(model):
    assert hasattr(model, "TRANSITIONS"), f"{_label(model)} has a Status but no TRANSITIONS table"
    valid = set(model.Status.values)
    for source, targets in model.TRANSITIONS.items():
        assert source in valid, f"{_label(model)}: TRANSITIONS from unknown status {source!r}"
        unknown = {str(t) for t in targets} - valid
        assert not unknown, f"{_label(model)}: TRANSITIONS from {source!r} to unknown {unknown}"
        assert str(source) not in {str(t) for t in targets}, f"{_label(model)}: {source!r} moves to itself"
    field = model._meta.get_field("status")
    assert set(dict(field.choices)) == valid, f"{_label(model)}.status choices differ from Status"
    if field.has_default():
        assert str(field.default) in valid, f"{_label(model)}.status defaults to an unknown status"


def _status_in_values(condition) -> set[str] | None:
    """The value list of a `status__in` lookup anywhere in a check condition."""
    for child in getattr(condition, "children", []):
        if isinstance(child, tuple) and child[0] == "status__in":
            return {str(v) for v in child[1]}
        found = _status_in_values(child)
        if found is not None:
            return found
    return None


@pytest.mark.parametrize("model", document_models(), ids=_label)
def test_status_documents_have_a_check_constraint_on_status(model):
    checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    restricted = [_status_in_values(c.condition) for c in checks]
    assert set(model.Status.values) in restricted, (
        f"{_label(model)} needs CheckConstraint(condition=Q(status__in=Status.values)); found {restricted}"
    )


@pytest.mark.parametrize("model", document_models(), ids=_label)
def test_status_changes_go_through_the_workflow_function(model):
    """The workflow helper reads TRANSITIONS; a document without one could not use it."""
    instance = model(status=next(iter(model.TRANSITIONS)))
    assert workflow.allowed_targets(instance) == {str(t) for t in model.TRANSITIONS[instance.status]}


@pytest.mark.parametrize("model", salesdesk_models(), ids=_label)
def test_no_business_logic_in_save(model):
    overriding = [
        f"{cls.__module__}.{cls.__qualname__}" for cls in model.__mro__ if cls.__module__.startswith("salesdesk.") and "save" in vars(cls)
    ]
    if _label(model) in SAVE_ALLOWED:
        return
    assert not overriding, f"{_label(model)} overrides save() in {overriding}; put the business step in a service"


def test_save_allowlist_entries_still_override_save():
    for label in SAVE_ALLOWED:
        assert "save" in vars(apps.get_model(label)), f"{label} no longer overrides save(): remove it from SAVE_ALLOWED"
