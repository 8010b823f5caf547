"""The SQLite backend's cursor converts a statement's placeholders once (`core.sqlite_backend.cursor`)
and still gives every row the same as Django's own cursor, literal percent signs and named
parameters included."""

import pytest
from django.db import connections

from salesdesk.core.sqlite_backend.base import DatabaseWrapper
from salesdesk.core.sqlite_backend.cursor import qmark


@pytest.fixture
def cursor(tmp_path, django_db_blocker):
    settings = {**connections["default"].settings_dict}
    settings.update(ENGINE="salesdesk.core.sqlite_backend", NAME=str(tmp_path / "cursor.sqlite3"), OPTIONS={}, TEST={})
    with django_db_blocker.unblock():
        conn = DatabaseWrapper(settings, alias="cursor-test")
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE discount (code TEXT NOT NULL, label TEXT NOT NULL)")
            cur.executemany("INSERT INTO discount (code, label) VALUES (%s, %s)", [("A", "10% off"), ("B", "none")])
            yield cur
        conn.close()


def test_placeholders_and_literal_percent_signs_give_the_same_rows_every_run(cursor):
    query = "SELECT code, label FROM discount WHERE label LIKE '%%off' AND code = %s"
    for _ in range(3):
        cursor.execute(query, ["A"])
        assert cursor.fetchall() == [("A", "10% off")]
    cursor.execute(query, ["B"])
    assert cursor.fetchall() == []


def test_a_statement_is_converted_once_then_read_from_the_cache(cursor):
    query = "SELECT label FROM discount WHERE code = %s AND label <> '%%'"
    cursor.execute(query, ["B"])
    hits = qmark.cache_info().hits
    cursor.execute(query, ["B"])
    assert cursor.fetchall() == [("none",)]
    assert qmark.cache_info().hits == hits + 1
    assert qmark(query) == "SELECT label FROM discount WHERE code = ? AND label <> '%'"


def test_named_parameters_still_work(cursor):
    cursor.execute("SELECT label FROM discount WHERE code = %(code)s", {"code": "A"})
    assert cursor.fetchall() == [("10% off",)]
