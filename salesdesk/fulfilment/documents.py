"""The delivery note: the paper that travels with the goods, signed by whoever receives them.

It lists what left the warehouse (products, quantities, units) and never a price or a
cost: the carrier, the receiving clerk and anyone who opens the box read it. It shares the
sales documents' page (`sales/pdf/base.html`, or the company's branded override of it): the
same header, footer, page counter, fonts (CJK included) and brand colour. A company
overrides the layout in `fulfilment/pdf/<company code>/delivery_note.html` (lower case).

Everything renders in the language active when called (the user's, set by the middleware).
"""

from django.conf import settings
from django.template.loader import select_template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salesdesk.fulfilment.models import Delivery
from salesdesk.sales.documents import _STATIC_DIR, _UNSAFE_FILENAME, _brand, _template, page_counter_css, trim

Status = Delivery.Status


def _note_template(company, name: str):
    code = _UNSAFE_FILENAME.sub("-", (company.code or "").lower()).strip("-.")
    candidates = [f"fulfilment/pdf/{code}/{name}"] if code else []
    return select_template([*candidates, f"fulfilment/pdf/{name}"])


def _watermark(delivery: Delivery) -> str:
    """Goods not yet on their way, or that never arrived, say so across the page."""
    if delivery.status == Status.DRAFT:
        return _("DRAFT")
    if delivery.status == Status.CANCELLED:
        return _("CANCELLED")
    if delivery.status == Status.REFUSED:
        return _("REFUSED")
    return ""


def _consignee(delivery: Delivery) -> dict:
    """The customer as the page's customer box prints it: the name and where the goods go.

    The shared base prints the address it finds under `billing_address`; on a delivery note
    that is the shipping address the delivery carries (blank: the customer's billing address)."""
    customer = delivery.customer
    address = (delivery.shipping_address or "").strip() or (customer.billing_address or "").strip()
    return {
        "name": customer.name,
        "legal_name": customer.legal_name,
        "tax_id": "",
        "billing_address": address,
        "code": customer.code,
    }


def _rows(delivery: Delivery) -> list[dict]:
    rows = []
    for line in delivery.lines.select_related("product", "product__unit").order_by("sequence", "id"):
        product = line.product
        rows.append(
            {
                "sku": product.sku,
                "name": product.name,
                "description": line.description if line.description and line.description != product.name else "",
                "quantity": trim(line.quantity),
                "unit": getattr(product.unit, "code", ""),
            }
        )
    return rows


def delivery_note_context(delivery: Delivery) -> dict:
    """Everything the delivery note template reads; public so that an HTML preview can reuse it."""
    company = delivery.company
    order = delivery.sales_order if delivery.sales_order_id else None
    context = _brand(company)
    context.update(
        {
            "base_template": _template(company, "base.html"),
            "page_counter": page_counter_css(),
            "language_code": get_language() or settings.LANGUAGE_CODE,
            "watermark": _watermark(delivery),
            "delivery": delivery,
            "document": delivery,
            "customer": _consignee(delivery),
            "order_number": order.number if order else "",
            "customer_reference": order.customer_reference if order else "",
            "replaces": delivery.return_request.number if delivery.return_request_id else "",
            "warehouse": delivery.warehouse,
            "shipped_on": timezone.localtime(delivery.shipped_at).date() if delivery.shipped_at else None,
            "lines": _rows(delivery),
        }
    )
    return context


def render_html(delivery: Delivery) -> str:
    return _note_template(delivery.company, "delivery_note.html").render(delivery_note_context(delivery))


def delivery_note_pdf(delivery: Delivery) -> bytes:
    """The delivery note of a delivery as a PDF, in the active language."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Templates may refer to local files (a logo) but never make the renderer reach the network.
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    return HTML(string=render_html(delivery), base_url=_STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()


def delivery_note_filename(delivery: Delivery) -> str:
    """`DL-2026-00001.pdf`."""
    name = _UNSAFE_FILENAME.sub("-", delivery.number or "").strip("-.")
    return f"{name or f'delivery-{delivery.pk}'}.pdf"
