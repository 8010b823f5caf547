"""Audited writes of master data: every created, changed or deleted field leaves an audit row."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from salesdesk.core import rows as stored
from salesdesk.core.errors import Invalid
from salesdesk.core.models import AuditEntry

_SKIP = {"id", "company", "created_at", "updated_at"}


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(sorted(_display(v) for v in value))
    return str(value)


def snapshot(instance: models.Model) -> dict[str, str]:
    """The audited fields of a record as display strings (foreign keys by their name)."""
    data: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        if field.name in _SKIP:
            continue
        if field.is_relation:
            data[field.name] = _display(getattr(instance, field.name))
        else:
            data[field.name] = _display(field.value_from_object(instance))
    if instance.pk:
        for field in instance._meta.many_to_many:
            data[field.name] = _display(list(getattr(instance, field.name).all()))
    return data


def record(*, instance: models.Model, actor, action: str, before: Mapping[str, str], after: Mapping[str, str]) -> None:
    """Write one audit row per field that differs between `before` and `after`."""
    content_type = ContentType.objects.get_for_model(instance)
    actor = actor if getattr(actor, "pk", None) else None
    rows = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, ""), after.get(name, "")
        if old == new and action == AuditEntry.Action.UPDATE:
            continue
        if action == AuditEntry.Action.CREATE and new == "":
            continue
        if action == AuditEntry.Action.DELETE and old == "":
            continue
        rows.append(
            AuditEntry(
                company_id=instance.company_id,
                actor=actor,
                content_type=content_type,
                object_id=instance.pk,
                object_repr=str(instance)[:200],
                action=action,
                field=name,
                before=old,
                after=new,
            )
        )
    if not rows and action != AuditEntry.Action.UPDATE:
        rows.append(
            AuditEntry(
                company_id=instance.company_id,
                actor=actor,
                content_type=content_type,
                object_id=instance.pk,
                object_repr=str(instance)[:200],
                action=action,
            )
        )
    stored.insert_many(rows)


def _duplicate_fields(instance: models.Model) -> dict[str, list[str]]:
    """Company-scoped unique keys that another row already holds, named by their own field.

    Django reports a (company, code) clash as a form-wide error; a user needs to know it is
    the code that is taken.
    """
    errors: dict[str, list[str]] = {}
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition is not None or not constraint.fields:
            continue
        own = [f for f in constraint.fields if f != "company"]
        if not own:
            continue
        lookup = {
            f"{f}_id" if instance._meta.get_field(f).is_relation else f: getattr(
                instance, f"{f}_id" if instance._meta.get_field(f).is_relation else f
            )
            for f in constraint.fields
        }
        # NULLs never clash unless the constraint says they do (nulls_distinct=False).
        if constraint.nulls_distinct is not False and any(v is None for v in lookup.values()):
            continue
        clash = type(instance)._default_manager.filter(**lookup).exclude(pk=instance.pk).exists()
        if clash:
            label = ", ".join(str(instance._meta.get_field(f).verbose_name) for f in own)
            errors.setdefault(own[-1], []).append(f"A {instance._meta.verbose_name} with this {label} already exists.")
    return errors


def _validate(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    duplicates = _duplicate_fields(instance)
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=not duplicates)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        errors = {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}
        raise Invalid({**errors, **duplicates}) from exc
    if duplicates:
        raise Invalid(duplicates)


@transaction.atomic
def audited_create(*, model: type[models.Model], company, actor, values: Mapping[str, Any], m2m: Mapping[str, Any] | None = None):
    """Create a master-data record for `company`, validated, with its audit rows."""
    instance = model(company=company, **values)
    _validate(instance)
    instance.save()
    for name, items in (m2m or {}).items():
        getattr(instance, name).set(items)
    record(instance=instance, actor=actor, action=AuditEntry.Action.CREATE, before={}, after=snapshot(instance))
    return instance


@transaction.atomic
def audited_update(*, instance: models.Model, actor, values: Mapping[str, Any], m2m: Mapping[str, Any] | None = None):
    """Change fields of a master-data record under a row lock, writing one audit row per field."""
    instance = type(instance).objects.select_for_update().get(pk=instance.pk, company_id=instance.company_id)
    before = snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    _validate(instance)
    instance.save()
    for name, items in (m2m or {}).items():
        getattr(instance, name).set(items)
    record(instance=instance, actor=actor, action=AuditEntry.Action.UPDATE, before=before, after=snapshot(instance))
    return instance


@transaction.atomic
def audited_delete(*, instance: models.Model, actor) -> None:
    """Delete a master-data record, refusing with `protected` when documents still point at it."""
    from salesdesk.core.errors import ProtectedRecord

    before = snapshot(instance)
    pk = instance.pk
    try:
        with transaction.atomic():
            instance.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        raise ProtectedRecord(
            used_by=sorted(
                {o._meta.verbose_name for o in exc.protected_objects if hasattr(o, "_meta")} if hasattr(exc, "protected_objects") else []
            )
        ) from exc
    instance.pk = pk
    record(instance=instance, actor=actor, action=AuditEntry.Action.DELETE, before=before, after={})


def history(instance: models.Model):
    return AuditEntry.objects.filter(
        company_id=instance.company_id,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
    ).select_related("actor")
