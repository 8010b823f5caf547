"""`bench.affinity.one_cpu`: the bench's process and its PostgreSQL server process on one CPU for
a block, and both put back afterwards; nothing changes where there is no server process."""

import os

import pytest
from django.db import connection

from bench import affinity

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite runs inside the bench's process")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="there is a server process on PostgreSQL only")


def server_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@sqlite_only
@pytest.mark.django_db
def test_on_sqlite_nothing_is_pinned_and_nothing_changes():
    before = os.sched_getaffinity(0)
    with affinity.one_cpu() as pinned:
        assert pinned is False
        assert os.sched_getaffinity(0) == before
    assert os.sched_getaffinity(0) == before


@postgresql_only
@pytest.mark.django_db
def test_on_postgresql_both_processes_share_one_cpu_and_get_their_cpus_back():
    pid = server_pid()
    mine, theirs = os.sched_getaffinity(0), os.sched_getaffinity(pid)
    try:
        os.sched_setaffinity(pid, theirs)  # may this user set the server's CPUs (root, or the server's user)?
        allowed = True
    except PermissionError:
        allowed = False
    with affinity.one_cpu() as pinned:
        assert pinned is allowed
        if allowed:
            assert os.sched_getaffinity(0) == os.sched_getaffinity(pid) == {max(mine)}
        else:  # not allowed: both left as they were, and the bench says so
            assert (os.sched_getaffinity(0), os.sched_getaffinity(pid)) == (mine, theirs)
    assert os.sched_getaffinity(0) == mine
    assert os.sched_getaffinity(pid) == theirs


@postgresql_only
@pytest.mark.django_db
def test_a_server_on_another_machine_is_left_alone(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "HOST", "db.example.com")
    before = os.sched_getaffinity(0)
    with affinity.one_cpu() as pinned:
        assert pinned is False
        assert os.sched_getaffinity(0) == before
