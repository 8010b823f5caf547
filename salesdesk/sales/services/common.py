"""Pieces shared by the quotation, order and contract services."""

from datetime import date

from django.utils import timezone

from salesdesk.catalog.models import Currency
from salesdesk.core import instances
from salesdesk.core import rows as stored
from salesdesk.core.errors import Invalid
from salesdesk.core.numbering import format_number, next_number
from salesdesk.core.prepared import Prepared
from salesdesk.sales import reads

_BASE_CURRENCY = Prepared(lambda company, code: Currency.objects.filter(company_id=company, code=code)[:1], int, str)
_CURRENCY = Prepared(lambda pk: Currency.objects.filter(pk=pk), int)


def document_currency(company, customer, currency: Currency | None) -> Currency:
    """The document's currency: as given, else the customer's, else the company's base currency."""
    if currency is not None:
        if currency.company_id != company.pk:
            raise Invalid({"currency": ["Unknown currency."]})
        return currency
    if customer.currency_id:
        field = type(customer)._meta.get_field("currency")
        if not field.is_cached(customer):
            # What `customer.currency` would load, with a statement composed once; kept on the customer as it would be.
            field.set_cached_value(customer, _CURRENCY.get(customer.currency_id))
        return customer.currency
    found = _BASE_CURRENCY.first(company.pk, company.base_currency)
    if found is None:
        raise Invalid({"currency": ["The company has no base currency set up."]})
    return found


def check_customer(company, membership, customer, *, read: bool = True):
    """The customer belongs to the company and to the user's record scope; returns it as stored
    now (with its currency), for the document being written.

    The customer's row is read again, unless `read` is False: the caller read it in this
    transaction (with the locked order it is on), and that row is judged as it is."""
    from salesdesk.customers.selectors import in_scope, visible_customer

    if customer is None or customer.company_id != company.pk:
        raise Invalid({"customer": ["Unknown customer."]})
    found = visible_customer(company, membership, customer.pk) if read else (customer if in_scope(membership, customer) else None)
    if found is None:
        raise Invalid({"customer": ["Unknown customer."]})
    return found


def take_number(*, company, series: str, on: date) -> tuple[int, str]:
    sequence = next_number(company=company, series=series, year=on.year)
    return sequence, format_number(series=series, year=on.year, sequence=sequence)


def today() -> date:
    return timezone.localdate()


def replace_lines(*, line_model, parent_field: str, parent, priced, company, new: bool = False) -> list:
    """Delete a draft's lines and write the new ones (drafts have no history to keep).

    `new`: the document was created in this transaction and has no lines to delete."""
    if not new:
        line_model.objects.filter(**{parent_field: parent}).delete()
    rows = [
        instances.new(line_model, company=company, sequence=i, **{parent_field: parent}, **line.model_values(), **line.extra)
        for i, line in enumerate(priced)
    ]
    stored.insert_many(rows)
    return rows


def freeze_totals(document, totals) -> None:
    document.untaxed_amount, document.tax_amount, document.total_amount = totals.untaxed, totals.tax, totals.total


def store_priced(document, priced, totals, *, line_model, parent_field: str, new: bool = False) -> None:
    """A draft's priced lines and its totals stored. `new`: the document is not stored yet; it
    goes in with its totals, then its lines (no second write of the document). Otherwise its
    lines are replaced and its totals updated."""
    freeze_totals(document, totals)
    if new:
        stored.insert(document)
    replace_lines(line_model=line_model, parent_field=parent_field, parent=document, priced=priced, company=document.company, new=new)
    if not new:
        stored.save_fields(document, ["untaxed_amount", "tax_amount", "total_amount"])


_COPIED_LINE_FIELDS = (
    "sequence",
    "product_id",
    "description",
    "quantity",
    "unit_price",
    "discount_percent",
    "tax_id",
    "amount",
    "list_price",
    "floor_price",
    "price_source",
    "price_explanation",
)


def copy_lines(*, source, line_model, parent_field: str, parent, note: str = "") -> None:
    """Copy a quotation's lines, prices and explanations unchanged onto another document
    (a quotation's revision, or the order converted from it)."""
    rows = []
    for line in reads.quotation_lines(source):
        values = {name: getattr(line, name) for name in _COPIED_LINE_FIELDS}
        if note:
            values["price_explanation"] = [*line.price_explanation, note]
        rows.append(instances.new(line_model, company_id=source.company_id, **{parent_field: parent}, **values))
    stored.insert_many(rows)


def reprice_inputs(document) -> list[dict]:
    """A draft's lines as entry input, so a changed date, currency or price list prices them
    again; prices typed by hand stay as typed."""
    return [
        {
            "product": line.product,
            "quantity": line.quantity,
            "discount_percent": line.discount_percent,
            "unit_price": line.unit_price if line.price_source == "manual" else None,
            "description": line.description,
            "tax": line.tax,
        }
        for line in document.lines.select_related("product", "tax")
    ]
