"""Locks taken ahead of an action (`core.locking`): a row lock on PostgreSQL, nothing on SQLite."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from salesdesk.core.locking import lock_rows
from salesdesk.inventory.models import Warehouse


def test_rows_are_locked_in_key_order_where_the_database_has_row_locks(company):
    two = Warehouse.objects.create(company=company, code="W2", name="Two")
    one = Warehouse.objects.create(company=company, code="W1", name="One")
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        lock_rows(Warehouse.objects.filter(pk__in=[two.pk, one.pk]))
    statements = [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")]
    if connection.features.has_select_for_update:
        assert len(statements) == 1
        assert statements[0].endswith("FOR UPDATE")
        assert "ORDER BY 1 ASC" in statements[0]  # the key, the first and only column read
    else:  # SQLite: the writing transaction already holds the whole database
        assert statements == []
