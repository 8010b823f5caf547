"""The demand board page: open order quantities by product and week against stock (F-91).

The rules are in `salesdesk.reporting.demand`. The page shows quantities only, never prices, so
the warehouse can use it; CSV and XLSX with `?export=csv` / `?export=xlsx`. A filter value that
is not one of the choices is ignored, and the form says so.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from salesdesk.catalog.selectors import category_tree
from salesdesk.core import export
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.inventory.models import Warehouse
from salesdesk.reporting import demand


class DemandFilterForm(forms.Form):
    category = forms.TypedChoiceField(label=gettext_lazy("Category"), coerce=int, required=False, empty_value=None)
    warehouse = forms.TypedChoiceField(label=gettext_lazy("Warehouse"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, company):
        super().__init__(data)
        categories = [(c.pk, "— " * depth + c.name) for depth, c in category_tree(company)]
        warehouses = [
            (w.pk, f"{w.code} · {w.name}") for w in Warehouse.objects.filter(company=company).order_by("code").only("code", "name")
        ]
        self.fields["category"].choices = [("", _("All categories")), *categories]
        self.fields["warehouse"].choices = [("", _("All warehouses")), *warehouses]

    def chosen(self) -> dict:
        """The valid filters; a bad value is left out (its error stays on the form)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in ("category", "warehouse")}


def column_labels(weeks) -> list[str]:
    return [_("Overdue"), *[_("Week of %(day)s") % {"day": week.isoformat()} for week in weeks], _("Later")]


def export_table(board) -> tuple[list[str], list[list]]:
    """Headers and lines of the file: one line per product, then the totals."""
    headers = [
        _("Code"),
        _("Product"),
        _("Category"),
        _("On hand"),
        _("Reserved"),
        _("Available"),
        *column_labels(board["weeks"]),
        _("Total"),
        _("Shortage"),
    ]
    lines = [
        [
            r["product_code"],
            r["product_name"],
            r["category_name"],
            r["on_hand"],
            r["reserved"],
            r["available"],
            *r["columns"],
            r["total"],
            _("Short") if r["shortage"] else "",
        ]
        for r in board["rows"]
    ]
    t = board["totals"]
    lines.append(["", _("Total"), "", t["on_hand"], t["reserved"], t["available"], *t["columns"], t["total"], t["products_short"]])
    return headers, lines


def with_cells(figures: dict) -> dict:
    """`figures` with `cells`: each column's quantity and whether stock is short by then."""
    return {**figures, "cells": [{"value": v, "short": s} for v, s in zip(figures["columns"], figures["short"], strict=True)]}


def grouped(board) -> list[dict]:
    """The categories in board order, each with its product rows, for the page."""
    rows: dict = {}
    for row in board["rows"]:
        rows.setdefault(row["category"], []).append(with_cells(row))
    return [{**with_cells(category), "rows": rows[category["category"]]} for category in board["categories"]]


class DemandBoardView(CompanyRequiredMixin, View):
    """Filters `category` (with its sub-categories) and `warehouse` (all when left out)."""

    permission = "reporting.demand_salesfact"

    def get(self, request):
        form = DemandFilterForm(request.GET, company=request.company)
        chosen = form.chosen()
        board = demand.demand_board(request.company, request.membership, category_id=chosen["category"], warehouse_id=chosen["warehouse"])
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx"):
            name = f"demand-{board['today'].isoformat()}"
            headers, lines = export_table(board)
            make = export.csv_response if fmt == "csv" else export.xlsx_response
            return make(name, headers, lines)
        query = "&".join(f"{name}={value}" for name, value in chosen.items() if value is not None)
        context = {
            "form": form,
            "board": board,
            "groups": grouped(board),
            "totals": with_cells(board["totals"]),
            "weeks": board["weeks"],
            "query": query,
        }
        return render(request, "reporting/demand.html", context)
