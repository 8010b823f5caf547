"""The refresh reads events that commit late: an event whose id is below ones already read.

On PostgreSQL ids are handed out when a row is inserted, not when its transaction commits, so
a refresh can read event 12 while event 11's transaction is still open. The refresh keeps the
missing ids and reads them when they appear. Here the late event is simulated by moving an
order's confirmation event into a gap below the cursor.
"""

from decimal import Decimal

import pytest
from django.db.models import Max, Sum

from salesdesk.billing.tests import conftest as billing_fixtures
from salesdesk.core.models import DocumentEvent
from salesdesk.reporting import services
from salesdesk.reporting.models import FactCursor, SalesFact

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
