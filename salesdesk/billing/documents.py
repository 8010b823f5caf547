"""Billing documents on paper: invoice and credit note, customer statement and dunning letter PDFs, and their emails.

They share the sales documents' page (`sales/pdf/base.html`, or the company's branded
override of it): the same header, footer, page counter, fonts (CJK included) and brand
colour, through `templates/billing/pdf/base.html`. A company overrides a billing layout in
`billing/pdf/<company code>/` (lower case), like the sales ones.

Everything renders in the language active when called (the user's, set by the middleware),
and amounts stay `Decimal` up to the template, which localizes them.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import select_template
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salesdesk.billing.models import DunningLetter, Invoice
from salesdesk.core.money import ZERO
from salesdesk.sales.documents import (
    _STATIC_DIR,
    _UNSAFE_FILENAME,
    PDF_MIME_TYPE,
    _brand,
    _currency_places,
    _line_rows,
    _template,
    _totals,
    _watermark,
    page_counter_css,
)

Status = Invoice.Status


# ---------------------------------------------------------------------------- parties


def _iban(value: str) -> str:
    """An IBAN as printed: groups of four (ES91 2100 0418 ...), so people can copy it without mistakes."""
    compact = "".join((value or "").split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def seller(company) -> dict:
    """The company's legal block: who issues the document and where to pay."""
    return {
        "name": company.legal_name or company.name,
        "street": company.street,
        "city_line": " ".join(part for part in (company.postal_code, company.city) if part),
        "country": company.country,
        "tax_id": company.tax_id,
        "email": company.email,
        "phone": company.phone,
        "iban": _iban(company.iban),
    }


def _seller_address(company, party: dict) -> str:
    """The lines under the company name in the page header: legal name when it differs, address, contact."""
    lines = [party["name"] if party["name"] != company.name else ""]
    lines += [party["street"], party["city_line"], party["country"]]
    lines.append(" · ".join(part for part in (party["email"], party["phone"]) if part))
    return "\n".join(line for line in lines if line)


def buyer(customer, company) -> dict:
    """The customer as billed: the country (blank means the company's own) closes the address."""
    country = customer.country or company.country
    address = "\n".join(part for part in ((customer.billing_address or "").strip(), country) if part)
    return {
        "name": customer.name,
        "legal_name": customer.legal_name,
        "code": customer.code,
        "tax_id": customer.tax_id,
        "billing_address": address,
        "country": country,
    }


# ---------------------------------------------------------------------------- rendering


def _billing_template(company, name: str):
    code = _UNSAFE_FILENAME.sub("-", (company.code or "").lower()).strip("-.")
    candidates = [f"billing/pdf/{code}/{name}"] if code else []
    return select_template([*candidates, f"billing/pdf/{name}"])


def _page_context(company, customer) -> dict:
    """What every billing page needs: the branded sales base, the seller, the buyer, the page counter."""
    party = seller(company)
    context = _brand(company)
    context.update(
        {
            "base_template": _template(company, "base.html"),
            "seller": party,
            "company_address": _seller_address(company, party),
            "company_tax_id": party["tax_id"],
            "customer": buyer(customer, company),
            "page_counter": page_counter_css(),
            "language_code": get_language() or settings.LANGUAGE_CODE,
            "watermark": "",
        }
    )
    return context


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Templates may refer to local files (a logo) but never make the renderer reach the network.
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    return HTML(string=html, base_url=_STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()


def _safe_name(text: str) -> str:
    return _UNSAFE_FILENAME.sub("-", text or "").strip("-.")


def _send(*, subject: str, body: str, to: str, sender, filename: str, pdf: bytes) -> None:
    """Through Django's email backend, from the configured address; replies go to the user who sent it."""
    reply_to = [sender.email] if getattr(sender, "email", "") else []
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], reply_to=reply_to)
    message.attach(filename, pdf, PDF_MIME_TYPE)
    message.send()


def _sender_name(sender, company) -> str:
    return str(sender) if sender is not None else company.name


# ---------------------------------------------------------------------------- invoices and credit notes


def _settlement(invoice: Invoice, total) -> dict:
    """Paid, credited, written off and what is still due; a draft owes its whole total once posted."""
    issued = invoice.status in (Status.POSTED, Status.PAID)
    due = invoice.amount_due if issued else (ZERO if invoice.status == Status.CANCELLED else total)
    return {
        "issued": issued,
        "paid": invoice.amount_paid,
        "credited": invoice.amount_credited,
        "written_off": invoice.amount_written_off,
        "due": due,
        # Payment instructions only where money is still asked for: a posted invoice not yet settled.
        "ask_payment": issued and not invoice.is_credit_note and due > 0,
    }


def invoice_context(invoice: Invoice) -> dict:
    """Everything the invoice template reads; public so that an HTML preview can reuse it."""
    company = invoice.issuer()  # as it issued the invoice
    lines = list(invoice.lines.select_related("product", "product__unit", "tax").order_by("sequence", "id"))
    places = _currency_places(invoice.currency)
    totals = _totals(invoice, lines, places)
    instalments = list(invoice.instalments.order_by("sequence"))
    context = _page_context(company, invoice.buyer())
    context.update(
        {
            "document": invoice,
            "invoice": invoice,
            "is_credit_note": invoice.is_credit_note,
            "currency": invoice.currency.code,
            "salesperson": str(invoice.salesperson) if invoice.salesperson_id else "",
            "order_number": invoice.sales_order.number if invoice.sales_order_id else "",
            "original": invoice.original_invoice if invoice.original_invoice_id else None,
            "lines": _line_rows(lines, places),
            "totals": totals,
            "show_discount": any(line.discount_percent for line in lines),
            # One instalment is just the due date; a table only helps when the total is split.
            "instalments": instalments if len(instalments) > 1 else [],
            "settlement": _settlement(invoice, totals["total"]),
            "watermark": _watermark(invoice),
        }
    )
    return context


def render_html(invoice: Invoice) -> str:
    return _billing_template(invoice.company, "invoice.html").render(invoice_context(invoice))


def render_pdf(invoice: Invoice) -> bytes:
    """The PDF of an invoice or credit note, in the active language."""
    return _write_pdf(render_html(invoice))


def pdf_filename(invoice: Invoice) -> str:
    """`INV-2026-00001.pdf`; before posting there is no number: `invoice-draft-12.pdf`."""
    name = _safe_name(invoice.number)
    if name:
        return f"{name}.pdf"
    prefix = "credit-note" if invoice.is_credit_note else "invoice"
    state = "draft" if invoice.status == Status.DRAFT else invoice.status
    return f"{prefix}-{state}-{invoice.pk}.pdf"


def send_invoice_email(invoice: Invoice, *, to: str, sender) -> None:
    """Email the invoice's (or credit note's) PDF to `to`, replies going to `sender`."""
    company = invoice.company
    values = {
        "customer": invoice.customer.name,
        "number": str(invoice),
        "company": company.name,
        "date": formats.date_format(invoice.issue_date, "DATE_FORMAT"),
        "total": formats.localize(invoice.total_amount),
        "due": formats.localize(invoice.amount_due),
        "currency": invoice.currency.code,
        "sender": _sender_name(sender, company),
    }
    if invoice.is_credit_note:
        subject = _("Credit note %(number)s from %(company)s") % values
        values["invoice"] = str(invoice.original_invoice) if invoice.original_invoice_id else ""
        text = _("Please find attached our credit note %(number)s of %(date)s for a total of %(total)s %(currency)s.") % values
        if values["invoice"]:
            text += " " + _("It credits our invoice %(invoice)s.") % values
    else:
        subject = _("Invoice %(number)s from %(company)s") % values
        text = _("Please find attached our invoice %(number)s of %(date)s for a total of %(total)s %(currency)s.") % values
        if invoice.amount_due > 0 and invoice.due_date:
            values["due_date"] = formats.date_format(invoice.due_date, "DATE_FORMAT")
            text += " " + _("The amount due of %(due)s %(currency)s is payable by %(due_date)s.") % values
    body = "\n\n".join(
        [
            _("Dear %(customer)s,") % values,
            text,
            _("Do not hesitate to contact us with any question."),
            _("Kind regards,\n%(sender)s\n%(company)s") % values,
        ]
    )
    _send(subject=subject, body=body, to=to, sender=sender, filename=pdf_filename(invoice), pdf=render_pdf(invoice))


# ---------------------------------------------------------------------------- statements


def statement_context(statement, company) -> dict:
    """A `customer_statement` result as the statement template reads it (amounts in the company's currency)."""
    context = _page_context(company, statement.customer)
    context.update(
        {
            "statement": statement,
            "currency": company.base_currency,
            "today": timezone.localdate(),
            "total_debit": sum((line["debit"] for line in statement.lines), ZERO),
            "total_credit": sum((line["credit"] for line in statement.lines), ZERO),
            "closing_owed": statement.closing_balance > 0,
            "closing_in_favour": -statement.closing_balance if statement.closing_balance < 0 else ZERO,
        }
    )
    return context


def render_statement_html(statement, company) -> str:
    return _billing_template(company, "statement.html").render(statement_context(statement, company))


def render_statement_pdf(statement, company) -> bytes:
    return _write_pdf(render_statement_html(statement, company))


def statement_filename(statement) -> str:
    """`statement-C001-2026-01-01-2026-03-31.pdf`."""
    code = _safe_name(statement.customer.code) or str(statement.customer.pk)
    return f"statement-{code}-{statement.date_from.isoformat()}-{statement.date_to.isoformat()}.pdf"


# ---------------------------------------------------------------------------- dunning letters


def dunning_title(level: int) -> str:
    """What the letter is called at each level: the wording gets firmer as the level rises."""
    if level >= 3:
        return _("Final notice")
    if level == 2:
        return _("Second reminder")
    return _("Payment reminder")


def dunning_context(letter: DunningLetter) -> dict:
    company = letter.company
    rows = list(letter.lines.select_related("invoice").order_by("due_date", "id"))
    context = _page_context(company, letter.customer)
    context.update(
        {
            "letter": letter,
            "title": dunning_title(letter.level),
            "currency": letter.currency.code,
            "rows": rows,
            "payment_reference": ", ".join(row.invoice.number for row in rows) or letter.number,
        }
    )
    return context


def render_dunning_html(letter: DunningLetter) -> str:
    return _billing_template(letter.company, "dunning.html").render(dunning_context(letter))


def render_dunning_pdf(letter: DunningLetter) -> bytes:
    return _write_pdf(render_dunning_html(letter))


def dunning_filename(letter: DunningLetter) -> str:
    return f"{_safe_name(letter.number) or f'dunning-{letter.pk}'}.pdf"


def send_dunning_letter(letter: DunningLetter, *, to: str, sender) -> None:
    """Email the letter's PDF; the message says as much as the letter, at the same level of firmness."""
    company = letter.company
    values = {
        "customer": letter.customer.name,
        "number": letter.number,
        "company": company.name,
        "total": formats.localize(letter.total_overdue),
        "currency": letter.currency.code,
        "sender": _sender_name(sender, company),
    }
    subject = _("%(title)s %(number)s from %(company)s") % {**values, "title": dunning_title(letter.level)}
    if letter.level >= 3:
        text = _(
            "Despite our reminders, invoices totalling %(total)s %(currency)s are still unpaid. This is our final notice: "
            "unless payment reaches us promptly, we will take further action to recover the debt."
        )
    elif letter.level == 2:
        text = _(
            "We have not yet received payment of %(total)s %(currency)s for the overdue invoices listed in the attached "
            "letter, despite our earlier reminder. Please pay without further delay."
        )
    else:
        text = _(
            "According to our records, invoices totalling %(total)s %(currency)s are past their due date. "
            "Perhaps this has escaped your attention; please arrange payment at your earliest convenience."
        )
    body = "\n\n".join(
        [
            _("Dear %(customer)s,") % values,
            text % values,
            _("The attached letter %(number)s lists the invoices concerned.") % values,
            _("If you have already paid, please disregard this message."),
            _("Kind regards,\n%(sender)s\n%(company)s") % values,
        ]
    )
    _send(subject=subject, body=body, to=to, sender=sender, filename=dunning_filename(letter), pdf=render_dunning_pdf(letter))
