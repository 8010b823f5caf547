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


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_connection_keeps_one_lock_file_between_turns_and_closes_it_with_itself(database):
    conn = open_connection(database)
    with transaction_on(conn) as cursor:
        cursor.execute("INSERT INTO entry (who) VALUES ('first')")
    files = open_files()
    for who in ("second", "third"):
        with transaction_on(conn) as cursor:
            cursor.execute("INSERT INTO entry (who) VALUES (%s)", [who])
            assert not turn_is_free(database)
            assert open_files() == files  # the turn is taken on the file kept open
        assert turn_is_free(database)
        assert open_files() == files
    conn.close()
    assert open_files() < files
    assert entries(database) == ["first", "second", "third"]


def test_a_forked_process_does_not_share_the_parents_lock_file(database):
    """A lock belongs to the open file, which a fork shares: the child must open its own, or
    it would take a turn the parent holds on that file as its own."""
    conn = open_connection(database)
    queue = conn._writers()
    queue.take(5)
    queue.give()  # the connection's lock file stays open, with no turn held
    go, went = os.pipe()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        answer = b"took"
        try:
            os.read(go, 1)  # the parent holds its turn now
            queue.take(0.2)
        except OperationalError:
            answer = b"waited"
        finally:
            os.write(write, answer)
            os._exit(0)
    os.close(write)
    queue.take(5)
    os.write(went, b"!")
    os.waitpid(child, 0)
    assert os.read(read, 10) == b"waited"
    for fd in (go, went, read):
        os.close(fd)
    assert not turn_is_free(database)  # the child's attempt left the parent's turn alone
    queue.give()
    assert turn_is_free(database)
    conn.close()


def test_a_process_forked_during_a_turn_leaves_the_turn_to_its_parent(database):
    conn = open_connection(database)
    queue = conn._writers()
    queue.take(5)
    child = os.fork()
    if child == 0:  # pragma: no cover (the child only ends the turn it inherited)
        queue.give()
        os._exit(0)
    os.waitpid(child, 0)
    assert not turn_is_free(database)  # still the parent's
    queue.give()
    assert turn_is_free(database)
    conn.close()
