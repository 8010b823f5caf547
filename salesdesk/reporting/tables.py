"""An analysis answer laid out for the API, the page, the chart and the export files: the same numbers everywhere."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from salesdesk.reporting.analysis import DIMENSIONS, MEASURES, PERIODS, Answer, Cell


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def values(cell: Cell | None, measures: list[str]) -> dict:
    cell = cell or Cell()
    return {m: cell.value(m) for m in measures}


def _key(names: list[str], key: tuple) -> dict:
    return dict(zip(names, key, strict=True))


def layout(answer: Answer) -> dict:
    """Rows with one block of measures per column, column and grand totals, each key with its label."""
    q = answer.question
    columns = [
        {
            "key": _key(q.columns, c),
            "label": {n: answer.label(n, v) for n, v in _key(q.columns, c).items()},
            "total": values(answer.column_totals[c], q.measures),
        }
        for c in answer.column_keys
    ]
    rows = []
    for r in answer.row_keys:
        rows.append(
            {
                "key": _key(q.rows, r),
                "label": {n: answer.label(n, v) for n, v in _key(q.rows, r).items()},
                "cells": [values(answer.cells.get((r, c)), q.measures) for c in answer.column_keys],
                "total": values(answer.row_totals[r], q.measures),
            }
        )
    return {"rows": rows, "columns": columns, "total": values(answer.total, q.measures)}


def as_json(answer: Answer) -> dict:
    q = answer.question
    table = layout(answer)

    def clean(obj):
        if isinstance(obj, dict):
            return {k: clean(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [clean(v) for v in obj]
        return _plain(obj)

    return clean(
        {
            "rows_by": q.rows,
            "columns_by": q.columns,
            "measures": q.measures,
            "basis": q.basis,
            "date_from": q.date_from,
            "date_to": q.date_to,
            "filters": q.filters,
            "source": answer.source,
            **table,
        }
    )


def column_title(answer: Answer, column: tuple) -> str:
    q = answer.question
    return " / ".join(answer.label(n, v) for n, v in zip(q.columns, column, strict=True))


def flat(answer: Answer) -> tuple[list[str], list[list]]:
    """Headers and rows for a spreadsheet: the row dimensions, then each column's measures, then the totals."""
    q = answer.question
    names = {m: str(MEASURES[m]) for m in q.measures}
    headers = [str(_dimension_label(d)) for d in q.rows]
    for c in answer.column_keys:
        title = column_title(answer, c)
        headers += [f"{title} · {names[m]}" if title else names[m] for m in q.measures]
    if q.columns:
        headers += [f"{_('Total')} · {names[m]}" for m in q.measures]
    table = layout(answer)
    lines = []
    for row in table["rows"]:
        line = [row["label"][d] for d in q.rows]
        for cell in row["cells"]:
            line += [cell[m] for m in q.measures]
        if q.columns:
            line += [row["total"][m] for m in q.measures]
        lines.append(line)
    total_line = [_("Total"), *[""] * (len(q.rows) - 1)]
    for column in table["columns"]:
        total_line += [column["total"][m] for m in q.measures]
    if q.columns:
        total_line += [table["total"][m] for m in q.measures]
    lines.append(total_line)
    return headers, lines


def _dimension_label(name: str):
    return PERIODS[name] if name in PERIODS else DIMENSIONS[name][0]
