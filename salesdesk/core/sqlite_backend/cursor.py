"""The cursor of the project's SQLite backend: Django's own, which converts each statement's
placeholders once instead of at every run.

Django writes `%s` for a parameter and Python's sqlite3 wants `?`, so Django's cursor runs a
regular expression over every statement it executes. The services run the same statements
again and again (`core.prepared`), and for a locked read with its parents, some 150
columns long, that conversion cost more than a tenth of what SQLite took to run it.
"""

from functools import lru_cache

from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX, SQLiteCursorWrapper


@lru_cache(maxsize=4096)
def qmark(query: str) -> str:
    """Django's "format" placeholders (`%s`, and `%%` for a literal `%`) in sqlite3's "qmark" style."""
    return FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class Cursor(SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return qmark(query)
        # Named parameters ("pyformat") are rare and differ with each call's names.
        return super().convert_query(query, param_names=param_names)
