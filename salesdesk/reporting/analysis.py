"""Sales analysis: sums of the sales facts by any of their dimensions, read from the cheapest table.

A question (`Question`) names the rows and columns (dimensions), the measures, the basis
(ordered, delivered, invoiced net of credit notes, or collected), the dates and filters.
It is answered from the rollups when every dimension and filter it uses is kept there
(period, region, team, salesperson, category, customer group): then the cost grows with the
number of cells, not with the number of documents. Customer and product are only on the
facts, so a question about them reads the facts of its date range.

Count of orders: a document counts once, on its first line (`documents` on the facts), so
the count is exact by period, region, team, salesperson, customer and group; split by
product or category, an order counts under the product of its first line.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.models import Region, SalesTeam, User
from salesdesk.accounts.selectors import scope_by_salesperson, visible_salespeople, visible_salesperson_ids
from salesdesk.catalog.models import Product, ProductCategory
from salesdesk.core.money import HUNDRED, ZERO, round_money
from salesdesk.customers.models import Customer, CustomerGroup
from salesdesk.reporting import scopes
from salesdesk.reporting.models import Grain, Measure, SalesFact, SalesRollup
from salesdesk.reporting.summed import MonthStart

PERIODS = {"day": _("Day"), "week": _("Week"), "month": _("Month"), "quarter": _("Quarter"), "year": _("Year")}
# dimension -> (label, column on facts and rollups, kept on the rollups)
DIMENSIONS = {
    "region": (_("Region"), "region_id", True),
    "team": (_("Team"), "team_id", True),
    "salesperson": (_("Salesperson"), "salesperson_id", True),
    "customer_group": (_("Customer group"), "customer_group_id", True),
    "category": (_("Category"), "category_id", True),
    "customer": (_("Customer"), "customer_id", False),
    "product": (_("Product"), "product_id", False),
}
MEASURES = {
    "quantity": _("Quantity"),
    "revenue": _("Revenue"),
    "cost": _("Cost"),
    "gross_profit": _("Gross profit"),
    "margin": _("Margin %"),
    "orders": _("Count of documents"),
}
BASES = {
    "ordered": (_("Ordered"), (Measure.ORDERED,)),
    "delivered": (_("Delivered"), (Measure.DELIVERED,)),
    "invoiced": (_("Invoiced, net of credit notes"), (Measure.INVOICED, Measure.CREDITED)),
    "collected": (_("Collected"), (Measure.COLLECTED,)),
}
_SUMMED = ("quantity", "revenue", "cost", "gross_profit", "documents")


def dimension_names() -> list[str]:
    return [*PERIODS, *DIMENSIONS]


@dataclass
class Question:
    rows: list[str]
    columns: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=lambda: ["revenue"])
    basis: str = "invoiced"
    date_from: date | None = None
    date_to: date | None = None
    filters: dict[str, list[int]] = field(default_factory=dict)  # dimension -> ids

    @property
    def dimensions(self) -> list[str]:
        return [*self.rows, *self.columns]

    @property
    def period(self) -> str | None:
        return next((d for d in self.dimensions if d in PERIODS), None)

    def needs_facts(self) -> bool:
        used = set(self.dimensions) | set(self.filters)
        return any(name in DIMENSIONS and not DIMENSIONS[name][2] for name in used)


@dataclass
class Cell:
    quantity: Decimal = ZERO
    revenue: Decimal = ZERO
    cost: Decimal = ZERO
    gross_profit: Decimal = ZERO
    documents: int = 0

    def add(self, row: dict) -> None:
        self.quantity += row["quantity"] or ZERO
        self.revenue += row["revenue"] or ZERO
        self.cost += row["cost"] or ZERO
        self.gross_profit += row["gross_profit"] or ZERO
        self.documents += row["documents"] or 0

    def value(self, measure: str):
        if measure == "orders":
            return self.documents
        if measure == "margin":
            return round_money(self.gross_profit * HUNDRED / self.revenue, 1) if self.revenue else None
        # Sums read from SQLite come back with float noise in their last places: one rounding, here.
        return round_money(getattr(self, measure), 4 if measure == "quantity" else 2)


@dataclass
class Answer:
    question: Question
    row_keys: list[tuple]
    column_keys: list[tuple]
    cells: dict[tuple[tuple, tuple], Cell]
    row_totals: dict[tuple, Cell]
    column_totals: dict[tuple, Cell]
    total: Cell
    labels: dict[str, dict]  # dimension -> key -> label
    source: str  # "rollups" or "facts"

    def label(self, dimension: str, key) -> str:
        return self.labels.get(dimension, {}).get(key, str(key))


def period_key(period: str, day: date):
    """The first day of the period `day` falls in (weeks start on Monday)."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def period_label(period: str, start: date) -> str:
    if period == "day":
        return start.isoformat()
    if period == "week":
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return start.strftime("%Y-%m")
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def _table(question: Question):
    """The rows to sum: month rollups when whole months are asked by month or coarser, else day
    rollups, else facts; with the basis, dates and filters applied. Answers (queryset, date column)."""
    if question.needs_facts():
        return SalesFact.objects.all(), "date"
    whole_months = (question.date_from is None or question.date_from.day == 1) and (
        question.date_to is None or (question.date_to + timedelta(days=1)).day == 1
    )
    coarse = question.period in (None, "month", "quarter", "year")
    grain = Grain.MONTH if whole_months and coarse else Grain.DAY
    return SalesRollup.objects.filter(grain=grain), "period"


def scoped_rows(company, membership, question: Question, outside: scopes.Outside | None = None):
    """The rows a question sums, within the member's scope (`outside`: the member's, when the caller has it)."""
    qs, date_column = _table(question)
    qs = qs.filter(company=company, measure__in=BASES[question.basis][1])
    outside = outside or scopes.Outside(company, membership)
    # A member whose people made every sale in the dates reads them as the company does.
    if not outside.sees_all(BASES[question.basis][1], question.date_from, question.date_to):
        # Rollups: a range of the period index with the scope joined to it (see `visible_salespeople`);
        # facts are read by their salesperson index, one probe per salesperson.
        seen = visible_salespeople(membership) if qs.model is SalesRollup else outside.seen
        qs = qs.filter(salesperson_id__in=seen)
    if question.date_from:
        qs = qs.filter(**{f"{date_column}__gte": question.date_from})
    if question.date_to:
        qs = qs.filter(**{f"{date_column}__lte": question.date_to})
    for name, ids in question.filters.items():
        qs = qs.filter(**{f"{DIMENSIONS[name][1]}__in": ids})
    return qs, date_column


def answer(company, membership, question: Question, outside: scopes.Outside | None = None) -> Answer:
    qs, date_column = scoped_rows(company, membership, question, outside)
    columns = [DIMENSIONS[d][1] for d in question.dimensions if d in DIMENSIONS]
    if question.period in ("month", "quarter", "year") and date_column == "date":
        # Facts summed by month in the database: a month's days come back as one row.
        qs = qs.annotate(month_start=MonthStart("date"))
        date_column = "month_start"
    if question.period:
        columns.append(date_column)
    rows = qs.values(*columns).annotate(**{m: Sum(m) for m in _SUMMED}).order_by()

    def key_of(row: dict, names: list[str]) -> tuple:
        return tuple(period_key(name, row[date_column]) if name in PERIODS else row[DIMENSIONS[name][1]] for name in names)

    cells: dict[tuple[tuple, tuple], Cell] = defaultdict(Cell)
    row_totals: dict[tuple, Cell] = defaultdict(Cell)
    column_totals: dict[tuple, Cell] = defaultdict(Cell)
    total = Cell()
    for row in rows:
        r, c = key_of(row, question.rows), key_of(row, question.columns)
        cells[r, c].add(row)
        row_totals[r].add(row)
        column_totals[c].add(row)
        total.add(row)
    row_keys = sorted(row_totals, key=_sortable)
    column_keys = sorted(column_totals, key=_sortable)
    labels = _labels(company, question, row_keys, column_keys)
    return Answer(
        question=question,
        row_keys=row_keys,
        column_keys=column_keys,
        cells=dict(cells),
        row_totals=dict(row_totals),
        column_totals=dict(column_totals),
        total=total,
        labels=labels,
        source="facts" if question.needs_facts() else "rollups",
    )


def _sortable(key: tuple) -> tuple:
    return tuple((0, v) if isinstance(v, date) else (1, v or 0) for v in key)


_NAMES = {
    "region": (Region, "name"),
    "team": (SalesTeam, "name"),
    "customer_group": (CustomerGroup, "name"),
    "category": (ProductCategory, "name"),
    "customer": (Customer, "name"),
    "product": (Product, "name"),
}


def _labels(company, question: Question, row_keys: list[tuple], column_keys: list[tuple]) -> dict[str, dict]:
    """Names for the ids shown, read once per dimension."""
    labels: dict[str, dict] = {}
    for axis, keys in ((question.rows, row_keys), (question.columns, column_keys)):
        for i, name in enumerate(axis):
            values = {key[i] for key in keys}
            if name in PERIODS:
                labels[name] = {v: period_label(name, v) for v in values}
                continue
            found = names_of(company, name, {v for v in values if v})
            labels[name] = {v: found.get(v, str(_("(none)")) if not v else str(v)) for v in values}
    return labels


def names_of(company, name: str, ids: set[int], membership=None) -> dict[int, str]:
    """The names of the ids of one dimension, for the company's rows only. With `membership`,
    a customer outside the member's record scope gets no name: an id typed into a drill-down
    link must not show a customer the member cannot open."""
    if not ids:
        return {}
    if name == "salesperson":
        # Members past or present: a salesperson who has left still names their sales.
        users = User.objects.filter(pk__in=ids, memberships__company=company).distinct()
        return {pk: full_name or username for pk, full_name, username in users.values_list("pk", "full_name", "username")}
    model, field_name = _NAMES[name]
    qs = model.objects.filter(company=company, pk__in=ids).order_by()  # by the model's order, SQLite walks its index
    if name == "customer" and membership is not None:
        qs = scope_by_salesperson(qs, membership)  # the rule of the customer list
    if name in ("customer", "product"):
        code = "code" if name == "customer" else "sku"
        return {pk: f"{number} {label}" for pk, number, label in qs.values_list("pk", code, field_name)}
    return dict(qs.values_list("pk", field_name))


def documents_behind(company, membership, question: Question, cell: dict, limit: int = 200) -> list[dict]:
    """The documents whose facts make up one cell: `cell` gives a value for some of the
    question's dimensions (a period as its first day). Read from the facts, newest first."""
    qs = SalesFact.objects.filter(company=company, measure__in=BASES[question.basis][1])
    seen = visible_salesperson_ids(membership) if membership is not None else None
    if seen is not None:
        qs = qs.filter(salesperson_id__in=seen)
    start, end = question.date_from, question.date_to
    for name, value in cell.items():
        if name in PERIODS:
            period_start = period_key(name, value)
            period_end = _period_end(name, period_start)
            start = max(start, period_start) if start else period_start
            end = min(end, period_end) if end else period_end
        else:
            qs = qs.filter(**{DIMENSIONS[name][1]: value or 0})
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    for name, ids in question.filters.items():
        qs = qs.filter(**{f"{DIMENSIONS[name][1]}__in": ids})
    rows = (
        qs.values("source", "source_id", "customer_id")
        .annotate(**{m: Sum(m) for m in ("quantity", "revenue", "cost", "gross_profit")}, last_date=Max("date"))
        .exclude(Q(quantity=0) & Q(revenue=0) & Q(cost=0))
        .order_by("-last_date", "-source_id")[:limit]
    )
    return list(rows)


def _period_end(period: str, start: date) -> date:
    if period == "day":
        return start
    if period == "week":
        return start + timedelta(days=6)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if period == "quarter":
        month = start.month + 3
        return (date(start.year + (month > 12), (month - 1) % 12 + 1, 1)) - timedelta(days=1)
    return date(start.year, 12, 31)
