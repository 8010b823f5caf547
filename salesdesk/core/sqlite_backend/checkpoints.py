"""WAL checkpoints run by a thread of the process, not inside a writer's COMMIT.

In WAL mode SQLite appends each transaction's pages to the write-ahead log, and by default
the COMMIT that takes the log past 1,000 pages also copies the log back into the database
and syncs it to disk (a checkpoint). On this machine such a commit took 8 to 9 ms instead
of 0.2, about one commit in 25 of the order cycle, and the writer still held its turn in the
writers' queue, so every other writer waited too (docs/benchmarks.md, finding 18).

Our connections turn the automatic checkpoint off. A commit only tells the process's
checkpointer that there is work; the checkpointer waits half a second for more commits to gather,
then runs a PASSIVE checkpoint on its own connection (one process at a time per file: a lock
file beside it says which). A PASSIVE checkpoint never waits for
readers or writers: it copies what it can while the writers go on appending, and SQLite
releases Python's lock while it copies, so the work goes to another core.

The log starts again from its beginning only once a checkpoint has copied all of it, which
cannot happen while writers keep appending. So when the log has grown past `RESTART_FRAMES`,
the checkpointer takes a turn in the writers' queue and checkpoints what was appended since
its last pass, with no writer appending meanwhile; the next writer then starts the log
again. Writers wait for that short pass once every few hundred transactions, instead of for
a whole checkpoint every few dozen. A process that ends leaves its checkpointer's connection
open to the end (the thread stops with the process), so the last of its commits may stay in
the log, and the file with it: the next process that commits copies them back. Copy a
database file with its `-wal` file, or after a checkpoint.
"""

import fcntl
import os
import sqlite3
import threading
import time

from django.db import DatabaseError

from salesdesk.core.sqlite_backend.writers import WritersQueue

# How long a checkpointer lets commits gather before copying them back: a page changed by
# many commits in that time is copied once.
GATHER_SECONDS = 0.5
# Pages in the log (4 KiB each: 64 MiB) past which the checkpointer makes the log start again.
RESTART_FRAMES = 16384


class Checkpointer:
    """The checkpoints of one database file in one process."""

    def __init__(self, path: str, timeout: float):
        self.path = path
        self.timeout = timeout
        self.due = threading.Event()
        self.runs = 0  # checkpoints run, for tests
        self.restarts = 0  # checkpoints run in a turn of the writers' queue, for tests
        self.thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
        self.thread.start()

    def committed(self) -> None:
        """A transaction was committed: its pages are in the log."""
        self.due.set()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # One process checkpoints a file at a time: the others' pages are in the same log.
        busy = os.open(f"{self.path}-checkpointer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            while True:
                self.due.wait()
                time.sleep(GATHER_SECONDS)
                self.due.clear()
                try:
                    fcntl.flock(busy, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # another process is copying the log back now
                try:
                    _, frames, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.runs += 1
                    if frames >= RESTART_FRAMES:
                        self._checkpoint_in_turn(connection)
                except (sqlite3.Error, DatabaseError):
                    continue  # tried again after the next commit; the log is safe meanwhile
                finally:
                    fcntl.flock(busy, fcntl.LOCK_UN)
        finally:
            os.close(busy)
            connection.close()

    def _checkpoint_in_turn(self, connection: sqlite3.Connection) -> None:
        queue = WritersQueue(f"{self.path}-writers")
        queue.take(self.timeout)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.restarts += 1
        finally:
            queue.give()


_checkpointers: dict[tuple[int, str], Checkpointer] = {}
_guard = threading.Lock()


def for_database(path: str, timeout: float) -> Checkpointer:
    """This process's checkpointer for `path` (a forked worker starts its own: threads do not survive a fork)."""
    key = (os.getpid(), path)
    checkpointer = _checkpointers.get(key)
    if checkpointer is None or not checkpointer.thread.is_alive():
        with _guard:
            checkpointer = _checkpointers.get(key)
            # A thread ended by an error it could not handle is replaced, or the log would only grow.
            if checkpointer is None or not checkpointer.thread.is_alive():
                checkpointer = _checkpointers[key] = Checkpointer(path, timeout)
    return checkpointer
