"""E-invoices (F-63): a posted invoice or credit note as EN 16931 documents.

- `cii`: UN/CEFACT Cross Industry Invoice XML (the Factur-X / ZUGFeRD EN 16931 profile),
- `ubl`: OASIS UBL 2.1 Invoice or CreditNote XML,
- `facturx`: the invoice PDF as a PDF/A-3 with the CII XML embedded.

Only a posted (or paid) document is a legal invoice with a number, so only those are
exported; drafts and cancelled invoices are refused.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from salesdesk.billing.einvoice.cii import cii_xml
from salesdesk.billing.einvoice.facturx import facturx_pdf
from salesdesk.billing.einvoice.semantic import TaxesChangedSincePosting
from salesdesk.billing.einvoice.ubl import ubl_xml
from salesdesk.billing.models import Invoice
from salesdesk.core.errors import Invalid, InvalidTransition

XML_MIME_TYPE = "application/xml"
PDF_MIME_TYPE = "application/pdf"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class _Format:
    render: Callable[[Invoice], bytes]
    content_type: str
    suffix: str


_FORMATS = {
    "cii": _Format(cii_xml, XML_MIME_TYPE, "cii.xml"),
    "ubl": _Format(ubl_xml, XML_MIME_TYPE, "ubl.xml"),
    "facturx": _Format(facturx_pdf, PDF_MIME_TYPE, "facturx.pdf"),
}
FORMATS = tuple(_FORMATS)


def export(invoice: Invoice, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a posted invoice in `fmt` (cii, ubl or facturx)."""
    chosen = _FORMATS.get(fmt) if isinstance(fmt, str) else None
    if chosen is None:
        raise Invalid({"format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)}]})
    if invoice.status not in (Invoice.Status.POSTED, Invoice.Status.PAID):
        raise InvalidTransition(
            _("Only a posted invoice can be exported as an e-invoice."),
            from_status=invoice.status,
            to_status="exported",
            allowed=[],
        )
    name = _UNSAFE_FILENAME.sub("-", invoice.number).strip("-.") or f"invoice-{invoice.pk}"
    return chosen.render(invoice), chosen.content_type, f"{name}-{chosen.suffix}"


__all__ = ["FORMATS", "TaxesChangedSincePosting", "cii_xml", "export", "facturx_pdf", "ubl_xml"]
