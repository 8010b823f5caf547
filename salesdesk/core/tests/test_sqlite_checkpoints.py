"""The write-ahead log is checkpointed by a thread of the process, not by the commit that fills
it, and is started again once it grows long (`core.sqlite_backend.checkpoints`)."""

import time

import pytest
from django.db import connections

from salesdesk.core.sqlite_backend import checkpoints
from salesdesk.core.sqlite_backend.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def own_connections(django_db_blocker):
    """These connections go to the test's own files, never to the suite's database."""
    with django_db_blocker.unblock():
        yield


def open_connection(path):
    settings = {**connections["default"].settings_dict}
    settings.update(
        ENGINE="salesdesk.core.sqlite_backend",
        NAME=str(path),
        OPTIONS={"transaction_mode": "IMMEDIATE", "timeout": 5, "init_command": "PRAGMA journal_mode=WAL;"},
        TEST={},
    )
    conn = DatabaseWrapper(settings, alias="checkpoints-test")
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS entry (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
    return conn


def write(conn, rows=50):
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO entry (note) VALUES (%s)", [("x" * 2000,)] * rows)
    conn.commit()
    conn.set_autocommit(True)


def log_state(conn) -> tuple[int, int]:
    """(pages in the log, pages of it already copied back), without copying anything more."""
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")  # copies nothing new: only this test writes
        _, frames, copied = cursor.fetchone()
    return frames, copied


def wait_until(condition, seconds=20):
    """Wait for the checkpointer thread; the limit is generous, since this is no timing check."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the checkpointer did not run"
        time.sleep(0.02)


def test_a_commit_leaves_the_checkpoint_to_the_processs_checkpointer(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "GATHER_SECONDS", 3600)  # the thread waits: nothing is copied meanwhile
    conn = open_connection(tmp_path / "inline.sqlite3")
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (0,)
    for _ in range(60):  # some 1,600 pages: SQLite would have checkpointed inside a commit at 1,000
        write(conn)
    assert conn._checkpointer.runs == 0
    assert (tmp_path / "inline.sqlite3-wal").stat().st_size > 1000 * 4096  # the log was never started again
    conn.close()


def test_the_checkpointer_copies_the_log_back_after_commits(tmp_path):
    conn = open_connection(tmp_path / "copied.sqlite3")
    write(conn)
    checkpointer = conn._checkpointer
    wait_until(lambda: checkpointer.runs >= 1)
    frames, copied = log_state(conn)
    assert frames > 0 and copied == frames
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM entry")
        assert cursor.fetchone() == (50,)
    conn.close()


def test_a_long_log_is_started_again_after_a_pass_in_the_writers_queue(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "RESTART_FRAMES", 10)
    conn = open_connection(tmp_path / "restart.sqlite3")
    write(conn)
    checkpointer = conn._checkpointer
    wait_until(lambda: checkpointer.restarts >= 1)
    long_log, _ = log_state(conn)
    write(conn, rows=1)  # everything was copied back: this writer starts the log from the beginning
    short_log, _ = log_state(conn)
    assert long_log >= 10 and short_log < long_log
    conn.close()


def test_a_database_in_memory_has_no_checkpointer():
    settings = {**connections["default"].settings_dict}
    settings.update(ENGINE="salesdesk.core.sqlite_backend", NAME=":memory:", OPTIONS={}, TEST={})
    conn = DatabaseWrapper(settings, alias="memory-test")
    conn.ensure_connection()
    assert getattr(conn, "_checkpointer", None) is None
    conn.close()


def test_a_checkpointer_whose_thread_ended_is_replaced(tmp_path, monkeypatch):
    path = str(tmp_path / "replaced.sqlite3")
    open_connection(path).close()
    first = checkpoints.for_database(path, 5)
    assert checkpoints.for_database(path, 5) is first
    monkeypatch.setattr(first.thread, "is_alive", lambda: False)  # as if an error had ended it
    second = checkpoints.for_database(path, 5)
    assert second is not first and second.thread.is_alive()
