"""Dashboards per role (F-90): the figures each role's section shows, as plain values (pure reads).

Sections: `leader` (administrators and sales managers), `sales` (salespeople: their own
figures), `warehouse` (clerks: quantities, never prices) and `accounts` (accountants). A
member sees the sections of each of their roles, within their record scope.

Sales figures come from the rollups through `analysis`: per basis, one question by month
for the whole months of the last two years and one per month-to-date (this year's and last
year's up to the same day), so the cost grows with the number of months, not of documents.
The tops of customers and products read yearly totals kept per customer and product: the
company's, or those of the member's people (`reporting.scopes`). Operational counts (open
documents) are in `reporting.work`.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils.translation import gettext as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.billing import selectors as billing_selectors
from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid
from salesdesk.core.money import ZERO, round_money
from salesdesk.customers.models import Customer
from salesdesk.reporting import analysis, scopes, work
from salesdesk.reporting.analysis import Cell, Question
from salesdesk.reporting.models import Measure, YearTotal

SECTIONS = ("leader", "sales", "warehouse", "accounts")
SECTION_ROLES = {
    "leader": (roles.ADMINISTRATOR, roles.SALES_MANAGER),
    "sales": (roles.SALESPERSON,),
    "warehouse": (roles.WAREHOUSE_CLERK,),
    "accounts": (roles.ACCOUNTANT,),
}
COMPARED_BASES = ("ordered", "invoiced", "collected")
TREND_MONTHS = 24
TOP = 10


def sections_for(membership) -> list[str]:
    """The sections the member's roles give, in page order."""
    return [name for name in SECTIONS if membership.has_role(*SECTION_ROLES[name])]


def choose(membership, view: str | None) -> list[str]:
    """The sections to show: all the member's, or the one `view` names. An unknown name is
    invalid input (400); a section none of the member's roles gives is refused (403)."""
    allowed = sections_for(membership)
    if not view:
        return allowed
    if view not in SECTIONS:
        raise Invalid({"view": [_("Choose one of: %(allowed)s.") % {"allowed": ", ".join(SECTIONS)}]})
    if view not in allowed:
        raise PermissionDenied
    return [view]


def same_day_last_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Periods:
    """This month and year to date, and the same days last year."""

    today: date

    @property
    def month_from(self) -> date:
        return month_start(self.today)

    @property
    def year_from(self) -> date:
        return date(self.today.year, 1, 1)

    @property
    def last_month_to(self) -> date:
        return same_day_last_year(self.today)

    @property
    def last_month_from(self) -> date:
        return month_start(self.last_month_to)

    @property
    def last_year_from(self) -> date:
        return date(self.today.year - 1, 1, 1)

    @property
    def trend_from(self) -> date:
        return add_months(self.month_from, 1 - TREND_MONTHS)

    def as_dict(self) -> dict:
        return {
            "month_from": self.month_from,
            "month_to": self.today,
            "year_from": self.year_from,
            "last_month_from": self.last_month_from,
            "last_month_to": self.last_month_to,
            "last_year_from": self.last_year_from,
        }


class Board:
    """One request's dashboard: the member, the day, and what several sections share (read once)."""

    def __init__(self, company, membership, today: date) -> None:
        self.company = company
        self.membership = membership
        self.periods = Periods(today)

    @cached_property
    def year_is_all_seen(self) -> bool:
        """Whether the member sees every invoice and credit note of the year so far: the whole
        company, or a manager whose people made all of this year's sales. The company's year
        totals are then theirs too."""
        return self.outside.sees_all(scopes.NET_SALES, self.periods.year_from, self.periods.today)

    @cached_property
    def outside(self) -> scopes.Outside:
        return scopes.Outside(self.company, self.membership)

    @cached_property
    def ageing_totals(self) -> dict:
        """The ageing's totals, from the open items: the leader's and the accountant's cards."""
        return billing_selectors.ageing_totals(self.company, self.membership, self.periods.today)

    def section(self, name: str) -> dict:
        return {"leader": leader, "sales": sales, "warehouse": work.warehouse, "accounts": work.accounts}[name](self)

    def data(self, sections: list[str]) -> dict:
        return {
            "date": self.periods.today,
            "currency": self.company.base_currency,
            "periods": self.periods.as_dict(),
            "sections": sections,
            **{name: self.section(name) for name in sections},
        }


# --- sales figures from the rollups ---------------------------------------------------------


def merged(cells) -> Cell:
    total = Cell()
    for cell in cells:
        total.add(cell.__dict__)
    return total


@dataclass
class BasisFigures:
    """One basis's month totals (whole months of the trend), and this and last year's month to date."""

    months: dict[date, Cell]
    month: Cell
    last_month: Cell
    periods: Periods

    @property
    def year(self) -> Cell:
        return merged([self.month, *(c for m, c in self.months.items() if m >= self.periods.year_from)])

    @property
    def last_year(self) -> Cell:
        p = self.periods
        return merged([self.last_month, *(c for m, c in self.months.items() if p.last_year_from <= m < p.last_month_from)])

    def trend(self) -> list[tuple[date, Cell]]:
        starts = [add_months(self.periods.trend_from, i) for i in range(TREND_MONTHS)]
        return [(m, self.month if m == self.periods.month_from else self.months.get(m, Cell())) for m in starts]


def basis_figures(board: Board, basis: str, filters: dict | None = None, whole_months: bool = True) -> BasisFigures:
    p, filters = board.periods, filters or {}

    def ask(date_from: date, date_to: date):
        question = Question(rows=["month"], measures=["revenue"], basis=basis, date_from=date_from, date_to=date_to, filters=filters)
        return analysis.answer(board.company, board.membership, question, board.outside)

    months = {}
    if whole_months:
        answer = ask(p.trend_from, p.month_from - timedelta(days=1))
        months = {key[0]: cell for key, cell in answer.row_totals.items()}
    return BasisFigures(
        months=months,
        month=ask(p.month_from, p.today).total,
        last_month=ask(p.last_month_from, p.last_month_to).total,
        periods=p,
    )


def revenue(cell: Cell) -> Decimal:
    return cell.value("revenue")


def top(board: Board, dimension: str, limit: int = TOP) -> list[dict]:
    """The best `limit` of a dimension by revenue invoiced this year (net of credit notes), read from kept totals."""
    p = board.periods
    if dimension in scopes.TOP_DIMENSIONS and board.year_is_all_seen:
        # The whole company: the year's totals, the largest read by an index (cost independent of history).
        best = list(
            YearTotal.objects.filter(company=board.company, measure=Measure.INVOICED, year=p.today.year, dimension=dimension, revenue__gt=0)
            .order_by("-revenue", "member_id")
            .values_list("member_id", "revenue")[:limit]
        )
    elif dimension in scopes.TOP_DIMENSIONS:
        # A manager's or a salesperson's people: the totals kept for that set of salespeople.
        scope = scopes.scope_for(board.company, board.outside.seen, p.today.year, p.today)
        best = scopes.top(scope, dimension, p.today.year, limit)
    else:
        # Kept on the rollups (salesperson, team, ...): the year's whole months from the month
        # rollups and this month's days from the day rollups, a few rows per member.
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
        spans = [(p.year_from, p.month_from - timedelta(days=1)), (p.month_from, p.today)]
        for start, end in spans:
            if start > end:
                continue
            question = Question(rows=[dimension], basis="invoiced", date_from=start, date_to=end)
            rows, _column = analysis.scoped_rows(board.company, board.membership, question, board.outside)
            column = analysis.DIMENSIONS[dimension][1]
            for member, total in rows.values(column).annotate(total=Sum("revenue")).values_list(column, "total"):
                totals[member] += total or ZERO
        best = sorted(((pk, total) for pk, total in totals.items() if total > 0), key=lambda pair: (-pair[1], pair[0]))[:limit]
    names = _names(board.company, dimension, {pk for pk, _total in best if pk})
    return [{"id": pk, "name": names.get(pk, _("(none)")), "revenue": round_money(total or ZERO)} for pk, total in best]


def _names(company, dimension: str, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    if dimension == "customer":
        # Unordered: by the model's order, SQLite walks the (company, code) index through every customer.
        rows = Customer.objects.filter(company=company, pk__in=ids).order_by().values_list("pk", "code", "name")
        return {pk: f"{code} {name}" for pk, code, name in rows}
    if dimension == "product":
        rows = Product.objects.filter(company=company, pk__in=ids).order_by().values_list("pk", "sku", "name")
        return {pk: f"{sku} {name}" for pk, sku, name in rows}
    rows = User.objects.filter(pk__in=ids, memberships__company=company).distinct().values_list("pk", "full_name", "username")
    return {pk: full_name or username for pk, full_name, username in rows}


# --- sections ---------------------------------------------------------------------------------


def leader(board: Board) -> dict:
    """Sales against last year, the 24-month trend, tops, margin, open work and receivables (within the scope)."""
    figures = {basis: basis_figures(board, basis) for basis in COMPARED_BASES}
    invoiced, ordered = figures["invoiced"], figures["ordered"]
    year = invoiced.year
    counts = work.order_counts(board)
    return {
        "comparison": [
            {
                "basis": basis,
                "month": revenue(f.month),
                "month_last_year": revenue(f.last_month),
                "year": revenue(f.year),
                "year_last_year": revenue(f.last_year),
            }
            for basis, f in figures.items()
        ],
        "trend": [
            {"month": analysis.period_label("month", m), "invoiced": revenue(cell), "ordered": revenue(o)}
            for (m, cell), (_m, o) in zip(invoiced.trend(), ordered.trend(), strict=True)
        ],
        "top_customers": top(board, "customer"),
        "top_products": top(board, "product"),
        "top_salespeople": top(board, "salesperson"),
        "margin": {"revenue": revenue(year), "gross_profit": year.value("gross_profit"), "margin_percent": year.value("margin")},
        "open_orders": {"count": counts["open"], "amount": counts["open_amount"]},
        "pending_approvals": counts["pending_approval"],
        "credit_holds": counts["credit_hold"],
        "receivables": work.ageing_summary(board.ageing_totals),
        "price_overrides": work.price_overrides_this_month(board),
        "plan": {"invoiced_month": revenue(invoiced.month), "invoiced_year": revenue(year)},
    }


def sales(board: Board) -> dict:
    """The member's own sales this month against the same days last year, and their open work."""
    mine = {"salesperson": [board.membership.user_id]}
    invoiced = basis_figures(board, "invoiced", mine, whole_months=False)
    ordered = basis_figures(board, "ordered", mine, whole_months=False)
    return {
        "month": {
            "invoiced": revenue(invoiced.month),
            "invoiced_last_year": revenue(invoiced.last_month),
            "ordered": revenue(ordered.month),
            "ordered_last_year": revenue(ordered.last_month),
        },
        **work.my_documents(board),
        "overdue_customers": work.overdue_customers(board),
    }
