"""Locks taken ahead of an action (`core.locking`): a row lock on PostgreSQL, nothing on SQLite."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from salesdesk.core.locking import lock_keys, lock_rows
from salesdesk.inventory.models import Warehouse


def test_rows_are_locked_in_key_order_where_the_database_has_row_locks(company):
    two = Warehouse.objects.create(company=company, code="W2", name="Two")
    one = Warehouse.objects.create(company=company, code="W1", name="One")
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        lock_rows(Warehouse.objects.filter(pk__in=[two.pk, one.pk]))
    statements = [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")]
    if connection.features.has_select_for_update:
        assert len(statements) == 1
        # NO KEY: it queues other lockers but not the foreign-key checks of rows pointing at it.
        assert statements[0].endswith("FOR NO KEY UPDATE")
        assert "ORDER BY 1 ASC" in statements[0]  # the key, the first and only column read
    else:  # SQLite: the writing transaction already holds the whole database
        assert statements == []


def test_rows_locked_by_key_are_locked_in_key_order_once_each(company):
    two = Warehouse.objects.create(company=company, code="W2", name="Two")
    one = Warehouse.objects.create(company=company, code="W1", name="One")
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        lock_keys(Warehouse, [two.pk, one.pk, two.pk])
        lock_keys(Warehouse, [])  # nothing to lock: no statement
    if connection.features.has_select_for_update:
        assert len(seen.captured_queries) == 1
        query = seen.captured_queries[0]["sql"]
        assert query.endswith("FOR UPDATE") and "ORDER BY" in query
        assert f"IN ({min(one.pk, two.pk)}, {max(one.pk, two.pk)})" in query  # each key once, in order
    else:
        assert seen.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_key_is_locked_for_other_transactions(company):
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks: its writing transaction holds the whole database")
    warehouse = Warehouse.objects.create(company=company, code="W3", name="Three")
    outcome = []

    def other_transaction():
        try:
            with transaction.atomic(), connections["default"].cursor() as cursor:
                cursor.execute(f"SELECT id FROM {Warehouse._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT", [warehouse.pk])
                outcome.append("locked it too")
        except OperationalError:
            outcome.append("refused")
        finally:
            connections.close_all()

    with transaction.atomic():
        lock_keys(Warehouse, [warehouse.pk])
        thread = threading.Thread(target=other_transaction)
        thread.start()
        thread.join()
    assert outcome == ["refused"]
