"""The sales analysis page (a pivot with a chart, exports and drill-down) and the documents behind a cell."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.accounts.models import Region, SalesTeam
from salesdesk.accounts.selectors import salespeople, visible_salesperson_ids
from salesdesk.catalog.models import ProductCategory
from salesdesk.core import export
from salesdesk.core.errors import Invalid
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.customers.models import CustomerGroup
from salesdesk.reporting import analysis, questions, services, tables

# Filters offered as pickers on the page; customer and product are filtered from the API or by drilling down.
_PICKERS = {
    "region": lambda company: Region.objects.filter(company=company).order_by("name").values_list("pk", "name"),
    "team": lambda company: SalesTeam.objects.filter(company=company).order_by("name").values_list("pk", "name"),
    "customer_group": lambda company: CustomerGroup.objects.filter(company=company).order_by("name").values_list("pk", "name"),
    "category": lambda company: ProductCategory.objects.filter(company=company).order_by("name").values_list("pk", "name"),
}


# How each measure is shown on the page, with the language's separators (the files keep plain numbers).
_SHOWN = {"quantity": "-4g", "margin": "1g", "orders": "0g"}


def shown(measure: str, value) -> str | None:
    return None if value is None else floatformat(value, _SHOWN.get(measure, "2g"))


def _table(params: dict, answer: analysis.Answer) -> dict:
    """The layout as plain lists for the template: each cell's figures in measure order with its drill-down address."""
    measures = answer.question.measures
    layout = tables.layout(answer)
    rows = []
    for row, key in zip(layout["rows"], answer.row_keys, strict=True):
        cells = [
            {"link": _cell_query(params, answer, key, column), "values": [shown(m, cell[m]) for m in measures]}
            for cell, column in zip(row["cells"], answer.column_keys, strict=True)
        ]
        rows.append(
            {
                "labels": list(row["label"].values()),
                "cells": cells,
                "link": _cell_query(params, answer, key, None),
                "total": [shown(m, row["total"][m]) for m in measures],
            }
        )
    columns = [[shown(m, column["total"][m]) for m in measures] for column in layout["columns"]]
    grand = [(m, shown(m, layout["total"][m])) for m in measures]
    return {"rows": rows, "column_totals": columns, "grand": grand}


def _choices(request, question: analysis.Question) -> dict:
    company = request.company
    pickers = {name: list(read(company)) for name, read in _PICKERS.items()}
    seen = visible_salesperson_ids(request.membership)
    people = salespeople(company) if seen is None else salespeople(company).filter(pk__in=seen)
    pickers["salesperson"] = [(u.pk, u.full_name or u.username) for u in people.order_by("full_name", "username")]
    return {
        "dimensions": [(name, label) for name, label in analysis.PERIODS.items()]
        + [(name, spec[0]) for name, spec in analysis.DIMENSIONS.items()],
        "bases": [(name, spec[0]) for name, spec in analysis.BASES.items()],
        "pickers": [
            (name, analysis.DIMENSIONS[name][0], [(pk, text, pk in question.filters.get(name, ())) for pk, text in options])
            for name, options in pickers.items()
        ],
        "measure_choices": [(name, label, name in question.measures) for name, label in analysis.MEASURES.items()],
    }


def _chart(answer: analysis.Answer) -> dict:
    """The first measure by row (the labels) and column (one series each), as the table shows it."""
    q = answer.question
    measure = q.measures[0]
    table = tables.layout(answer)
    labels = [" / ".join(row["label"].values()) for row in table["rows"]]
    series = []
    for i, column in enumerate(table["columns"]):
        name = " / ".join(column["label"].values()) or str(analysis.MEASURES[measure])
        series.append({"label": name, "data": [_number(row["cells"][i][measure]) for row in table["rows"]]})
    return {
        "labels": labels,
        "series": series,
        "measure": str(analysis.MEASURES[measure]),
        "line": bool(q.rows and q.rows[0] in analysis.PERIODS),
    }


def _number(value):
    """As text: the chart script reads it with Number(), money never becomes a float here."""
    return None if value is None else str(value)


def joined(query) -> dict[str, str]:
    """The page's parameters with repeated ones (two row pickers, measure boxes) joined by commas, as the API takes them."""
    return {key: ",".join(v for v in query.getlist(key) if v) for key in query}


def _cell_query(params: dict, answer: analysis.Answer, row: tuple, column: tuple | None) -> str:
    """The drill-down address of one cell: the page's question plus the cell's keys."""
    q = answer.question
    params = {k: v for k, v in params.items() if not k.startswith("cell_") and k != "export"}
    # A row's total leaves the columns out (`column` is None).
    for names, key in ((q.rows, row), (q.columns, column or ())):
        for name, value in zip(names[: len(key)], key, strict=True):
            params[f"cell_{name}"] = value.isoformat() if hasattr(value, "isoformat") else value
    return urlencode(params)


class AnalysisView(CompanyRequiredMixin, View):
    """Rows and columns chosen from period, region, team, salesperson, customer, group, product and
    category; measures from quantity, revenue, cost, gross profit, margin % and count; CSV/XLSX with `?export=`."""

    permission = "reporting.view_salesfact"

    def get(self, request):
        services.refresh(company=request.company)
        today = timezone.localdate()
        params = joined(request.GET)
        errors: dict = {}
        try:
            question = questions.parse_question(params, today)
        except Invalid as exc:
            errors = exc.details
            question = questions.default_question(today)
        answer = analysis.answer(request.company, request.membership, question)
        if params.get("export") in ("csv", "xlsx") and not errors:
            headers, lines = tables.flat(answer)
            name = f"sales-analysis-{today.isoformat()}"
            if params["export"] == "xlsx":
                return export.xlsx_response(name, headers, lines)
            return export.csv_response(name, headers, lines)
        context = {
            "question": question,
            "errors": errors,
            # After an error the page answers the default question: its cells drill into that one.
            "table": _table({} if errors else params, answer),
            "column_titles": [tables.column_title(answer, c) for c in answer.column_keys],
            "measure_labels": [analysis.MEASURES[m] for m in question.measures],
            "row_labels": [analysis.PERIODS.get(d) or analysis.DIMENSIONS[d][0] for d in question.rows],
            "chart": _chart(answer),
            "query": urlencode({k: v for k, v in params.items() if k != "export"}),
            "base_currency": request.company.base_currency,
            **_choices(request, question),
        }
        return render(request, "reporting/analysis.html", context)


class DrillView(CompanyRequiredMixin, View):
    """The documents whose lines make up one cell of the analysis, newest first."""

    permission = "reporting.view_salesfact"

    def get(self, request):
        services.refresh(company=request.company)
        today = timezone.localdate()
        params = joined(request.GET)
        try:
            question = questions.parse_question(params, today)
            cell = questions.parse_cell(params, question)
        except Invalid as exc:
            return render(request, "reporting/analysis_documents.html", {"errors": exc.details, "rows": []}, status=400)
        rows = questions.describe(request.company, analysis.documents_behind(request.company, request.membership, question, cell))
        cell_labels = [
            (analysis.PERIODS.get(name) or analysis.DIMENSIONS[name][0], _cell_label(request.company, request.membership, name, value))
            for name, value in cell.items()
        ]
        back = urlencode({k: v for k, v in params.items() if not k.startswith("cell_")})
        context = {
            "rows": rows,
            "cell_labels": cell_labels,
            "question": question,
            "back": back,
            "base_currency": request.company.base_currency,
        }
        return render(request, "reporting/analysis_documents.html", context)


def _cell_label(company, membership, name: str, value) -> str:
    if name in analysis.PERIODS:
        return analysis.period_label(name, analysis.period_key(name, value))
    if not value:
        return _("(none)")
    return analysis.names_of(company, name, {value}, membership).get(value, str(value))
