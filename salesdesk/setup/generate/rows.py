"""Writing generated rows in bulk, straight through the database driver.

The history generator makes tens of millions of rows, too many to build as model instances.
Rows are plain tuples in an explicit column order per table. They are buffered and written
with `executemany` on SQLite and with `COPY` on PostgreSQL, the fastest path each database
offers. Ids are given here (one counter per table, from the table's current maximum), so
rows can point at each other before anything is written; on PostgreSQL the id sequences are
moved past them at the end.
"""

from collections.abc import Sequence

from django.db import connection


class Table:
    """One table's buffered rows and its id counter."""

    def __init__(self, writer: "RowWriter", model, columns: Sequence[str]):
        self.writer = writer
        self.name = model._meta.db_table
        self.columns = tuple(columns)
        self.rows: list[tuple] = []
        self.written = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(self.name)}")  # noqa: S608 - table name from the model
            self.last_id = int(cursor.fetchone()[0])

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def add(self, row: tuple) -> None:
        self.rows.append(row)


class RowWriter:
    """The tables of one generation run; `flush()` writes what is buffered, in one transaction per call."""

    def __init__(self):
        self.tables: dict[str, Table] = {}
        self.vendor = connection.vendor

    def table(self, model, columns: Sequence[str]) -> Table:
        table = Table(self, model, columns)
        self.tables[table.name] = table
        return table

    @property
    def buffered(self) -> int:
        return sum(len(t.rows) for t in self.tables.values())

    def flush(self) -> None:
        """Write every buffered row. The caller holds the transaction (one per batch of orders)."""
        raw = connection.connection
        for table in self.tables.values():
            if not table.rows:
                continue
            if self.vendor == "postgresql":
                _copy(raw, table)
            else:
                _insert(raw, table)
            table.written += len(table.rows)
            table.rows = []

    def reset_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the ids given here (SQLite's AUTOINCREMENT follows by itself)."""
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in self.tables.values():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(%s, 1), %s)", [table.name, table.last_id, table.last_id > 0]
                )

    def counts(self) -> dict[str, int]:
        return {name: t.written for name, t in self.tables.items() if t.written}


def _insert(raw, table: Table) -> None:
    marks = ", ".join("?" for _ in table.columns)
    sql = f'INSERT INTO "{table.name}" ({", ".join(table.columns)}) VALUES ({marks})'  # noqa: S608 - names from the models
    # Django's SQLite backend registered the adapters for decimals and dates (text, as it stores
    # them); times are made naive UTC by the generator on SQLite, as Django stores them.
    raw.cursor().executemany(sql, table.rows)


def _copy(raw, table: Table) -> None:
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({", ".join(table.columns)}) FROM STDIN') as copy:
        for row in table.rows:
            copy.write_row(row)
