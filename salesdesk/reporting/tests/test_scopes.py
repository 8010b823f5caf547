"""A manager's people: the totals kept for a set of salespeople equal their facts, however they were
built (summed when first asked, or added to by refreshes since), and the seller spans tell exactly
when a manager's people made every sale of a date range."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from salesdesk.accounts.models import Membership
from salesdesk.reporting import analysis, scopes
from salesdesk.reporting import services as reporting
from salesdesk.reporting.models import Measure, SalesFact, ScopeYearTotal, SellerSpan, TopScope
from salesdesk.reporting.tests.test_facts import assert_spans_agree_with_facts
from salesdesk.setup.generate import generate


@pytest.fixture
def bench(db):
    """A generated company of two years' history, its facts not read yet: five customers, each with
    their own salesperson, and one manager over all of them."""
    return generate(scale=0.005, seed=5).company


def sellers(company) -> list[int]:
    return list(
        Membership.objects.filter(company=company, user__username__contains="-sales-").order_by("user_id").values_list("user_id", flat=True)
    )


def expected(company, people: set[int], from_year: int) -> dict:
    """Net sales per (year, dimension, member) summed from the people's facts, the years from `from_year`."""
    sums: dict[tuple, object] = defaultdict(int)
    facts = SalesFact.objects.filter(
        company=company, measure__in=scopes.NET_SALES, salesperson_id__in=people, date__gte=date(from_year, 1, 1)
    )
    for day, customer, product, revenue in facts.values_list("date", "customer_id", "product_id", "revenue"):
        for dimension, member in (("customer", customer), ("product", product)):
            if member:
                sums[(day.year, dimension, member)] += revenue
    return {key: value for key, value in sums.items() if value}


def kept(scope: TopScope) -> dict:
    rows = ScopeYearTotal.objects.filter(scope=scope).values_list("year", "dimension", "member_id", "revenue")
    return {(year, dimension, member): revenue for year, dimension, member, revenue in rows if revenue}


def test_a_scopes_totals_equal_its_peoples_facts_whether_summed_or_kept_by_refreshes(bench, monkeypatch):
    today = timezone.localdate()
    first, second, third, *_rest = sellers(bench)
    # Asked before any fact was read: everything they hold is added by the refreshes.
    early = scopes.scope_for(bench, {first, second}, today.year - 1, today)
    assert kept(early) == {}
    # Asked halfway: summed from the facts read so far, the rest added by the refreshes after.
    monkeypatch.setattr(reporting, "BATCH_EVENTS", 37)
    for _ in range(5):
        with transaction.atomic():
            reporting._refresh_batch(bench)
    halfway = scopes.scope_for(bench, {third}, today.year, today)
    assert SalesFact.objects.filter(company=bench, salesperson_id=third).exists()
    reporting.refresh(company=bench)

    assert kept(early) == expected(bench, {first, second}, today.year - 1) != {}
    assert {key[0] for key in kept(early)} == {today.year - 1, today.year}
    assert kept(halfway) == expected(bench, {third}, today.year) != {}
    # Asked after: summed from all the facts, the same as what the refreshes kept.
    later = scopes.scope_for(bench, {first, second, third}, today.year, today)
    assert kept(later) == expected(bench, {first, second, third}, today.year)
    # The same people ask again: the scope they have, not a second one.
    assert scopes.scope_for(bench, {second, first}, today.year, today).pk == early.pk
    assert TopScope.objects.filter(company=bench).count() == 3


def test_the_top_ten_is_the_largest_net_sales_of_the_year(bench):
    today = timezone.localdate()
    reporting.refresh(company=bench)
    people = set(sellers(bench)[:2])
    scope = scopes.scope_for(bench, people, today.year, today)
    for dimension in scopes.TOP_DIMENSIONS:
        wanted = sorted(
            (
                (member, revenue)
                for (year, dim, member), revenue in expected(bench, people, today.year).items()
                if dim == dimension and year == today.year and revenue > 0
            ),
            key=lambda pair: (-pair[1], pair[0]),
        )[:10]
        assert scopes.top(scope, dimension, today.year, 10) == wanted != []


def test_a_scope_unused_for_two_weeks_is_dropped_when_another_is_built_and_a_rebuild_drops_them_all(bench):
    today = timezone.localdate()
    reporting.refresh(company=bench)
    first, second, *_rest = sellers(bench)
    old = scopes.scope_for(bench, {first}, today.year, today - timedelta(days=scopes.UNUSED_DAYS + 1))
    recent = scopes.scope_for(bench, {second}, today.year, today - timedelta(days=scopes.UNUSED_DAYS))
    assert ScopeYearTotal.objects.filter(scope=old).exists()
    scopes.scope_for(bench, {first, second}, today.year, today)
    assert not TopScope.objects.filter(pk=old.pk).exists() and not ScopeYearTotal.objects.filter(scope_id=old.pk).exists()
    # Asking again marks a scope used today.
    assert scopes.scope_for(bench, {second}, today.year, today).pk == recent.pk
    assert TopScope.objects.get(pk=recent.pk).used_on == today

    SellerSpan.objects.filter(company=bench).delete()
    reporting.rebuild(company=bench)
    assert not TopScope.objects.filter(company=bench).exists() and not ScopeYearTotal.objects.filter(company=bench).exists()
    assert_spans_agree_with_facts(bench)


def test_a_manager_sees_everything_of_a_range_only_while_no_one_else_sold_in_it(bench):
    reporting.refresh(company=bench)
    manager = Membership.objects.get(company=bench, user__username="bench-manager")
    invoiced = analysis.BASES["invoiced"][1]
    assert scopes.Outside(bench, manager).sees_all(invoiced, None, None)

    seller = sellers(bench)[0]
    Membership.objects.filter(company=bench, user_id=seller).update(team=None, manager=None)
    manager = Membership.objects.get(pk=manager.pk)
    sold = SalesFact.objects.filter(company=bench, salesperson_id=seller, measure__in=invoiced)
    first, last = sold.earliest("date").date, sold.latest("date").date
    assert not scopes.Outside(bench, manager).sees_all(invoiced, None, None)
    assert not scopes.Outside(bench, manager).sees_all(invoiced, last, last)
    assert not scopes.Outside(bench, manager).sees_all(invoiced, first, first)
    assert scopes.Outside(bench, manager).sees_all(invoiced, None, first - timedelta(days=1))
    assert scopes.Outside(bench, manager).sees_all(invoiced, last + timedelta(days=1), None)
    # Another measure has its own spans.
    ordered = SalesFact.objects.filter(company=bench, salesperson_id=seller, measure=Measure.ORDERED).earliest("date").date
    assert scopes.Outside(bench, manager).sees_all(invoiced, None, min(first, ordered) - timedelta(days=1))

    # The answers leave the seller out where they sold, and equal the company's where they did not.
    admin = Membership.objects.get(company=bench, user__username="bench-admin")
    for date_from, date_to, same in ((first, last, False), (None, first - timedelta(days=1), True)):
        question = analysis.Question(rows=["salesperson"], basis="invoiced", date_from=date_from, date_to=date_to)
        mine, everyone = analysis.answer(bench, manager, question), analysis.answer(bench, admin, question)
        assert ((seller,) in mine.row_totals) is False
        assert (mine.total == everyone.total) is same
        assert everyone.total.revenue > 0
