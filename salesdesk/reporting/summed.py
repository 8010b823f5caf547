"""Rollups and year totals summed from the facts by the database, as a rebuild writes them.

A refresh adds each batch's facts to its cells (services._add); a rebuild writes every fact
first and then sums them here in three `INSERT … SELECT … GROUP BY` statements, which is
what makes a rebuild of millions of facts take minutes rather than an hour. Both round each
figure to its column's places in SQL (SQLite adds decimals in floating point), and both
leave out cells whose figures come to nothing, so the two give the same rows.
"""

from django.db import connection
from django.db.models import DateField, Func

from salesdesk.core.arithmetic import MONEY_PLACES, QUANTITY_PLACES
from salesdesk.reporting.models import Grain, Measure, SalesFact, SalesRollup, YearTotal

ROLLUP_DIMENSIONS = ("salesperson_id", "team_id", "region_id", "category_id", "customer_group_id")
FIGURES = ("quantity", "revenue", "cost", "gross_profit", "documents")
PLACES = {"quantity": QUANTITY_PLACES, "revenue": MONEY_PLACES, "cost": MONEY_PLACES, "gross_profit": MONEY_PLACES}


def _sums() -> tuple[str, str]:
    """The figures' rounded sums for a SELECT, and a HAVING that leaves out groups summing to nothing."""
    sums = [f"SUM({f})" if f == "documents" else f"CAST(ROUND(SUM({f}), {PLACES[f]}) AS NUMERIC)" for f in FIGURES]
    having = " OR ".join(f"{s} <> 0" for s in sums)
    return ", ".join(sums), having


# The first day of a date's month, in each database's own SQL (Django's TruncMonth calls a
# Python function per row on SQLite).
MONTH_START = {"postgresql": "CAST(date_trunc('month', {}) AS date)", "sqlite": "date({}, 'start of month')"}


class MonthStart(Func):
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return MONTH_START[connection.vendor].format(sql), params


def _month(column: str) -> str:
    return MONTH_START[connection.vendor].format(column)


def year_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%%Y', {column}) AS integer)"


def sum_rollups(company) -> None:
    """Replaces the company's rollups and year totals with the sums of its facts."""
    SalesRollup.objects.filter(company=company).delete()
    YearTotal.objects.filter(company=company).delete()
    facts = SalesFact._meta.db_table
    sums, having = _sums()
    dimensions = ", ".join(ROLLUP_DIMENSIONS)
    figures = ", ".join(FIGURES)
    statements = []
    for grain, period in ((Grain.DAY, "date"), (Grain.MONTH, _month("date"))):
        statements.append(
            (
                f"INSERT INTO {SalesRollup._meta.db_table} (company_id, measure, grain, period, {dimensions}, {figures}) "  # noqa: S608 - names are ours
                f"SELECT company_id, measure, %s, {period}, {dimensions}, {sums} FROM {facts} WHERE company_id = %s "
                f"GROUP BY company_id, measure, {period}, {dimensions} HAVING {having}",
                [str(grain), company.pk],
            )
        )
    # Credit notes count against the year's invoiced figures, so the top tens read net sales.
    measure = f"CASE WHEN measure = '{Measure.CREDITED}' THEN '{Measure.INVOICED}' ELSE measure END"
    for dimension in ("customer", "product"):
        statements.append(
            (
                f"INSERT INTO {YearTotal._meta.db_table} (company_id, measure, year, dimension, member_id, {figures}) "  # noqa: S608 - names are ours
                f"SELECT company_id, {measure}, {year_of('date')}, %s, {dimension}_id, {sums} FROM {facts} "
                f"WHERE company_id = %s AND {dimension}_id <> 0 "
                f"GROUP BY company_id, {measure}, {year_of('date')}, {dimension}_id HAVING {having}",
                [dimension, company.pk],
            )
        )
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
