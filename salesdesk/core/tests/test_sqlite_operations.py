"""The SQLite backend's operations write and read datetimes in UTC a shorter way
(`core.sqlite_backend.operations`) and give exactly what Django's own operations give."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.db.backends.sqlite3 import base as django_sqlite
from django.utils import timezone

from salesdesk.core.sqlite_backend.base import DatabaseWrapper

UTC = datetime.UTC


def wrapper(time_zone=None) -> DatabaseWrapper:
    settings = {**connections["default"].settings_dict}
    settings.update(ENGINE="salesdesk.core.sqlite_backend", NAME=":memory:", OPTIONS={}, TEST={}, TIME_ZONE=time_zone)
    return DatabaseWrapper(settings, alias="operations-test")


WRITTEN = [
    datetime.datetime(2026, 11, 25, 8, 35, 43, 297298, tzinfo=UTC),
    datetime.datetime(2026, 1, 1, tzinfo=UTC),
    datetime.datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Madrid")),  # another zone: Django's way
    None,
]
READ = ["2026-11-25 08:35:43.297298", "2026-11-25 08:00:00", "2026-11-25T08:00:00.5", "2026-11-25 08:00:00+02:00", "2026-11-25", None]
# What the driver hands over for a datetime column: the text, parsed by the converter Django registers for the type.
READ += [
    datetime.datetime(2026, 11, 25, 8, 35, 43, 297298),
    datetime.datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    datetime.datetime(2026, 11, 25, 8, 0, tzinfo=ZoneInfo("Europe/Madrid")),
]


@pytest.mark.parametrize("time_zone", [None, "Europe/Madrid"])
def test_datetimes_are_written_and_read_as_djangos_own_operations_do(time_zone):
    db = wrapper(time_zone)
    ours, django = db.ops, django_sqlite.DatabaseOperations(db)
    for value in WRITTEN:
        assert ours.adapt_datetimefield_value(value) == django.adapt_datetimefield_value(value)
    for text in READ:
        mine, theirs = ours.convert_datetimefield_value(text, None, db), django.convert_datetimefield_value(text, None, db)
        assert mine == theirs
        assert mine is None or (mine.tzinfo, mine.utcoffset()) == (theirs.tzinfo, theirs.utcoffset())


def test_a_stored_datetime_comes_back_as_it_was_written():
    ops = wrapper().ops
    now = timezone.now()
    assert ops.adapt_datetimefield_value(now) == str(now.replace(tzinfo=None))
    assert ops.convert_datetimefield_value(ops.adapt_datetimefield_value(now), None, None) == now


def test_text_that_is_no_datetime_fails_as_it_fails_django():
    db = wrapper()
    failures = []
    for ops in (django_sqlite.DatabaseOperations(db), db.ops):
        with pytest.raises(Exception) as failed:  # whatever Django raises, ours raises too
            ops.convert_datetimefield_value("not a date", None, db)
        failures.append(type(failed.value))
    assert failures[0] is failures[1]


@pytest.mark.django_db
def test_a_datetime_written_and_read_through_the_orm_comes_back_the_same_in_utc():
    from django.contrib.sessions.models import Session

    written = datetime.datetime(2026, 11, 25, 9, 30, 15, 120000, tzinfo=ZoneInfo("Europe/Madrid"))
    Session.objects.create(session_key="operations-test", session_data="", expire_date=written)
    read = Session.objects.get(session_key="operations-test").expire_date
    assert read == written
    assert read.utcoffset() == datetime.timedelta(0)
    assert Session.objects.filter(expire_date__lt=written + datetime.timedelta(microseconds=1)).count() == 1
