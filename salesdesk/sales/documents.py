"""Printed sales documents: quotation, order confirmation and contract PDFs, and emailing them.

The PDFs are rendered by WeasyPrint from the HTML templates under `templates/sales/pdf/`,
in the language active when `render_pdf` is called (the templates use `{% translate %}`).
A company brands its documents by overriding a template in `sales/pdf/<company code>/`
(lower case), for instance `sales/pdf/acme/base.html`; the brand colour and the address
block come from the company when it has them.

Amounts stay `Decimal` all the way to the template, which localizes them with `l10n`.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import select_template
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salesdesk.core.money import ZERO, quantum
from salesdesk.sales.models import Contract, Quotation, SalesOrder
from salesdesk.sales.totals import LineInput, document_totals

DEFAULT_BRAND_COLOR = "#1f4e79"
_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# Relative URLs in company templates (a logo, say) resolve against the static files.
_STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PDF_MIME_TYPE = "application/pdf"


@dataclass(frozen=True)
class _Kind:
    template: str
    prefix: str  # file name when the document has no number yet


_KINDS = {
    Quotation: _Kind("quotation.html", "quotation"),
    SalesOrder: _Kind("order.html", "order"),
    Contract: _Kind("contract.html", "contract"),
}


def _kind(document) -> _Kind:
    for model, kind in _KINDS.items():
        if isinstance(document, model):
            return kind
    raise TypeError(f"no PDF layout for {type(document).__name__}")


# ---------------------------------------------------------------------------- numbers


def trim(value: Decimal | None, places: int = 0) -> Decimal | None:
    """`value` with at least `places` decimals and no trailing zeros beyond them (10.0000 → 10, 2.5000 → 2.5)."""
    if value is None:
        return None
    exponent = value.normalize().as_tuple().exponent
    significant = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return value.quantize(quantum(max(significant, places)))


def _currency_places(currency) -> int:
    return currency.decimal_places if currency is not None else 2


# ---------------------------------------------------------------------------- branding


def _brand(company) -> dict:
    color = str(getattr(company, "brand_color", "") or "")
    # The company's legal address, on one line: street, postal code and city.
    place = " ".join(part for part in (company.postal_code, company.city) if part)
    address = ", ".join(part for part in (company.street, place) if part)
    return {
        "company": company,
        "brand_color": color if _HEX_COLOR.match(color) else DEFAULT_BRAND_COLOR,
        "company_address": address,
        "company_tax_id": str(getattr(company, "tax_id", "") or ""),
    }


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_counter_css() -> str:
    """The CSS `content` for "Page X of Y" in the active language, built from one translatable string."""
    text = _("Page %(page)s of %(pages)s")
    parts = []
    for piece in re.split(r"(%\(page\)s|%\(pages\)s)", text):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts) or "counter(page)"


def _template(company, name: str):
    code = _UNSAFE_FILENAME.sub("-", (company.code or "").lower()).strip("-.")
    candidates = [f"sales/pdf/{code}/{name}"] if code else []
    return select_template([*candidates, f"sales/pdf/{name}"])


# ---------------------------------------------------------------------------- contexts


def _line_tax(line) -> tuple[Decimal | None, bool]:
    """The line's tax rate and whether its price includes it: as frozen on a posted invoice or
    credit note line (a rate edited later never changes what was charged), else the tax's own."""
    frozen = getattr(line, "tax_rate", None)
    if frozen is not None:
        return frozen, bool(line.tax_included)
    if line.tax is None:
        return None, False
    return line.tax.rate, bool(line.tax.included_in_price)


def _tax_label(rate) -> str:
    return "" if rate is None else f"{trim(rate)}%"


def _line_rows(lines, places: int) -> list[dict]:
    rows = []
    for line in lines:
        product = line.product
        rows.append(
            {
                "sku": product.sku,
                "name": product.name,
                "description": line.description if line.description and line.description != product.name else "",
                "quantity": trim(line.quantity),
                "unit": getattr(product.unit, "code", ""),
                "unit_price": trim(line.unit_price, places),
                "discount": trim(line.discount_percent) if line.discount_percent else None,
                "tax": _tax_label(_line_tax(line)[0]),
                "tax_included": _line_tax(line)[1],
                "amount": line.amount,
            }
        )
    return rows


def _totals(document, lines, places: int) -> dict:
    """The document's frozen totals, with the tax split per rate when the lines still add up to it."""
    computed = document_totals(
        [
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=_line_tax(line)[0],
                tax_included=_line_tax(line)[1],
            )
            for line in lines
        ],
        places=places,
    )
    frozen = (document.untaxed_amount, document.tax_amount, document.total_amount)
    if lines and frozen == (ZERO, ZERO, ZERO):
        frozen = (computed.untaxed, computed.tax, computed.total)  # never priced: show what the lines say
    untaxed, tax, total = frozen
    taxes = [{"rate": trim(t.rate), "included": t.included, "base": t.base, "amount": t.amount} for t in computed.taxes]
    if sum((t["amount"] for t in taxes), ZERO) != tax:
        taxes = []  # rates changed since the totals were frozen: show the tax as one figure
    return {"untaxed": untaxed, "tax": tax, "total": total, "taxes": taxes}


def _watermark(document) -> str:
    status = document.status
    if status == "draft":
        return _("DRAFT")
    if status == "cancelled":
        return _("CANCELLED")
    return ""


def _sales_context(document) -> dict:
    lines = list(document.lines.select_related("product", "product__unit", "tax").order_by("sequence", "id"))
    places = _currency_places(document.currency)
    return {
        "document": document,
        "customer": document.customer,
        "currency": document.currency.code,
        "salesperson": str(document.salesperson) if document.salesperson_id else "",
        "lines": _line_rows(lines, places),
        "totals": _totals(document, lines, places),
        "show_discount": any(line.discount_percent for line in lines),
    }


def _contract_context(contract: Contract) -> dict:
    places = _currency_places(contract.currency)
    items = []
    for item in contract.items.select_related("product", "product__unit").order_by("id"):
        items.append(
            {
                "sku": item.product.sku,
                "name": item.product.name,
                "unit": getattr(item.product.unit, "code", ""),
                "price": trim(item.price, places),
                "quantity": trim(item.quantity),
                "consumed": trim(item.consumed_quantity),
                "remaining": trim(item.remaining_quantity),
                "over": trim(item.consumed_quantity - item.quantity) if item.consumed_quantity > item.quantity else None,
            }
        )
    return {"document": contract, "customer": contract.customer, "currency": contract.currency.code, "items": items}


def document_context(document) -> dict:
    """Everything the PDF templates read; public so that an HTML preview can reuse it."""
    if isinstance(document, Contract):
        context = _contract_context(document)
    else:
        context = _sales_context(document)
    context.update(_brand(document.company))
    context.update(
        {
            "watermark": _watermark(document),
            "page_counter": page_counter_css(),
            "language_code": get_language() or settings.LANGUAGE_CODE,
            "is_amended": isinstance(document, SalesOrder) and document.revision > 0,
        }
    )
    return context


# ---------------------------------------------------------------------------- public API


def render_html(document) -> str:
    kind = _kind(document)
    template = _template(document.company, kind.template)
    return template.render(document_context(document))


def render_pdf(document) -> bytes:
    """The PDF of a quotation, sales order or contract, in the active language."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(document)
    # Templates may refer to local files (a logo) but never make the renderer reach the network.
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    return HTML(string=html, base_url=_STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()


def pdf_filename(document) -> str:
    """`QUO-2026-00001.pdf`; a later quotation revision or an amended order adds `-rev<n>`."""
    kind = _kind(document)
    name = _UNSAFE_FILENAME.sub("-", document.number or "").strip("-.")
    if not name:
        name = f"{kind.prefix}-{document.pk}"
    revision = getattr(document, "revision", 0) or 0
    if (isinstance(document, Quotation) and revision > 1) or (isinstance(document, SalesOrder) and revision > 0):
        name += f"-rev{revision}"
    return f"{name}.pdf"


def send_quotation_email(quotation: Quotation, *, to: str, sender) -> None:
    """Email the quotation's PDF to `to`, from the configured address with replies going to `sender`."""
    company = quotation.company
    number = str(quotation)
    subject = _("Quotation %(number)s from %(company)s") % {"number": number, "company": company.name}
    sender_name = str(sender) if sender is not None else company.name
    lines = list(quotation.lines.select_related("tax"))
    total = _totals(quotation, lines, _currency_places(quotation.currency))["total"]
    values = {
        "customer": quotation.customer.name,
        "number": number,
        "valid_until": formats.date_format(quotation.valid_until, "DATE_FORMAT"),
        "total": formats.localize(total),
        "currency": quotation.currency.code,
        "sender": sender_name,
        "company": company.name,
    }
    body = "\n\n".join(
        [
            _("Dear %(customer)s,") % values,
            _("Please find attached our quotation %(number)s, valid until %(valid_until)s, for a total of %(total)s %(currency)s.")
            % values,
            _("Do not hesitate to contact us with any question."),
            _("Kind regards,\n%(sender)s\n%(company)s") % values,
        ]
    )
    reply_to = [sender.email] if getattr(sender, "email", "") else []
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], reply_to=reply_to)
    message.attach(pdf_filename(quotation), render_pdf(quotation), PDF_MIME_TYPE)
    message.send()
