"""Pieces every billing service shares: the company's settings, rates, numbers and the ledger's currency."""

from datetime import date
from decimal import Decimal

from django.db import connection

from salesdesk.billing import reads
from salesdesk.billing.errors import NoExchangeRateKnown
from salesdesk.billing.models import BillingSettings, Invoice
from salesdesk.catalog.models import Currency
from salesdesk.catalog.selectors import rate_on
from salesdesk.core.errors import Invalid
from salesdesk.core.locking import lock_keys
from salesdesk.core.money import MAX_AMOUNT, ZERO, round_money
from salesdesk.core.numbering import format_number, next_number
from salesdesk.sales.models import SalesOrder
from salesdesk.sales.services.common import document_currency  # noqa: F401  (one rule for every document)


def billing_settings(company) -> BillingSettings:
    found = reads.saved_settings(company.pk)
    return found or BillingSettings.objects.get_or_create(company=company)[0]


def invoice_policy(company, customer, settings: BillingSettings | None = None) -> str:
    """The customer's own invoicing policy, else the company's (its `settings`, when the caller has read them)."""
    return customer.invoice_policy or (settings or billing_settings(company)).invoice_policy


def rate_for(company, currency: Currency, on: date) -> Decimal:
    """Units of `currency` per unit of the company's currency on `on` (1 for the company's own)."""
    if currency.code == company.base_currency:
        return Decimal(1)
    rate = rate_on(company, currency.code, on)
    if not rate:
        raise NoExchangeRateKnown(currency=currency.code, date=on.isoformat())
    return rate


def to_base(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount in the company's currency at `rate`, rounded to cents (the ledger's one rounding place)."""
    return round_money(amount / rate, 2) if rate != 1 else round_money(amount, 2)


def base_part(*, before: Decimal, after: Decimal, rate: Decimal) -> Decimal:
    """The company-currency value of the part between two running totals.

    Converting running totals rather than each part makes the parts add up exactly to the
    converted whole, so a document settled in several steps leaves no cent behind."""
    return to_base(after, rate) - to_base(before, rate)


def freeze_taxes(invoice, lines) -> None:
    """Set each line's tax rate and whether its price includes the tax, as the invoice is taxed.

    An invoice takes its taxes' rates when it is written and posted. A credit note keeps the
    rate its lines were drafted with: the rate of the invoice line it credits, so a tax whose
    rate has changed since is not taken back at the new rate (too much or too little tax, and
    the invoice left with a balance no credit can clear)."""
    keep = invoice.kind == invoice.Kind.CREDIT_NOTE
    for line in lines:
        if keep and line.tax_rate is not None:
            continue
        line.tax_rate = line.tax.rate if line.tax else None
        line.tax_included = bool(line.tax and line.tax.included_in_price)


# What the PDF and the e-invoice print of the buyer (`billing.documents.buyer`, `einvoice.semantic`).
BILLED_FIELDS = ("name", "legal_name", "code", "tax_id", "billing_address", "email", "phone")


def billed_to(customer, company) -> dict[str, str]:
    """The buyer as billed today, to freeze on the invoice at posting (a blank country is the company's)."""
    return {name: str(getattr(customer, name) or "") for name in BILLED_FIELDS} | {"country": customer.country or company.country}


# What the PDF and the e-invoice print of the seller (`billing.documents.seller`, `einvoice.semantic`).
ISSUER_FIELDS = ("name", "legal_name", "tax_id", "street", "postal_code", "city", "country", "email", "phone", "iban")


def issued_by(company) -> dict[str, str]:
    """The company's legal details as it issues an invoice today, to freeze on it at posting."""
    return {name: str(getattr(company, name) or "") for name in ISSUER_FIELDS}


def take_number(company, series: str, on: date) -> tuple[int, str]:
    sequence = next_number(company=company, series=series, year=on.year)
    return sequence, format_number(series=series, year=on.year, sequence=sequence)


def positive_amount(value, field: str = "amount", places: int = 2) -> Decimal:
    """A money amount from input: a finite Decimal above zero with at most the currency's places."""
    if isinstance(value, (bool, float)) or value is None:
        raise Invalid({field: ["Give an amount."]})
    try:
        value = Decimal(str(value))
    except ArithmeticError as exc:
        raise Invalid({field: ["Not a number."]}) from exc
    if not value.is_finite():
        raise Invalid({field: ["Not a number."]})
    if value <= ZERO:
        raise Invalid({field: ["Must be greater than zero."]})
    if value >= MAX_AMOUNT:  # checked first: rounding a huge number overflows Decimal's precision
        raise Invalid({field: ["Too large."]})
    if value != round_money(value, places):
        raise Invalid({field: [f"At most {places} decimal places."]})
    return value


def lock_for_settling(invoice_ids) -> None:
    """Lock the invoices' orders, then the invoices (given as invoices or ids), each in key order, before settling them.

    One lock order for every action: an order before its invoices (posting, shipping and
    deposits take the order first), both before the number counters, the ledger and the
    customer's account. Settling moves the order too, so a payment, write-off or credit that
    locked the invoice first would wait for the order while an invoice posting of the same
    order, holding the order, waits for the journal counter the payment holds: a deadlock.
    SQLite has no row locks (one writer at a time): nothing to do there."""
    if not connection.features.has_select_for_update:
        return
    ids, orders, unread = set(), set(), []
    for item in invoice_ids:  # invoices already read tell their order (which never changes); ids are looked up
        if isinstance(item, Invoice):
            ids.add(item.pk)
            orders.add(item.sales_order_id)
        elif item:
            ids.add(item)
            unread.append(item)
    if unread:
        orders.update(Invoice.objects.filter(pk__in=unread).values_list("sales_order_id", flat=True))
    lock_keys(SalesOrder, [pk for pk in orders if pk])
    lock_keys(Invoice, ids)
