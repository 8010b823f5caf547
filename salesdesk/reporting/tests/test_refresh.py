"""The refresh reads events that commit late, and a rebuild meets what changes while it runs.

On PostgreSQL ids are handed out when a row is inserted, not when its transaction commits, so
a refresh can read event 12 while event 11's transaction is still open. The refresh keeps the
missing ids and reads them when they appear. Here the late event is simulated by moving an
order's confirmation event into a gap below the cursor.

A rebuild reads the documents in batches; orders confirmed, cancelled or refreshed between
its batches are counted once, and the facts of a few documents are looked up by their index
(a refresh's cost must not grow with the company's history).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Max, Sum
from django.test.utils import CaptureQueriesContext

from salesdesk.billing.tests import conftest as billing_fixtures
from salesdesk.core.models import DocumentEvent
from salesdesk.reporting import services
from salesdesk.reporting.facts import BUILDERS
from salesdesk.reporting.models import FactCursor, SalesFact, Source
from salesdesk.reporting.tests.test_facts import assert_rollups_agree_with_facts, snapshot
from salesdesk.sales import services as sales_services

member, confirmed_order = billing_fixtures.member, billing_fixtures.confirmed_order
GAP = 10


@pytest.fixture
def gap_below_cursor(company, customer_of, confirmed_order):
    """A company whose facts have read an event GAP ids above the one before it, as when other
    transactions took those ids and had not committed yet. 10.00 + 20.00 ordered so far."""
    confirmed_order(customer_of("sales", code="G000"), quantity="1", price="10.00")
    services.refresh(company=company)
    confirmed_order(customer_of("sales", code="G001"), quantity="2", price="10.00")
    top = DocumentEvent.objects.aggregate(top=Max("pk"))["top"]
    DocumentEvent.objects.filter(pk=top).update(id=top + GAP)
    services.refresh(company=company)
    return top


def _ordered(company) -> Decimal:
    return SalesFact.objects.filter(company=company, measure="ordered").aggregate(total=Sum("revenue"))["total"]


def _late_confirmation(company, customer_of, confirmed_order, top: int) -> list[int]:
    """An order confirmed now whose events have ids in the gap (they committed late); answers those ids.

    On PostgreSQL the sequence hands out the gap's ids anyway; on SQLite they are moved there."""
    late = confirmed_order(customer_of("sales", code="G002"), quantity="3", price="10.00")
    cursor = FactCursor.objects.get(company=company).last_event_id
    free = (pk for pk in range(top, top + GAP) if not DocumentEvent.objects.filter(pk=pk).exists())
    ids = []
    for event in DocumentEvent.objects.filter(object_id=late.pk).order_by("pk"):
        if event.pk > cursor:
            target = next(free)
            DocumentEvent.objects.filter(pk=event.pk).update(id=target)
        ids.append(target if event.pk > cursor else event.pk)
    assert ids and all(top <= pk < top + GAP for pk in ids)
    return ids


def test_an_event_committed_below_the_cursor_is_still_read(company, customer_of, confirmed_order, gap_below_cursor):
    top = gap_below_cursor
    assert _ordered(company) == Decimal("30.00")
    cursor = FactCursor.objects.get(company=company)
    assert set(range(top, top + GAP)) <= {pk for pk, _seen in cursor.pending}
    late_ids = _late_confirmation(company, customer_of, confirmed_order, top)
    services.refresh(company=company)
    assert _ordered(company) == Decimal("60.00")
    # Found, so no longer watched; a second refresh adds nothing.
    assert not set(late_ids) & {pk for pk, _seen in FactCursor.objects.get(company=company).pending}
    assert services.refresh(company=company) == 0


def test_a_missing_id_is_forgotten_after_a_while(company, customer_of, confirmed_order, gap_below_cursor, monkeypatch):
    # Past the watch, an id is taken for a rolled-back transaction: the nightly rebuild is the net.
    top = gap_below_cursor
    monkeypatch.setattr(services, "PENDING_SECONDS", -1)
    _late_confirmation(company, customer_of, confirmed_order, top)
    services.refresh(company=company)
    assert _ordered(company) == Decimal("30.00")
    assert FactCursor.objects.get(company=company).pending == []
    services.rebuild(company=company)
    assert _ordered(company) == Decimal("60.00")


def test_a_rebuild_counts_once_what_changes_between_its_batches(company, users, member, customer_of, confirmed_order, monkeypatch):
    orders = [confirmed_order(customer_of("sales", code=f"R00{n}"), quantity=str(n), price="10.00") for n in (1, 2, 3)]
    services.refresh(company=company)
    assert _ordered(company) == Decimal("60.00")
    monkeypatch.setattr(services, "REBUILD_DOCUMENTS", 1)  # one order per batch
    build_orders = BUILDERS[Source.ORDER]
    batches = []

    def meanwhile(ctx, ids):
        """Before the rebuild's second batch: a new order is confirmed and one not yet rebuilt is cancelled,
        and a dashboard's refresh reads both."""
        batches.append(ids)
        if len(batches) == 2:
            confirmed_order(customer_of("sales", code="R004"), quantity="4", price="10.00")
            sales_services.order_cancel(order=orders[2], actor=users["admin"], reason="Changed their mind")
            services.refresh(company=company)
        return build_orders(ctx, ids)

    monkeypatch.setitem(BUILDERS, Source.ORDER, meanwhile)
    services.rebuild(company=company)
    assert len(batches) >= 3
    # 10 + 20 + 40: the cancelled order counts nothing and the new one counts once.
    assert _ordered(company) == Decimal("70.00")
    assert_rollups_agree_with_facts(company)
    assert services.refresh(company=company) == 0
    during = snapshot(company)
    monkeypatch.setitem(BUILDERS, Source.ORDER, build_orders)
    services.rebuild(company=company)
    assert snapshot(company) == during


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_a_refresh_looks_its_documents_facts_up_by_their_index(company, customer_of, confirmed_order):
    """Grouping the lookup by the facts' columns once made SQLite walk every fact of the company."""
    for n in range(3):
        confirmed_order(customer_of("sales", code=f"I00{n}"))
    services.refresh(company=company)
    confirmed_order(customer_of("sales", code="I003"))
    with CaptureQueriesContext(connection) as captured:
        services.refresh(company=company)
    lookups = [q["sql"] for q in captured.captured_queries if 'FROM "reporting_salesfact"' in q["sql"] and '"source_id" IN' in q["sql"]]
    assert lookups
    with connection.cursor() as cursor:
        for sql in lookups:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(step[3]) for step in cursor.fetchall())
            assert "fact_source_idx" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_a_refresh_reads_its_documents_by_id_not_through_their_list_order(company, customer_of, confirmed_order):
    """With a model's default order (newest first, by code), SQLite answered `id IN (...)` by
    walking the company's whole list index instead of looking the few ids up."""
    confirmed_order(customer_of("sales", code="J000"))
    services.refresh(company=company)
    for n in range(1, 4):  # several ids: SQLite reads a single one by its key whatever the order
        confirmed_order(customer_of("sales", code=f"J00{n}"))
    with CaptureQueriesContext(connection) as captured:
        services.refresh(company=company)
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT") and '"id" IN (' in q["sql"]]
    assert any('FROM "sales_salesorder"' in sql for sql in reads) and any('FROM "customers_customer"' in sql for sql in reads)
    with connection.cursor() as cursor:
        for sql in reads:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(step[3]) for step in cursor.fetchall())
            assert "(company_id=?)" not in plan, (sql, plan)
