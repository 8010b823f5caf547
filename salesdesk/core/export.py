"""Lists as CSV or XLSX files whose cells are safe to open in a spreadsheet.

A text cell that starts with = + - @, a tab or a carriage return would be read as a
formula (CSV injection); it gets a leading apostrophe so the spreadsheet shows it as text.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """`value`, with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def cell(value: Any) -> Any:
    """A value ready for a spreadsheet: numbers and dates stay typed, everything else is safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, Decimal, float)):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return safe_text(str(value))


def _filename(name: str, ext: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or "export"
    return f"{safe}.{ext}"


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(cell(v)) for v in row])
    # A byte-order mark so that spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (safe_text(title) or "Export")[:31].replace("/", "-")
    sheet.append([safe_text(str(h)) for h in headers])
    for c in sheet[1]:
        c.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        sheet.append([cell(v) for v in row])
        # openpyxl would store a string starting with "=" as a formula: force text cells. The row is
        # counted here: asking the sheet for its last row walks every row each time.
        for c in sheet[number]:
            if isinstance(c.value, str):
                c.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_response(name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "csv")}"'
    return response


def xlsx_response(name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(headers, rows, title=name), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "xlsx")}"'
    return response
