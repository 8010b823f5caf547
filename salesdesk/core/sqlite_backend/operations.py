"""Django's SQLite operations, with a shorter way for the datetimes the services write and read.

SQLite keeps a datetime as text, in UTC. Django turns an aware datetime into that text with
`make_naive` and reads it back with `parse_datetime` and `make_aware`, each going through
the time-zone settings again; an order's cycle writes and reads about a hundred of them
(docs/benchmarks.md, finding 30). Where the connection's time zone is UTC (`USE_TZ` on, no
zone of its own in `DATABASES`), a datetime already in UTC is the same text without its
zone, and text read back (or the naive datetime the driver parsed from it) is that datetime
in UTC. Any other value, or another zone, goes Django's own way.
"""

import datetime

# Through the backend's module: its operations module cannot be imported before it.
from django.db.backends.sqlite3 import base

_UTC = datetime.UTC


class DatabaseOperations(base.DatabaseOperations):
    def adapt_datetimefield_value(self, value):
        if type(value) is datetime.datetime and value.tzinfo is _UTC and self.connection.timezone is _UTC:
            return str(value.replace(tzinfo=None))
        return super().adapt_datetimefield_value(value)

    def convert_datetimefield_value(self, value, expression, connection):
        kind = type(value)
        # A datetime column's text usually comes already parsed, naive, by the converter Django
        # registers with the driver for the "datetime" type; other expressions give text.
        if kind is datetime.datetime and self.connection.timezone is _UTC:
            return value.replace(tzinfo=_UTC) if value.tzinfo is None else value
        if kind is str and self.connection.timezone is _UTC:
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                return super().convert_datetimefield_value(value, expression, connection)
            return parsed.replace(tzinfo=_UTC) if parsed.tzinfo is None else parsed
        return super().convert_datetimefield_value(value, expression, connection)
