"""The kept cursor of `core.cursors`: one driver cursor per connection inside a transaction,
with Django's error translation and broken-transaction refusal, and Django's own cursor
whenever something watches the statements."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from salesdesk.core import cursors, rows
from salesdesk.core.models import NumberCounter


def _select_one() -> int:
    with cursors.cursor(connection) as cursor:
        cursor.execute("SELECT 1", [])
        return cursor.fetchone()[0]


def test_statements_in_a_transaction_share_one_driver_cursor(db):
    with transaction.atomic():
        first, second = cursors.cursor(connection), cursors.cursor(connection)
        assert first is second
        assert not isinstance(first, CursorWrapper)
        assert _select_one() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_djangos_cursor():
    assert not connection.in_atomic_block
    with cursors.cursor(connection) as cursor:
        assert isinstance(cursor, CursorWrapper)
        cursor.execute("SELECT 1", [])
        assert cursor.fetchone()[0] == 1


def test_statements_counted_by_a_test_go_through_djangos_cursor(db):
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        assert isinstance(cursors.cursor(connection), CursorWrapper)
        _select_one()
    assert [q["sql"] for q in seen.captured_queries] == ["SELECT 1"]


def test_an_execute_wrapper_sees_every_statement(db):
    heard = []

    def listen(execute, sql, params, many, context):
        heard.append(sql)
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(listen):
        _select_one()
    assert heard == ["SELECT 1"]


def test_driver_errors_are_djangos_and_the_broken_transaction_refuses_more(company):
    NumberCounter.objects.create(company=company, series="T", year=2026, last_value=1)
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():  # a savepoint, as a service's inner step
            rows.insert(NumberCounter(company=company, series="T", year=2026, last_value=2))
        # the savepoint was rolled back: the transaction goes on
        assert _select_one() == 1
    with transaction.atomic():
        # nothing to roll back to: the whole transaction must go
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            rows.insert(NumberCounter(company=company, series="T", year=2026, last_value=3))
        with pytest.raises(TransactionManagementError):
            _select_one()  # the transaction must be rolled back first
        transaction.set_rollback(True)
    assert list(NumberCounter.objects.filter(company=company, series="T").values_list("last_value", flat=True)) == [1]


def test_a_new_driver_connection_gets_a_new_driver_cursor(db):
    with transaction.atomic():
        before = cursors.cursor(connection)
        assert before.driver_connection is connection.connection
        before.driver_connection = object()  # as if the connection had been closed and opened again
        after = cursors.cursor(connection)
        assert after is not before
        assert after.driver_connection is connection.connection
        assert _select_one() == 1
