"""The EN 16931 content of a posted invoice: the business terms that both syntaxes (CII and UBL) carry.

The rules, in business words:
- Every amount is the invoice's frozen Decimal; nothing is recomputed except the tax per
  rate, which the invoice does not store. It is taken with the same rule as at posting
  (`sales.totals`), and the export is refused if that no longer gives the frozen totals
  (a tax rate edited after posting), rather than sending a breakdown that does not add up.
- Line amounts are untaxed. A price that included tax is carried net: the line's untaxed
  amount divided by its quantity, or, when that division is not exact to 4 places, the
  line's amount as the price of its whole quantity (price base quantity), so that
  quantity × price is always the line amount.
- VAT category: S (standard) for a rate above zero, Z (zero rated) for a 0 % tax, E
  (exempt, with a reason) for a line without tax.
- Paid amount (BT-113) is what payments and deposits settled on an invoice; the amount due
  for payment is the total less that. Credit notes and write-offs are documents of their
  own, so they do not reduce it: the buyer nets the credit note against the invoice. A
  credit note's own "paid" figure only records that use, so it exports as nothing paid and
  its whole total due back.
- VAT numbers carry their ISO 3166 country prefix (BR-CO-09); one is added when missing.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.billing.models import Invoice
from salesdesk.billing.services.common import to_base
from salesdesk.core.errors import DomainError
from salesdesk.core.money import HUNDRED, ZERO, display, quantum
from salesdesk.sales.totals import LineInput, document_totals

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017"
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
SEPA_CREDIT_TRANSFER = "58"
INSTRUMENT_NOT_DEFINED = "1"
DEFAULT_UNIT = "C62"  # "one": a count of items
# Units every company has (and a few common ones), as UN/ECE Recommendation 20 codes.
UNIT_CODES = {"pc": "C62", "kg": "KGM", "g": "GRM", "t": "TNE", "h": "HUR", "min": "MIN", "day": "DAY", "l": "LTR", "m": "MTR"}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_VAT_NOISE = re.compile(r"[\s.\-/]")


class TaxesChangedSincePosting(DomainError):
    code = "taxes_changed"
    default_message = gettext_lazy("A tax on this invoice was changed after posting: its tax breakdown can no longer be exported.")


@dataclass(frozen=True)
class Party:
    name: str  # registration (legal) name
    trading_name: str  # only when it differs from the legal name
    vat_id: str
    country: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    address_lines: tuple[str, ...] = ()  # free-text address, when there is no structured one
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Line:
    id: str
    name: str
    description: str
    seller_id: str
    quantity: Decimal
    unit_code: str
    net_price: Decimal  # untaxed, after discount, per `price_base` units
    price_base: Decimal | None  # None: per one unit
    gross_price: Decimal | None  # before the discount (untaxed), when a discount applies
    price_discount: Decimal
    category: str
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TaxSubtotal:
    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    exemption_reason: str = ""


@dataclass(frozen=True)
class EInvoice:
    number: str
    type_code: str
    is_credit_note: bool
    issue_date: date
    currency: str
    notes: tuple[str, ...]
    seller: Party
    buyer: Party
    buyer_order_reference: str
    sales_order_reference: str
    preceding_number: str
    preceding_date: date | None
    payment_means_code: str
    iban: str
    payment_terms: str
    due_date: date | None
    lines: tuple[Line, ...]
    taxes: tuple[TaxSubtotal, ...]
    line_total: Decimal
    tax_total: Decimal
    grand_total: Decimal
    prepaid: Decimal
    due_payable: Decimal
    tax_currency: str = ""  # the company's currency when the invoice is in another one
    tax_total_in_tax_currency: Decimal | None = None


def clean(text) -> str:
    """Text as XML 1.0 can carry it: control characters typed into a name are dropped."""
    return _NOT_XML.sub("", str(text or "")).strip()


def amount(value: Decimal) -> str:
    """A money amount with exactly 2 places (amounts are stored with 2)."""
    return str(value.quantize(quantum(2)))


def number(value: Decimal) -> str:
    """A quantity or price without exponent or trailing zeros (10.0000 → 10)."""
    return format(value.normalize(), "f") if value else "0"


def price(value: Decimal) -> str:
    """A unit price or rate: at least 2 places, more only when they carry digits (6.615)."""
    return display(value)


percent = price


def vat_identifier(tax_id: str, country: str) -> str:
    """The VAT number with its country prefix; Greece's prefix is EL."""
    value = _VAT_NOISE.sub("", clean(tax_id)).upper()
    if not value:
        return ""
    if len(value) > 2 and value[:2].isalpha() and value[:2].isascii():
        return value
    prefix = "EL" if country.upper() == "GR" else country.upper()
    return prefix + value


def _seller(company) -> Party:
    legal = clean(company.legal_name) or clean(company.name)
    country = (company.country or "").upper()
    return Party(
        name=legal,
        trading_name=clean(company.name) if clean(company.name) != legal else "",
        vat_id=vat_identifier(company.tax_id, country),
        country=country,
        street=clean(company.street),
        postal_code=clean(company.postal_code),
        city=clean(company.city),
        email=clean(company.email),
        phone=clean(company.phone),
    )


def _buyer(customer, company) -> Party:
    legal = clean(customer.legal_name) or clean(customer.name)
    country = (customer.country or company.country or "").upper()
    lines = tuple(line for line in (clean(part) for part in str(customer.billing_address or "").splitlines()) if line)
    return Party(
        name=legal,
        trading_name=clean(customer.name) if clean(customer.name) != legal else "",
        vat_id=vat_identifier(customer.tax_id, country),
        country=country,
        address_lines=lines,
        email=clean(customer.email),
        phone=clean(customer.phone),
    )


def _category(line) -> tuple[str, Decimal]:
    if line.tax_rate is None:
        return "E", ZERO
    return ("S" if line.tax_rate > 0 else "Z"), line.tax_rate


def _prices(line) -> tuple[Decimal, Decimal | None, Decimal | None, Decimal]:
    """(net price, price base quantity, gross price, discount per unit), all untaxed."""
    if line.tax_rate is not None and line.tax_included:
        per_unit = line.amount / line.quantity
        if per_unit == per_unit.quantize(quantum(4)):
            return per_unit, None, None, ZERO
        return line.amount, line.quantity, None, ZERO
    net = line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
    if line.discount_percent:
        return net, None, line.unit_price, line.unit_price - net
    return net, None, None, ZERO


def _tax_subtotals(invoice: Invoice, lines) -> tuple[TaxSubtotal, ...]:
    places = invoice.currency.decimal_places
    computed = document_totals(
        [
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                tax_included=line.tax_included,
            )
            for line in lines
        ],
        places=places,
    )
    frozen = (tuple(line.amount for line in lines), invoice.untaxed_amount, invoice.tax_amount)
    if (computed.line_amounts, computed.untaxed, computed.tax) != frozen:
        raise TaxesChangedSincePosting(invoice=invoice.number)
    tax_per_rate: dict[Decimal, Decimal] = {}
    for tax_line in computed.taxes:
        tax_per_rate[tax_line.rate] = tax_per_rate.get(tax_line.rate, ZERO) + tax_line.amount
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = _category(line)
        groups[key] = groups.get(key, ZERO) + line.amount
    return tuple(
        TaxSubtotal(
            category=category,
            rate=rate,
            base=base,
            amount=tax_per_rate.get(rate, ZERO) if category == "S" else ZERO,
            exemption_reason=_("Exempt from VAT") if category == "E" else "",
        )
        for (category, rate), base in sorted(groups.items(), key=lambda item: (item[0][0] != "S", -item[0][1], item[0][0]))
    )


def _payment_terms(invoice: Invoice) -> str:
    parts = [clean(invoice.payment_term.name)] if invoice.payment_term_id else []
    instalments = list(invoice.instalments.all())
    if len(instalments) > 1:
        parts += [
            _("%(amount)s %(currency)s due on %(date)s")
            % {"amount": amount(part.amount), "currency": invoice.currency.code, "date": part.due_date.isoformat()}
            for part in instalments
        ]
    return "; ".join(parts)


def build(invoice: Invoice) -> EInvoice:
    """The e-invoice content of a posted invoice or credit note (the caller checks the status)."""
    company, customer = invoice.issuer(), invoice.buyer()  # both parties as billed, frozen at posting
    lines = list(invoice.lines.select_related("product", "product__unit", "tax").order_by("sequence", "id"))
    built_lines = []
    for position, line in enumerate(lines, start=1):
        category, rate = _category(line)
        net, base, gross, discount = _prices(line)
        name = clean(line.product.name)
        description = clean(line.description)
        built_lines.append(
            Line(
                id=str(position),
                name=name or clean(line.product.sku),
                description=description if description != name else "",
                seller_id=clean(line.product.sku),
                quantity=line.quantity,
                unit_code=UNIT_CODES.get(getattr(line.product.unit, "code", ""), DEFAULT_UNIT),
                net_price=net,
                price_base=base,
                gross_price=gross,
                price_discount=discount,
                category=category,
                rate=rate,
                amount=line.amount,
            )
        )
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    original = invoice.original_invoice if credit_note else None
    foreign = invoice.currency.code != company.base_currency
    notes = tuple(text for text in (clean(invoice.reason) if credit_note else "", clean(invoice.notes)) if text)
    return EInvoice(
        number=invoice.number,
        type_code=CREDIT_NOTE_TYPE if credit_note else INVOICE_TYPE,
        is_credit_note=credit_note,
        issue_date=invoice.issue_date,
        currency=invoice.currency.code,
        notes=notes,
        seller=_seller(company),
        buyer=_buyer(customer, company),
        buyer_order_reference=clean(invoice.customer_reference),
        sales_order_reference=clean(invoice.sales_order.number) if invoice.sales_order_id else "",
        preceding_number=original.number if original else "",
        preceding_date=original.issue_date if original else None,
        # The seller's account is where an invoice is paid; a credit note is paid the other way.
        payment_means_code="" if credit_note else (SEPA_CREDIT_TRANSFER if company.iban else INSTRUMENT_NOT_DEFINED),
        iban="" if credit_note else _VAT_NOISE.sub("", clean(company.iban)).upper(),
        payment_terms="" if credit_note else _payment_terms(invoice),
        due_date=None if credit_note else invoice.due_date,
        lines=tuple(built_lines),
        taxes=_tax_subtotals(invoice, lines),
        line_total=invoice.untaxed_amount,
        tax_total=invoice.tax_amount,
        grand_total=invoice.total_amount,
        prepaid=ZERO if credit_note else invoice.amount_paid,
        due_payable=invoice.total_amount if credit_note else invoice.total_amount - invoice.amount_paid,
        tax_currency=company.base_currency if foreign else "",
        tax_total_in_tax_currency=to_base(invoice.tax_amount, invoice.rate) if foreign else None,
    )
