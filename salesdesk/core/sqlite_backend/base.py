"""Django's SQLite backend whose transactions wait for their turn to write in a queue
(`writers.py`) instead of in SQLite's sleeping busy handler. Reads outside a transaction
do not take a turn: in WAL mode they never wait for a writer. Its cursor (`cursor.py`)
converts a statement's placeholders once, not at every run, its operations (`operations.py`)
take a shorter way with datetimes in UTC, and a thread of the process
checkpoints the write-ahead log instead of the commit that fills it (`checkpoints.py`)."""

from django.db.backends.sqlite3 import base

from salesdesk.core.sqlite_backend import checkpoints
from salesdesk.core.sqlite_backend.cursor import Cursor
from salesdesk.core.sqlite_backend.operations import DatabaseOperations
from salesdesk.core.sqlite_backend.writers import WritersQueue


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=Cursor)

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            # The process's checkpointer copies the log back, not the COMMIT that fills it (checkpoints.py).
            conn.execute("PRAGMA wal_autocheckpoint=0")
            name, timeout = str(self.settings_dict["NAME"]), self.settings_dict["OPTIONS"].get("timeout", 5)
            self._checkpointer = checkpoints.for_database(name, timeout)
        return conn

    def _writers(self) -> WritersQueue | None:
        """The queue of this database file; none for a database in memory (one connection)."""
        if self.is_in_memory_db():
            return None
        path = f"{self.settings_dict['NAME']}-writers"  # the name changes when the tests swap in their database
        queue = getattr(self, "_writers_queue", None)
        if queue is None or (queue.path != path and not queue.held):
            if queue is not None:
                queue.close()
            queue = self._writers_queue = WritersQueue(path)
        return queue

    def _start_transaction_under_autocommit(self):
        # Every atomic block starts here (BEGIN IMMEDIATE, see the settings): take the turn first.
        queue = self._writers()
        if queue is None:
            return super()._start_transaction_under_autocommit()
        queue.take(self.settings_dict["OPTIONS"].get("timeout", 5))
        try:
            return super()._start_transaction_under_autocommit()
        except BaseException:
            queue.give()
            raise

    def _end_turn(self) -> None:
        queue = getattr(self, "_writers_queue", None)
        if queue is not None:
            queue.give()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()
            checkpointer = getattr(self, "_checkpointer", None)
            if checkpointer is not None:
                checkpointer.committed()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            queue = getattr(self, "_writers_queue", None)
            if queue is not None:
                queue.close()
