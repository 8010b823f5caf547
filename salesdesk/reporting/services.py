"""Keeping the sales facts and rollups up to date: `refresh` reads only new events, `rebuild` starts over.

A refresh takes the document events written since its cursor, works out what each touched
document counts for now (`facts.BUILDERS`), subtracts what its facts already add up to,
and writes the difference as new facts, adding it to the rollup cells in the same
transaction. Refreshing twice, or after every event, or once at the end, gives the same
figures: that is what the rebuild test checks. A rebuild reads the documents instead of
their events and has the database sum the rollups (`summed.py`).
"""

from collections import defaultdict
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from salesdesk.core.models import DocumentEvent
from salesdesk.reporting import scopes, summed
from salesdesk.reporting.facts import BUILDERS, DIMENSIONS, SOURCE_MODELS, Context, Facts, Figures, Key, group_by_source
from salesdesk.reporting.models import FactCursor, Grain, Measure, SalesFact, SalesRollup, ScopeYearTotal, YearTotal
from salesdesk.reporting.summed import FIGURES, PLACES, ROLLUP_DIMENSIONS

BATCH_EVENTS = 5000
REBUILD_DOCUMENTS = 2000  # documents of one kind a rebuild reads per transaction
PENDING_LIMIT = 1000  # missing event ids watched at most
PENDING_SECONDS = 600  # how long a missing id is watched for


def refresh(*, company) -> int:
    """Bring the company's facts up to its latest document event; answers how many facts were added."""
    added = 0
    while True:
        with transaction.atomic():
            written, more = _refresh_batch(company)
        added += written
        if not more:
            return added


def rebuild(*, company, progress=None) -> int:
    """Forget the company's facts and rollups and write them again from the documents themselves.

    A rebuild reads documents, not their events: every order, delivery, return, invoice and
    payment once, in batches of `REBUILD_DOCUMENTS`, its facts written as plain rows. The
    rollups and year totals are then summed from the facts by the database. The cursor starts
    at the last event written before the documents were read, so what changes meanwhile is read
    by the refresh that ends the rebuild (and by any refresh running beside it: both add only
    differences, taking turns on the cursor row)."""
    with transaction.atomic():
        cursor = FactCursor.locked(company)
        SalesRollup.objects.filter(company=company).delete()
        YearTotal.objects.filter(company=company).delete()
        SalesFact.objects.filter(company=company).delete()
        top = DocumentEvent.objects.aggregate(top=Max("pk"))["top"] or 0
        # Ids below the start not yet committed (PostgreSQL) are watched as a refresh would watch them.
        pending: dict[int, str] = {}
        recent = DocumentEvent.objects.filter(pk__gt=top - PENDING_LIMIT).order_by("pk").values_list("pk", flat=True)
        _note_missing(pending, max(0, top - PENDING_LIMIT), list(recent))
        FactCursor.objects.filter(pk=cursor.pk).update(last_event_id=top, pending=sorted(pending.items()), refreshed_at=timezone.now())
    ctx = Context(company)
    added = 0
    for model, source in SOURCE_MODELS.items():
        ids = list(model.objects.filter(company=company).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), REBUILD_DOCUMENTS):
            chunk = ids[start : start + REBUILD_DOCUMENTS]
            with transaction.atomic():
                FactCursor.locked(company)
                deltas = _differences(company, source, chunk, BUILDERS[source](ctx, chunk))
                _write(company, deltas, rollups=False)
            added += len(deltas)
            if progress and (start // REBUILD_DOCUMENTS) % 50 == 49:
                progress(f"{source}: {start + len(chunk):,} of {len(ids):,} documents, {added:,} facts")
        if progress:
            progress(f"{source}: {len(ids):,} documents read, {added:,} facts")
    with transaction.atomic():
        FactCursor.locked(company)
        summed.sum_rollups(company)
        scopes.sum_spans(company)
    return added + refresh(company=company)


def _refresh_batch(company) -> tuple[int, bool]:
    cursor = FactCursor.locked(company)
    types = ContentType.objects.get_for_models(*SOURCE_MODELS)
    source_of = {types[model].pk: source for model, source in SOURCE_MODELS.items()}
    fields = ("pk", "company_id", "content_type_id", "object_id")
    # Every company's new events, in id order: an id missing among them may belong to a
    # transaction still open, whose events commit after later ones were read (PostgreSQL).
    new = list(DocumentEvent.objects.filter(pk__gt=cursor.last_event_id).order_by("pk").values_list(*fields)[:BATCH_EVENTS])
    pending, late = _late_events(cursor, fields)
    upper = new[-1][0] if new else cursor.last_event_id
    # A cursor's first read has nothing earlier to have overtaken: gaps count from its first event.
    start = cursor.last_event_id or (new[0][0] - 1 if new else 0)
    _note_missing(pending, start, [row[0] for row in new])
    events = [row for row in late + new if row[1] == company.pk and row[2] in source_of]
    touched = group_by_source((source_of[ct], object_id) for _, _company, ct, object_id in events)
    ctx = Context(company)
    deltas: Facts = {}
    for source, ids in touched.items():
        deltas.update(_differences(company, source, ids, BUILDERS[source](ctx, ids)))
    _write(company, deltas)
    FactCursor.objects.filter(pk=cursor.pk).update(last_event_id=upper, pending=sorted(pending.items()), refreshed_at=timezone.now())
    return len(deltas), len(new) == BATCH_EVENTS


def _late_events(cursor, fields) -> tuple[dict[int, str], list[tuple]]:
    """The ids still missing after earlier refreshes, and the events that have since appeared among them.

    An id missing for longer than `PENDING_SECONDS` is forgotten: its transaction was rolled back
    (sequences do not give numbers back), or it is left to the scheduled rebuild."""
    horizon = (timezone.now() - timedelta(seconds=PENDING_SECONDS)).isoformat()
    pending = {int(pk): seen for pk, seen in cursor.pending if seen >= horizon}
    if not pending:
        return pending, []
    late = list(DocumentEvent.objects.filter(pk__in=list(pending)).values_list(*fields))
    for row in late:
        del pending[row[0]]
    return pending, late


def _note_missing(pending: dict[int, str], after: int, ids: list[int]) -> None:
    """Adds the ids skipped between `after` and the ids read (at most `PENDING_LIMIT` in all)."""
    seen = timezone.now().isoformat()
    previous = after
    for pk in ids:
        for missing in range(previous + 1, min(pk, previous + 1 + PENDING_LIMIT)):
            pending[missing] = seen
        previous = pk
    for pk in sorted(pending)[: max(0, len(pending) - PENDING_LIMIT)]:
        del pending[pk]


def _differences(company, source: str, ids: list[int], wanted: Facts) -> Facts:
    """What must be added so that the documents' facts add up to `wanted`."""
    have: Facts = defaultdict(Figures)
    fields = Key._fields
    # Summed here rather than by a GROUP BY: grouping by the key's columns leads SQLite to walk
    # the company's facts by the salesperson index instead of looking the documents up.
    rows = SalesFact.objects.filter(company=company, source=source, source_id__in=ids).values_list(
        *fields, "quantity", "revenue", "cost", "documents"
    )
    for *key, quantity, revenue, cost, documents in rows:
        have[Key(*key)].add(Figures(quantity, revenue, cost, documents))
    deltas: Facts = {}
    for key, figures in wanted.items():  # `wanted` is the caller's to give away: its figures become the deltas
        had = have.pop(key, None)
        if had is not None:
            figures.add(had, -1)
        if not figures.is_zero():
            deltas[key] = figures
    for key, had in have.items():  # lines that count for nothing now
        gone = Figures()
        gone.add(had, -1)
        if not gone.is_zero():
            deltas[key] = gone
    return deltas


def _write(company, deltas: Facts, *, rollups: bool = True) -> None:
    """Appends the facts; with `rollups`, adds them to their rollup cells and year totals too (a rebuild sums those at the end)."""
    facts = []
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, 0])
    totals: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, 0])
    day = connection.ops.adapt_datefield_value
    for key, figures in deltas.items():
        profit = figures.revenue - figures.cost
        measures = (figures.quantity, figures.revenue, figures.cost, profit, figures.documents)
        facts.append((company.pk, key.measure, day(key.date), *[getattr(key, f) for f in _KEY_FIELDS[2:]], *measures))
        if not rollups:
            continue
        dims = tuple(getattr(key, d) for d in ROLLUP_DIMENSIONS)
        for grain, period in ((Grain.DAY, key.date), (Grain.MONTH, key.date.replace(day=1))):
            cell = cells[(key.measure, str(grain), day(period), *dims)]
            for i, value in enumerate(measures):
                cell[i] += value
        # Credit notes count against the year's invoiced figures, so the top tens read net sales.
        measure = Measure.INVOICED if key.measure == Measure.CREDITED else key.measure
        for dimension, member in (("customer", key.customer_id), ("product", key.product_id)):
            if member:
                total = totals[(str(measure), key.date.year, dimension, member)]
                for i, value in enumerate(measures):
                    total[i] += value
    _insert_facts(facts)
    if rollups:
        _add_to_rollups(company, cells)
        _add_to_year_totals(company, totals)
        scopes.add_spans(company, scopes.spans(deltas))
        _add_to_scopes(company, scopes.scope_totals(company, deltas))


# The fact columns in the order _write() gives them: the key's fields, then the figures.
_KEY_FIELDS = ("measure", "date", "source", "source_id", "source_line_id", *DIMENSIONS)


def _insert_facts(rows: list[tuple]) -> None:
    """Facts are written as plain rows, not model instances, which cost more than the insert
    (docs/reporting.md): by COPY on PostgreSQL (one INSERT per row kept its server busy at a
    rebuild), by one executemany of a prepared INSERT on SQLite."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(SalesFact._meta.db_table)
    columns = ", ".join(quote(c) for c in ["company_id", *_KEY_FIELDS, *FIGURES])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (columns.count(',') + 1))})"  # noqa: S608
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _add_to_rollups(company, cells: dict[tuple, list]) -> None:
    """Adds each cell's figures to its rollup row, creating the row the first time (one upsert per batch)."""
    _add(SalesRollup, ["company_id", "measure", "grain", "period", *ROLLUP_DIMENSIONS], company, cells)


def _add_to_year_totals(company, totals: dict[tuple, list]) -> None:
    _add(YearTotal, ["company_id", "measure", "year", "dimension", "member_id"], company, totals)


def _add_to_scopes(company, totals: dict[tuple, list]) -> None:
    _add(ScopeYearTotal, ["company_id", "scope_id", "year", "dimension", "member_id"], company, totals, ["revenue"])


def _add(model, keys: list[str], company, cells: dict[tuple, list], figures=FIGURES) -> None:
    """One upsert per batch that adds each cell's `figures` to its row (`keys` name the row), creating it the first time."""
    table = model._meta.db_table
    columns = ", ".join(keys + list(figures))
    marks = ", ".join(["%s"] * (len(keys) + len(figures)))
    # Rounded to the column's places in the statement, as core.arithmetic does: SQLite adds in floating point.
    added = ", ".join(
        f"{m} = {table}.{m} + excluded.{m}"
        if m == "documents"
        else f"{m} = CAST(ROUND({table}.{m} + excluded.{m}, {PLACES[m]}) AS NUMERIC)"
        for m in figures
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"  # noqa: S608 - names are ours
    rows = [(company.pk, *key, *sums) for key, sums in cells.items() if any(sums)]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def facts_as_of(company) -> date | None:
    cursor = FactCursor.objects.filter(company=company).values_list("refreshed_at", flat=True).first()
    return timezone.localdate(cursor) if cursor else None
