"""One CPU for the bench's process and its PostgreSQL server process while a stream of orders is timed.

One order of the cycle is about 146 round trips between the bench's process and the server
process that serves its connection: a statement goes, the answer comes back, the next one
goes. Only one of the two works at any moment. On this machine, a virtual machine with two
CPUs, when the two run on different CPUs each round trip waits for the other CPU to be woken,
and how long that takes depends on how busy the host is: in one hour the cycle did 107, 114
and 128 lines/s that way and 171 to 177 with both on one CPU (docs/benchmarks.md, finding 32).
The orders and the statements were the same; only the wake-ups differed.

`one_cpu()` puts both processes on one CPU for the timed part, when the server runs on this
machine and the bench may set its CPUs (as root, or as the server's user), and puts them back
afterwards. Otherwise it changes nothing and says so. SQLite runs inside the bench's own
process: there is no other process to wait for, so nothing is done.
"""

import contextlib
import os
from pathlib import Path

from django.db import connection


def _local_server_pid() -> int | None:
    """The PostgreSQL server process of this connection, if it is a process of this machine."""
    if connection.vendor != "postgresql" or not hasattr(os, "sched_setaffinity"):
        return None
    host = connection.settings_dict.get("HOST") or ""
    if host and not host.startswith("/") and host not in ("localhost", "127.0.0.1", "::1"):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return None  # another process of that number (the server is in another namespace)
    except OSError:
        return None
    return pid


@contextlib.contextmanager
def one_cpu():
    """Run the block with this process and its server process on one CPU; yields whether they are."""
    pid = _local_server_pid()
    if pid is None:
        yield False
        return
    own = os.sched_getaffinity(0)
    try:
        server = os.sched_getaffinity(pid)
        os.sched_setaffinity(pid, {max(own)})
    except OSError:  # not allowed to set the server's CPUs: leave both as they are
        yield False
        return
    os.sched_setaffinity(0, {max(own)})
    try:
        yield True
    finally:
        os.sched_setaffinity(0, own)
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, server)
