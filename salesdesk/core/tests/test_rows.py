"""Rows written with statements composed once (`core.rows`): the same row as `create()` and
`save(update_fields=...)` would write, on both databases."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError

from salesdesk.core import rows
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.inventory.models import StockLevel, Warehouse


def event(company, user, note="hello"):
    return DocumentEvent(
        company=company,
        content_type=ContentType.objects.get_for_model(Warehouse),
        object_id=7,
        from_status="draft",
        to_status="confirmed",
        actor=user,
        note=note,
    )


def stored(obj) -> dict:
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in type(obj)._meta.concrete_fields if f.attname not in ("id", "at")}


def test_an_inserted_row_is_the_row_create_writes(company, users):
    user = users["admin"]
    mine = rows.insert(event(company, user))
    theirs = event(company, user)
    theirs.save()
    assert mine.pk is not None and mine.pk != theirs.pk and mine._state.adding is False
    assert stored(mine) == stored(theirs)
    assert mine.at is not None and DocumentEvent.objects.get(pk=mine.pk).at == mine.at  # auto_now_add filled in


def test_an_inserted_row_keeps_text_exactly(company, users):
    note = "Ñandú ' \" ; -- =SUM(A1) \\ ünïcode"
    row = rows.insert(event(company, None, note=note))
    assert DocumentEvent.objects.get(pk=row.pk).note == note
    assert DocumentEvent.objects.get(pk=row.pk).actor_id is None


def test_the_audit_trail_only_ever_gains_rows(company):
    entry = rows.insert(
        AuditEntry(
            company=company,
            content_type=ContentType.objects.get_for_model(Warehouse),
            object_id=1,
            object_repr="x",
            action=AuditEntry.Action.STATUS,
            field="status",
            before="a",
            after="b",
        )
    )
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_saved_fields_change_and_the_others_stay(company, product):
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    level = StockLevel.objects.create(company=company, product=product, warehouse=warehouse, on_hand=Decimal("5"), value=Decimal("30.00"))
    level.on_hand, level.value = Decimal("7.5"), Decimal("99.99")  # only on_hand is saved
    rows.save_fields(level, ["on_hand"])
    level = StockLevel.objects.get(pk=level.pk)
    assert (level.on_hand, level.value) == (Decimal("7.5"), Decimal("30.00"))
    warehouse.name, warehouse.active = "Renamed", False
    rows.save_fields(warehouse, ["name", "active"])
    assert Warehouse.objects.filter(pk=warehouse.pk, name="Renamed", active=False).exists()


def test_saving_a_row_that_is_gone_is_refused(company):
    warehouse = Warehouse.objects.create(company=company, code="GONE", name="Gone")
    Warehouse.objects.filter(pk=warehouse.pk).delete()
    with pytest.raises(DatabaseError):
        rows.save_fields(warehouse, ["name"])
