"""Row locks taken ahead of an action's reads, in the fixed order that keeps actions from deadlocking.

Several actions lock a parent row before the row they change (an order before its delivery or
invoice, invoices in key order before a customer's account) only so that two actions running at
once queue in the same order. On PostgreSQL that is one `SELECT ... FOR UPDATE`. SQLite has no
row locks: a writing transaction holds the whole database from its `BEGIN IMMEDIATE`, so the
same read would lock nothing and only cost a statement; there it is not run.
"""

from django.db import connections


def lock_rows(queryset) -> None:
    """Lock the rows of `queryset` (in its order, or by key when it has none) until the transaction ends."""
    if not connections[queryset.db].features.has_select_for_update:
        return
    if not queryset.query.order_by:
        queryset = queryset.order_by("pk")
    list(queryset.select_for_update().values_list("pk", flat=True))
