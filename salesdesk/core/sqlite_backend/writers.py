"""A queue for SQLite's one write lock, so the next writer is woken when it frees.

SQLite lets one transaction write at a time. A writer that finds the lock taken is put to
sleep by SQLite's busy handler for 1, 2, 5, 10 … 100 ms between tries, so under a few
concurrent writers most waits end well after the lock was freed, and the slowest requests
wait longest (docs/benchmarks.md, finding 12). Here every transaction first takes an
exclusive `flock` on a file beside the database, waiting in the kernel, which wakes one
waiter the moment the holder lets go; only then does it BEGIN IMMEDIATE, which finds the
lock free.

The wait has the connection's timeout, as SQLite's own wait does: when it passes, the
transaction fails with "database is locked" and nothing was written. The lock belongs to
an open file, so a process that dies holding it frees it with its files.
"""

import fcntl
import os
import threading

from django.db import OperationalError


class WritersQueue:
    """The writers of one database file, taking turns; one per connection.

    The connection keeps its lock file open between turns and takes and frees the lock on it,
    instead of opening and closing the file for every transaction (two system calls that were
    about 1 % of an order's cycle). A wait that has to block uses a file of its own, which an
    abandoned wait hands on to its helper thread. After a fork the child opens its own file:
    a lock belongs to the open file, which the parent shares with the child, so freeing it in
    one would free it in the other.
    """

    def __init__(self, path: str):
        self.path = path
        self._held: int | None = None  # the lock file while this connection holds the turn
        self._kept: int | None = None  # this connection's lock file, open between turns
        self._kept_by = 0  # the process that opened it

    @property
    def held(self) -> bool:
        return self._held is not None

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def _kept_file(self) -> int:
        if self._kept is None or self._kept_by != os.getpid():
            self._kept, self._kept_by = self._open(), os.getpid()  # a file inherited from the parent is left to it
        return self._kept

    def take(self, timeout: int | float) -> None:
        """Wait for this connection's turn to write, at most `timeout` seconds."""
        if self._held is not None:
            return
        kept = self._kept_file()
        try:
            fcntl.flock(kept, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:
            self._held = kept
            return
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not _wait_for(fd, timeout):  # the lock file now belongs to the abandoned wait
                raise OperationalError(f"database is locked: no turn to write within {timeout:g} s") from None
        except BaseException:
            os.close(fd)
            raise
        self._held = fd

    def give(self) -> None:
        """End this connection's turn (after COMMIT or ROLLBACK); the next writer wakes."""
        fd, self._held = self._held, None
        if fd is None:
            return
        if fd == self._kept:
            if self._kept_by == os.getpid():  # a child forked during a turn leaves it to the parent
                fcntl.flock(fd, fcntl.LOCK_UN)
        else:
            os.close(fd)  # closing the file releases its lock

    def close(self) -> None:
        """The connection closes: end its turn and close its lock file."""
        self.give()
        kept, self._kept = self._kept, None
        if kept is not None and self._kept_by == os.getpid():
            os.close(kept)


def _wait_for(fd: int, timeout: float) -> bool:
    """Block on the lock in a helper thread, since `flock` itself cannot time out.

    True when the lock is held on `fd` within `timeout`. Otherwise the wait is abandoned:
    the helper keeps `fd` and closes it as soon as its lock comes, so a turn nobody takes
    passes straight on to the next writer.
    """
    turn = threading.Event()
    guard = threading.Lock()
    state = {"abandoned": False, "error": None}

    def wait() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as error:
            state["error"] = error
        with guard:
            if state["abandoned"]:
                os.close(fd)
            else:
                turn.set()

    threading.Thread(target=wait, name="sqlite-writers-queue", daemon=True).start()
    if not turn.wait(timeout):
        with guard:
            if not turn.is_set():
                state["abandoned"] = True
                return False
    if state["error"] is not None:
        raise state["error"]
    return True
