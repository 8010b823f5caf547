"""The cursor the services' statements run on inside a transaction.

`connection.cursor()` checks the connection's health and thread, opens the connection if it
must, makes a new driver cursor and wraps it in Django's cursor wrapper, for every statement.
Inside a transaction none of those checks can give another answer: the connection is open,
in use by this thread, and its health was checked when the request began. So a statement
the services compose once (`prepared`, `rows`, `arithmetic`, `numbering`) runs on one driver
cursor kept per connection (docs/benchmarks.md, finding 24), with what Django's wrapper does
on every statement kept: a transaction that must be rolled back refuses further statements,
and the driver's errors become Django's (`IntegrityError`, `OperationalError`, ...).

Statements go through Django's own cursor whenever something watches them: `DEBUG` or a test
counting queries (`queries_logged`) or an execute wrapper (`connection.execute_wrappers`),
so those see every statement, as before. Outside a transaction they always do.
"""

from django.utils.connection import ConnectionProxy


class _Kept:
    """A driver cursor used like Django's cursor wrapper, kept open for the next statement."""

    __slots__ = ("cursor", "db", "driver_connection")

    def __init__(self, db):
        self.db = db
        self.driver_connection = db.connection
        self.cursor = db.create_cursor()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        """Left open: the next statement of the connection uses it again."""

    def execute(self, sql, params=None):
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            return self.cursor.execute(sql, params)

    def executemany(self, sql, param_list):
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            return self.cursor.executemany(sql, param_list)

    def fetchone(self):
        with self.db.wrap_database_errors:
            return self.cursor.fetchone()

    def fetchall(self):
        with self.db.wrap_database_errors:
            return self.cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    @property
    def lastrowid(self):
        return self.cursor.lastrowid


def cursor(db):
    """A cursor of the connection `db` for one statement, used as `with cursor(db) as c:`."""
    if isinstance(db, ConnectionProxy):  # django.db.connection: look the connection up once, not per attribute
        db = db._connections[db._alias]
    if not db.in_atomic_block or db.queries_logged or db.execute_wrappers or db.connection is None:
        return db.cursor()
    kept = db.__dict__.get("_salesdesk_kept_cursor")
    if kept is None or kept.driver_connection is not db.connection:
        kept = db._salesdesk_kept_cursor = _Kept(db)
    return kept
