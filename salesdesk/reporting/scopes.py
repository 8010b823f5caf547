"""A manager's people on the dashboards: when they are the whole of a date range, and their top tens.

A sales manager sees the figures of the salespeople they manage (their record scope). Two
things keep their dashboard as cheap as the company's:

- **Seller spans** (`SellerSpan`): the first and last day of each salesperson's facts. When
  no salesperson outside the manager's people has facts in a date range, the range's
  figures are the company's, and the rollups are read without joining their people.
- **Scope totals** (`TopScope`, `ScopeYearTotal`): each customer's and product's net sales
  per year for one set of salespeople, so a manager's top tens are read by an index instead
  of summing a year of their people's facts. A set's totals are summed from the facts the
  first time a dashboard asks for it, under the facts' cursor lock, and every refresh after
  that adds its new facts to them in the same transaction as the facts themselves.
"""

import hashlib
from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction

from salesdesk.accounts.selectors import visible_salesperson_ids
from salesdesk.core.arithmetic import MONEY_PLACES
from salesdesk.reporting.models import FactCursor, Measure, SalesFact, ScopeYearTotal, SellerSpan, TopScope
from salesdesk.reporting.summed import year_of

NET_SALES = (Measure.INVOICED, Measure.CREDITED)  # credit notes count against the year's sales
TOP_DIMENSIONS = ("customer", "product")
UNUSED_DAYS = 14  # a scope no dashboard asked for in this many days is dropped when another is built


class Outside:
    """The spans of the salespeople a member does not see, read once (a request asks many questions).

    The member sees all of a date range when none of them has facts in it; a member who sees
    the whole company has nobody outside."""

    def __init__(self, company, membership) -> None:
        self.seen = visible_salesperson_ids(membership) if membership is not None else None  # None: everyone
        self.spans = []
        if self.seen is not None:
            outside = SellerSpan.objects.filter(company=company).exclude(salesperson_id__in=self.seen)
            self.spans = list(outside.values_list("measure", "first_date", "last_date"))

    def sees_all(self, measures, date_from: date | None, date_to: date | None) -> bool:
        """Whether nobody outside has facts of `measures` between the dates (None: open)."""
        return not any(
            measure in measures and (date_from is None or last >= date_from) and (date_to is None or first <= date_to)
            for measure, first, last in self.spans
        )


def top(scope: TopScope, dimension: str, year: int, limit: int) -> list[tuple[int, object]]:
    """The scope's best `limit` customers or products of the year by net sales, largest first."""
    rows = ScopeYearTotal.objects.filter(scope=scope, year=year, dimension=dimension, revenue__gt=0)
    return list(rows.order_by("-revenue", "member_id").values_list("member_id", "revenue")[:limit])


def key_of(salespeople) -> str:
    return hashlib.sha256(",".join(str(pk) for pk in sorted(salespeople)).encode()).hexdigest()


def scope_for(company, salespeople: set[int], year: int, today: date) -> TopScope:
    """The kept totals of these salespeople, exact from `year` on: summed now if no dashboard asked before."""
    key = key_of(salespeople)
    scope = TopScope.objects.filter(company=company, key=key, from_year__lte=year).first()
    if scope is None:
        return _build(company, salespeople, key, year, today)
    if scope.used_on != today:
        TopScope.objects.filter(pk=scope.pk).update(used_on=today)
    return scope


@transaction.atomic
def _build(company, salespeople: set[int], key: str, year: int, today: date) -> TopScope:
    FactCursor.locked(company)  # no refresh adds facts while they are summed
    found = TopScope.objects.filter(company=company, key=key).first()
    if found is not None and found.from_year <= year:
        return found  # built by another request while this one waited for the lock
    TopScope.objects.filter(company=company).filter(used_on__lt=today - timedelta(days=UNUSED_DAYS)).delete()
    if found is not None:
        found.delete()  # kept from a later year than asked for: summed again from this one
    scope = TopScope.objects.create(company=company, key=key, salespeople=sorted(salespeople), from_year=year, used_on=today)
    if salespeople:
        _sum_from_facts(company, scope, sorted(salespeople), date(year, 1, 1))
    return scope


def _sum_from_facts(company, scope: TopScope, salespeople: list[int], start: date) -> None:
    """The scope's totals from its people's facts since `start`, read by the facts' salesperson index."""
    facts, totals = SalesFact._meta.db_table, ScopeYearTotal._meta.db_table
    people = ", ".join(["%s"] * len(salespeople))
    year, revenue = year_of("date"), f"CAST(ROUND(SUM(revenue), {MONEY_PLACES}) AS NUMERIC)"
    with connection.cursor() as cursor:
        for dimension in TOP_DIMENSIONS:
            cursor.execute(
                f"INSERT INTO {totals} (company_id, scope_id, year, dimension, member_id, revenue) "  # noqa: S608 - names are ours
                f"SELECT company_id, %s, {year}, %s, {dimension}_id, {revenue} FROM {facts} "
                f"WHERE company_id = %s AND salesperson_id IN ({people}) AND measure IN (%s, %s) AND date >= %s AND {dimension}_id <> 0 "
                f"GROUP BY company_id, {year}, {dimension}_id HAVING {revenue} <> 0",
                [scope.pk, dimension, company.pk, *salespeople, *NET_SALES, connection.ops.adapt_datefield_value(start)],
            )


def scope_totals(company, deltas) -> dict[tuple, list]:
    """The refresh's new facts (`Key` -> figures) as additions to the kept scopes' totals."""
    scopes = TopScope.objects.filter(company=company).values_list("pk", "salespeople", "from_year")
    member_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, salespeople, from_year in scopes:
        for person in salespeople:
            member_of[person].append((pk, from_year))
    totals: dict[tuple, list] = defaultdict(lambda: [0])
    if not member_of:
        return totals
    for key, figures in deltas.items():
        if key.measure not in NET_SALES or key.salesperson_id not in member_of:
            continue
        for pk, from_year in member_of[key.salesperson_id]:
            if key.date.year < from_year:
                continue
            for dimension, member in (("customer", key.customer_id), ("product", key.product_id)):
                if member:
                    totals[(pk, key.date.year, dimension, member)][0] += figures.revenue
    return totals


def spans(deltas) -> dict[tuple, list]:
    """The refresh's new facts as (measure, salesperson) -> [first day, last day]."""
    found: dict[tuple, list] = {}
    for key in deltas:
        span = found.setdefault((key.measure, key.salesperson_id), [key.date, key.date])
        span[0], span[1] = min(span[0], key.date), max(span[1], key.date)
    return found


def add_spans(company, found: dict[tuple, list]) -> None:
    """Widens each salesperson's span to take in the new facts' days (one upsert per batch)."""
    if not found:
        return
    table = SellerSpan._meta.db_table
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    day = connection.ops.adapt_datefield_value
    sql = (
        f"INSERT INTO {table} (company_id, measure, salesperson_id, first_date, last_date) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (company_id, measure, salesperson_id) DO UPDATE SET "
        f"first_date = {least}({table}.first_date, excluded.first_date), last_date = {greatest}({table}.last_date, excluded.last_date)"
    )
    rows = [(company.pk, str(measure), person, day(first), day(last)) for (measure, person), (first, last) in found.items()]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def sum_spans(company) -> None:
    """Replaces the company's spans with those of its facts, and drops its scopes (a rebuild's end)."""
    SellerSpan.objects.filter(company=company).delete()
    TopScope.objects.filter(company=company).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SellerSpan._meta.db_table} (company_id, measure, salesperson_id, first_date, last_date) "  # noqa: S608
            f"SELECT company_id, measure, salesperson_id, MIN(date), MAX(date) FROM {SalesFact._meta.db_table} "
            "WHERE company_id = %s GROUP BY company_id, measure, salesperson_id",
            [company.pk],
        )
