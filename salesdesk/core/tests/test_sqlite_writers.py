"""SQLite writers take turns at a lock file (`core.sqlite_backend`): a waiting writer is
woken when the turn frees, a wait gives up after the connection's timeout with nothing
written, and every way a transaction ends frees the turn.

Each test opens its own connections to a database file of its own, on either test leg."""

import fcntl
import os
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connections

from salesdesk.core.sqlite_backend.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def own_connections(django_db_blocker):
    """These connections go to the test's own files, never to the suite's database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "writers.sqlite3"
    first = open_connection(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, who TEXT NOT NULL)")
    first.close()
    return path


def open_connection(path, timeout=5):
    settings = {**connections["default"].settings_dict}
    settings.update(
        ENGINE="salesdesk.core.sqlite_backend",
        NAME=str(path),
        OPTIONS={"transaction_mode": "IMMEDIATE", "timeout": timeout, "init_command": "PRAGMA journal_mode=WAL;"},
        TEST={},
    )
    return DatabaseWrapper(settings, alias="writers-test")


@contextmanager
def transaction_on(conn):
    """What an outermost atomic block does with the connection."""
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        with conn.cursor() as cursor:
            yield cursor
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()
    finally:
        conn.set_autocommit(True)


def entries(path) -> list[str]:
    conn = open_connection(path)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT who FROM entry ORDER BY id")
            return [who for (who,) in cursor.fetchall()]
    finally:
        conn.close()


@contextmanager
def turn_held_elsewhere(path):
    """The turn taken as another process would take it: its own open lock file."""
    fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def turn_is_free(path) -> bool:
    fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_a_waiting_writer_writes_after_the_holder_commits(database):
    holder = open_connection(database)
    started, waiter_done = threading.Event(), threading.Event()
    errors = []

    def second_writer():
        conn = open_connection(database)
        try:
            started.set()
            with transaction_on(conn) as cursor:
                cursor.execute("INSERT INTO entry (who) VALUES ('second')")
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            conn.close()
            waiter_done.set()

    with transaction_on(holder) as cursor:
        cursor.execute("INSERT INTO entry (who) VALUES ('first')")
        worker = threading.Thread(target=second_writer)
        worker.start()
        started.wait(5)
        assert not waiter_done.wait(0.3)  # the second writer waits for the turn
    worker.join(5)
    holder.close()
    assert errors == []
    assert entries(database) == ["first", "second"]
    assert turn_is_free(database)


def test_a_wait_gives_up_after_the_timeout_with_nothing_written(database):
    conn = open_connection(database, timeout=0.2)
    with turn_held_elsewhere(database), pytest.raises(OperationalError, match="database is locked"), transaction_on(conn) as cursor:
        cursor.execute("INSERT INTO entry (who) VALUES ('late')")
    # The abandoned wait passes the turn on once the holder lets go, so the next writer gets it.
    with transaction_on(conn) as cursor:
        cursor.execute("INSERT INTO entry (who) VALUES ('next')")
    conn.close()
    assert entries(database) == ["next"]
    # The abandoned wait's thread may get the turn after the next writer and hand it back a
    # moment later: the turn must be free once it has.
    assert turn_frees_within(database, seconds=5)


def turn_frees_within(path, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not turn_is_free(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_rolled_back_transaction_frees_the_turn(database):
    conn = open_connection(database)
    with pytest.raises(ZeroDivisionError), transaction_on(conn) as cursor:
        cursor.execute("INSERT INTO entry (who) VALUES ('undone')")
        assert not turn_is_free(database)
        1 / 0  # noqa: B018 (an error inside the transaction)
    assert turn_is_free(database)
    assert entries(database) == []
    conn.close()


def test_closing_a_connection_inside_a_transaction_frees_the_turn(database):
    conn = open_connection(database)
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO entry (who) VALUES ('lost')")
    assert not turn_is_free(database)
    conn.close()
    assert turn_is_free(database)
    assert entries(database) == []


def test_reads_outside_a_transaction_do_not_wait_for_a_writer(database):
    conn = open_connection(database, timeout=0.2)
    with turn_held_elsewhere(database), conn.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM entry")
        assert cursor.fetchone() == (0,)
    conn.close()


def test_a_database_in_memory_has_no_lock_file(tmp_path):
    conn = open_connection(":memory:")
    with transaction_on(conn) as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    assert conn._writers() is None
    conn.close()
