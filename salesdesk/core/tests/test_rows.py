"""Rows written with statements composed once (`core.rows`): the same row as `create()` and
`save(update_fields=...)` would write, on both databases."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

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


def test_many_rows_are_the_rows_bulk_create_writes_with_their_keys_in_order(company, users):
    user = users["admin"]
    mine = rows.insert_many(event(company, user, note=f"mine {i}") for i in range(3))
    theirs = DocumentEvent.objects.bulk_create([event(company, user, note=f"theirs {i}") for i in range(3)])
    assert [e.pk for e in mine] == sorted(e.pk for e in mine) and all(e._state.adding is False for e in mine)
    for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        assert DocumentEvent.objects.get(pk=a.pk).note == f"mine {i}"  # each object got its own row's key
        assert {**stored(a), "note": ""} == {**stored(b), "note": ""}


def test_more_rows_than_one_statement_takes_are_written_in_batches(company, users):
    # SQLite takes at most 999 values in a statement; 300 rows of several columns need more.
    with CaptureQueriesContext(connection) as captured:
        written = rows.insert_many(event(company, users["admin"], note=str(i)) for i in range(300))
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 3)
    notes = dict(DocumentEvent.objects.filter(pk__in=[e.pk for e in written]).values_list("pk", "note"))
    assert len(notes) == 300 and all(notes[e.pk] == str(i) for i, e in enumerate(written))


def test_no_rows_is_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows.insert_many([]) == []


def test_a_row_that_already_has_a_key_is_refused_and_nothing_is_written(company, users):
    kept = rows.insert(event(company, users["admin"]))
    before = DocumentEvent.objects.count()
    with pytest.raises(ValueError, match=r"new .* rows only"):
        rows.insert_many([event(company, users["admin"]), kept])
    assert DocumentEvent.objects.count() == before


def test_the_shortcut_values_are_the_fields_own_and_a_value_of_another_type_goes_to_the_field(company, users, product):
    from salesdesk.inventory.models import StockMove

    move = StockMove(
        company=company,
        product=product,
        warehouse=Warehouse.objects.create(company=company, code="W9", name="Nine"),
        kind="receipt",
        quantity="2.5",  # text: the field makes it a Decimal
        unit_cost=Decimal("1.2500"),
        value=Decimal("3.13"),
        reference="R-1",
        actor=users["admin"],
    )
    fields = [f for f in StockMove._meta.local_concrete_fields if not f.primary_key and f.name != "created_at"]  # now, twice
    given = rows.values_of(move, fields, connection, add=True)
    expected = [f.get_db_prep_save(f.pre_save(move, True), connection) for f in fields]
    assert [(type(v), v) for v in given] == [(type(v), v) for v in expected]
    assert rows.values_of(move, [StockMove._meta.get_field("quantity")], connection, add=True) == [Decimal("2.5")]


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_a_decimal_that_is_not_finite_is_refused_by_its_field_as_save_refuses_it(company, product, bad):
    from django.core.exceptions import ValidationError

    warehouse = Warehouse.objects.create(company=company, code="W8", name="Eight")
    with pytest.raises(ValidationError):
        rows.insert(StockLevel(company=company, product=product, warehouse=warehouse, on_hand=bad))
    assert not StockLevel.objects.filter(warehouse=warehouse).exists()


def test_whole_numbers_take_the_shortcut_only_where_the_database_takes_python_ints():
    from salesdesk.inventory.models import StockMove

    key = StockMove._meta.get_field("warehouse")
    if connection.vendor == "sqlite":
        assert rows._passes(key, connection) == (int, type(None))
    else:  # PostgreSQL's driver is given sized integer types by the field
        assert rows._passes(key, connection) == ()
    assert rows._passes(StockMove._meta.get_field("reference"), connection) == (str, type(None))
    assert rows._passes(StockMove._meta.get_field("date"), connection) == ()  # dates always go to the field


def test_a_change_and_the_rows_that_go_with_it_are_written_as_apart(company, users):
    warehouse = Warehouse.objects.create(company=company, code="W7", name="Seven")
    warehouse.name = "Seven (moved)"
    with CaptureQueriesContext(connection) as seen:
        rows.save_fields_with(warehouse, ["name"], [event(company, users["admin"], note="with it")])
    assert Warehouse.objects.get(pk=warehouse.pk).name == "Seven (moved)"
    written = DocumentEvent.objects.get(note="with it")
    assert (written.company_id, written.object_id, written.actor_id, written.to_status) == (company.pk, 7, users["admin"].pk, "confirmed")
    assert written.at is not None
    # One round trip on PostgreSQL (a WITH of the UPDATE and the INSERT), one statement each elsewhere.
    assert len(seen.captured_queries) == (1 if connection.vendor == "postgresql" else 2)


def test_a_change_to_a_row_that_is_gone_is_refused_and_its_rows_do_not_stay(company, users):
    from django.db import transaction

    warehouse = Warehouse.objects.create(company=company, code="W6", name="Six")
    Warehouse.objects.filter(pk=warehouse.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.save_fields_with(warehouse, ["name"], [event(company, users["admin"], note="gone")])
    assert not DocumentEvent.objects.filter(note="gone").exists()


def test_many_rows_with_an_unsaved_parent_are_refused_as_bulk_create_refuses_them(company, users):
    warehouse = Warehouse(company=company, code="W8", name="Eight")  # never saved
    before = StockLevel.objects.count()
    with pytest.raises(ValueError, match="unsaved related object 'warehouse'"):
        rows.insert_many([StockLevel(company=company, product_id=None, warehouse=warehouse)])
    assert StockLevel.objects.count() == before


def test_a_parent_saved_after_it_was_assigned_gives_its_key_as_bulk_create_takes_it(company, product):
    warehouse = Warehouse(company=company, code="W7", name="Seven")
    level = StockLevel(company=company, product=product, warehouse=warehouse)
    warehouse.save()  # saved after it was assigned: the row holds no key yet
    assert level.warehouse_id is None
    rows.insert_many([level])
    assert StockLevel.objects.get(pk=level.pk).warehouse_id == warehouse.pk and level.warehouse is warehouse
