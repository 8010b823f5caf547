"""Factur-X / ZUGFeRD: the invoice PDF as a PDF/A-3 with its CII XML embedded as `factur-x.xml`.

The `factur-x` library attaches the XML (relationship "Data"), writes the PDF/A-3 and
Factur-X XMP metadata and checks the XML against the EN 16931 schema first. PDF/A also
asks for a file identifier and an output intent (the colour space the page colours mean);
the invoice PDF is rendered in sRGB, so the sRGB profile that ships with WeasyPrint is
declared when the PDF does not carry one already.
"""

from importlib import resources
from io import BytesIO

import facturx
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from salesdesk.billing.documents import render_pdf
from salesdesk.billing.einvoice import semantic
from salesdesk.billing.einvoice.cii import cii_xml

LEVEL = "en16931"
SRGB = "sRGB IEC61966-2.1"
PDF_HEADER = "%PDF-1.7"  # PDF/A-3 is based on PDF 1.7 (ISO 32000-1)


def _srgb_profile() -> bytes:
    return resources.files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()


def pdfa_ready(pdf: bytes) -> bytes:
    """The PDF with what PDF/A asks of the file itself, before the Factur-X step adds the rest.

    A file identifier and an sRGB output intent when missing; no producer in the document
    information, because the Factur-X metadata names its own and PDF/A wants the two to agree."""
    reader = PdfReader(BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = PDF_HEADER
    if "/ID" not in reader.trailer:
        writer.generate_file_identifiers()
    if "/OutputIntents" not in writer.root_object:
        profile = DecodedStreamObject()
        profile.set_data(_srgb_profile())
        profile[NameObject("/N")] = NumberObject(3)
        intent = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/OutputIntent"),
                NameObject("/S"): NameObject("/GTS_PDFA1"),
                NameObject("/OutputConditionIdentifier"): TextStringObject(SRGB),
                NameObject("/Info"): TextStringObject(SRGB),
                NameObject("/DestOutputProfile"): writer._add_object(profile.flate_encode()),
            }
        )
        writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    writer.metadata = {key: value for key, value in (writer.metadata or {}).items() if key != "/Producer"}
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _metadata(invoice) -> dict[str, str]:
    seller = semantic.clean(invoice.company.legal_name) or semantic.clean(invoice.company.name)
    kind = _("Credit note") if invoice.is_credit_note else _("Invoice")
    values = {"seller": seller, "kind": kind, "number": invoice.number, "date": invoice.issue_date.isoformat()}
    return {
        "author": seller,
        "keywords": "Factur-X, " + kind,
        "title": _("%(seller)s: %(kind)s %(number)s") % values,
        "subject": _("Factur-X %(kind)s %(number)s dated %(date)s issued by %(seller)s") % values,
    }


def facturx_pdf(invoice) -> bytes:
    """The Factur-X (EN 16931 profile) PDF of a posted invoice or credit note, in the active language."""
    xml = cii_xml(invoice)
    pdf = pdfa_ready(render_pdf(invoice))
    return facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=True,
        pdf_metadata=_metadata(invoice),
        lang=get_language() or settings.LANGUAGE_CODE,
    )
