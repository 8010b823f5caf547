"""Reading an analysis question from query parameters, the same way for the page and the API.

Parameters: `rows` and `columns` (comma-separated dimensions: at most two rows and one
column), `measures` (comma-separated), `basis`, `date_from`, `date_to`, and a filter per
dimension (`region=3,4`). Anything unknown or malformed raises `Invalid` naming the field,
which the API answers with 400 and the page shows next to the field.
"""

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from salesdesk.billing.models import Invoice, Payment
from salesdesk.core.errors import Invalid
from salesdesk.customers.models import Customer
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.reporting.analysis import BASES, DIMENSIONS, MEASURES, PERIODS, Question
from salesdesk.reporting.models import Source
from salesdesk.sales.models import SalesOrder

MAX_ROWS = 2
MAX_COLUMNS = 1
MAX_FILTER_IDS = 100


def default_question(today: date) -> Question:
    """Revenue invoiced by month and region over the last two years: the first thing a leader asks."""
    return Question(
        rows=["month"], columns=["region"], measures=["revenue"], basis="invoiced", date_from=date(today.year - 1, 1, 1), date_to=today
    )


def _names(params, field: str, allowed, limit: int | None, errors: dict) -> list[str]:
    raw = params.get(field, "")
    names = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        errors[field] = [_("Unknown: %(names)s. Choose from: %(allowed)s.") % {"names": ", ".join(unknown), "allowed": ", ".join(allowed)}]
    elif limit is not None and len(names) > limit:
        errors[field] = [_("At most %(limit)d.") % {"limit": limit}]
    elif len(set(names)) != len(names):
        errors[field] = [_("A dimension may be chosen once.")]
    return names


def _date(params, field: str, errors: dict) -> date | None:
    raw = params.get(field, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def parse_question(params, today: date) -> Question:
    """The question the parameters ask; the default question for what they leave out."""
    default = default_question(today)
    errors: dict[str, list[str]] = {}
    dims = [*PERIODS, *DIMENSIONS]
    rows = _names(params, "rows", dims, MAX_ROWS, errors) if "rows" in params else default.rows
    columns = _names(params, "columns", dims, MAX_COLUMNS, errors) if "columns" in params else ([] if "rows" in params else default.columns)
    measures = _names(params, "measures", list(MEASURES), None, errors) if params.get("measures") else default.measures
    basis = params.get("basis") or default.basis
    if basis not in BASES:
        errors["basis"] = [_("Choose one of: %(allowed)s.") % {"allowed": ", ".join(BASES)}]
    if not rows and "rows" not in errors:
        errors["rows"] = [_("Choose at least one dimension for the rows.")]
    if len([d for d in [*rows, *columns] if d in PERIODS]) > 1:
        errors["columns"] = [_("Only one period dimension at a time.")]
    elif set(rows) & set(columns):
        errors["columns"] = [_("A dimension cannot be both a row and a column.")]
    given_dates = "date_from" in params or "date_to" in params
    date_from = _date(params, "date_from", errors) if given_dates else default.date_from
    date_to = _date(params, "date_to", errors) if given_dates else default.date_to
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = [_("The end date is before the start date.")]
    if date_from and date_to and (date_to - date_from) > timedelta(days=3700):
        errors["date_from"] = [_("At most ten years at a time.")]
    filters: dict[str, list[int]] = {}
    for name in DIMENSIONS:
        raw = params.get(name, "").strip()
        if not raw:
            continue
        try:
            ids = [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            errors[name] = [_("Give record ids separated by commas.")]
            continue
        if len(ids) > MAX_FILTER_IDS or any(i < 0 or i > 2**62 for i in ids):
            errors[name] = [_("At most %(limit)d ids, each a positive number.") % {"limit": MAX_FILTER_IDS}]
            continue
        filters[name] = ids
    if errors:
        raise Invalid(errors)
    return Question(rows=rows, columns=columns, measures=measures, basis=basis, date_from=date_from, date_to=date_to, filters=filters)


def parse_cell(params, question: Question) -> dict:
    """The cell to drill into: `cell_<dimension>=<value>` for dimensions of the question (a period as its first day)."""
    cell, errors = {}, {}
    for name in question.dimensions:
        raw = params.get(f"cell_{name}")
        if raw is None:
            continue
        try:
            cell[name] = date.fromisoformat(raw) if name in PERIODS else int(raw)
            if name not in PERIODS and not 0 <= cell[name] <= 2**62:  # as the filters' ids: a key the database can hold
                raise ValueError(raw)
        except ValueError:
            errors[f"cell_{name}"] = [_("Not a value of this dimension.")]
    if errors:
        raise Invalid(errors)
    return cell


_DOCUMENTS = {
    Source.ORDER: (SalesOrder, "sales:order-detail"),
    Source.DELIVERY: (Delivery, "fulfilment:delivery-detail"),
    Source.RETURN: (ReturnRequest, "fulfilment:return-detail"),
    Source.INVOICE: (Invoice, "billing:invoice-detail"),
    Source.PAYMENT: (Payment, "billing:payment-detail"),
}


def describe(company, rows: list[dict]) -> list[dict]:
    """The drill-down rows with each document's number, kind, customer and page address."""
    by_source: dict[str, set[int]] = {}
    for row in rows:
        by_source.setdefault(row["source"], set()).add(row["source_id"])
    numbers: dict[tuple[str, int], str] = {}
    for source, ids in by_source.items():
        model, _url = _DOCUMENTS[source]
        for pk, number in model.objects.filter(company=company, pk__in=ids).order_by().values_list("pk", "number"):
            numbers[source, pk] = number
    customers = dict(
        Customer.objects.filter(company=company, pk__in={row["customer_id"] for row in rows}).order_by().values_list("pk", "name")
    )
    labels = dict(Source.choices)
    return [
        {
            **row,
            "kind": str(labels[row["source"]]),
            "number": numbers.get((row["source"], row["source_id"]), ""),
            "customer": customers.get(row["customer_id"], ""),
            "url": reverse(_DOCUMENTS[row["source"]][1], args=[row["source_id"]]),
        }
        for row in rows
    ]
