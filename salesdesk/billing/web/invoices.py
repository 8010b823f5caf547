"""Invoice pages beyond list and detail: the manual invoice form with live totals, the actions
(post, cancel, send, write off, apply a credit note), credit notes, the PDF and e-invoices."""

import importlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.billing import selectors, services
from salesdesk.billing.models import Invoice
from salesdesk.billing.web import details
from salesdesk.billing.web import forms as billing_forms
from salesdesk.billing.web.actions import ActionView, describe
from salesdesk.billing.web.resources import invoice_number, invoices
from salesdesk.catalog.models import Currency
from salesdesk.core.errors import DomainError
from salesdesk.core.money import currency_places
from salesdesk.core.web.access import CompanyRequiredMixin, require
from salesdesk.core.web.display import money_text
from salesdesk.core.web.forms import apply_error
from salesdesk.customers.selectors import customers_visible
from salesdesk.sales.totals import LineInput, document_totals
from salesdesk.sales.web.display import tax_rows
from salesdesk.sales.web.lines import apply_line_errors, read_lines

EINVOICE_FORMATS = ("cii", "ubl", "facturx")


def _invoice(request, pk) -> Invoice:
    return get_object_or_404(selectors.invoices_visible(request.company, request.membership), pk=pk)


def _detail(invoice) -> str:
    return reverse("billing:invoice-detail", args=[invoice.pk])


def _label(invoice) -> str:
    return invoice_number(invoice)


class InvoiceFormView(CompanyRequiredMixin, View):
    """A new manual invoice (header and lines), or a draft's header (and lines when it is manual)."""

    def required_permission(self, request):
        return "billing.change_invoice" if "pk" in self.kwargs else "billing.add_invoice"

    def current(self):
        if "pk" not in self.kwargs:
            return None
        invoice = _invoice(self.request, self.kwargs["pk"])
        if invoice.status != Invoice.Status.DRAFT:
            raise Http404  # posted invoices are corrected with credit notes
        return invoice

    def build(self, invoice, data=None):
        request = self.request
        form = billing_forms.InvoiceForm(data, company=request.company, request=request, invoice=invoice)
        formset = None
        if invoice is None or (not invoice.sales_order_id and invoice.kind == Invoice.Kind.INVOICE):
            initial = billing_forms.invoice_line_initial(invoice) if invoice is not None and data is None else None
            formset = billing_forms.InvoiceLineFormSet(data, prefix="lines", initial=initial, company=request.company)
        return form, formset

    def render_form(self, form, formset, invoice, status=200):
        context = {
            "resource": invoices,
            "list_url": invoices.url("list"),
            "form": form,
            "formset": formset,
            "object": invoice,
            "object_label": _label(invoice) if invoice is not None else "",
            "cancel_url": _detail(invoice) if invoice is not None else invoices.url("list"),
            "line_hint": _(
                "Type a SKU or name, Tab to the quantity, Enter in the discount adds a line. An empty price is the product's list price."
            ),
        }
        return render(self.request, "billing/invoice_form.html", context, status=status)

    def get(self, request, pk=None):
        invoice = self.current()
        form, formset = self.build(invoice)
        return self.render_form(form, formset, invoice)

    def post(self, request, pk=None):
        invoice = self.current()
        form, formset = self.build(invoice, request.POST)
        if form.is_valid() & (formset.is_valid() if formset is not None else True):
            values = form.values()
            lines = formset.lines() if formset is not None else None
            try:
                if invoice is None:
                    saved = services.invoice_create(
                        company=request.company, actor=request.user, membership=request.membership, lines=lines, **values
                    )
                else:
                    saved = services.invoice_update(invoice=invoice, actor=request.user, values=values, lines=lines)
            except DomainError as exc:
                rest = apply_line_errors(exc, formset)
                if rest is not None:
                    apply_error(form, rest, formset)
            else:
                messages.success(request, _("Invoice %(number)s was saved as a draft.") % {"number": _label(saved)})
                return redirect(_detail(saved))
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(form, formset, invoice, status=400)


class InvoicePreviewView(CompanyRequiredMixin, View):
    """Live totals of the manual invoice form: an empty price is the product's list price."""

    permission = "billing.view_invoice"

    def post(self, request):
        post = request.POST
        customer = None
        if post.get("customer", "").isdigit():
            customer = customers_visible(request.company, request.membership).select_related("currency").filter(pk=post["customer"]).first()
        currency = (
            Currency.objects.filter(company=request.company, pk=post["currency"]).first() if post.get("currency", "").isdigit() else None
        )
        code = (
            currency.code if currency else (customer.currency.code if customer and customer.currency_id else request.company.base_currency)
        )
        lines = read_lines(request)
        for line in lines:
            if not line.problem and line.unit_price is None:
                line.unit_price, line.from_price_list = line.product.list_price, True
                line.explanation = [_("The product's list price.")]
            elif not line.problem:
                line.explanation = [_("Price entered by hand.")]
        priced = [line for line in lines if not line.problem]
        totals = document_totals(
            [
                LineInput(
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount_percent=line.discount_percent,
                    tax_rate=line.product.tax.rate if line.product.tax_id else None,
                    tax_included=bool(line.product.tax_id and line.product.tax.included_in_price),
                )
                for line in priced
            ],
            places=currency_places(code),
        )
        for line, amount in zip(priced, totals.line_amounts, strict=True):
            line.amount = amount
        context = {"preview_lines": lines, "totals": totals, "taxes": tax_rows(totals), "currency_code": code, "customer": customer}
        return render(request, "sales/_preview.html", {**context, "hide_customer_hint": True})


class InvoiceActionView(ActionView):
    kind = "invoice"
    actions = {
        "post": "billing.post_invoice",
        "cancel": "billing.change_invoice",
        "send": "billing.change_invoice",
        "write-off": "billing.add_writeoff",
        "apply-credit": "billing.change_invoice",
    }

    def queryset(self, request):
        return selectors.invoices_visible(request.company, request.membership)

    def do_post(self, request, invoice):
        invoice = services.invoice_post(invoice=invoice, actor=request.user)
        messages.success(request, _("%(number)s is posted.") % {"number": invoice.number})
        return _detail(invoice)

    def do_cancel(self, request, invoice):
        form = billing_forms.ReasonForm(request.POST)
        reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
        services.invoice_cancel(invoice=invoice, actor=request.user, reason=reason)
        messages.success(request, _("The draft was cancelled."))
        return _detail(invoice)

    def do_send(self, request, invoice):
        form = billing_forms.SendForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a valid email address."))
            return _detail(invoice)
        invoice = services.invoice_send(invoice=invoice, actor=request.user, to=form.cleaned_data["to"] or None)
        messages.success(request, _("%(number)s was sent to %(to)s.") % {"number": invoice.number, "to": invoice.sent_to})
        return _detail(invoice)

    def do_write_off(self, request, invoice):
        form = billing_forms.WriteOffForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason, and an amount above zero or nothing for all that is due."))
            return _detail(invoice)
        write_off = services.invoice_write_off(
            invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"], amount=form.cleaned_data["amount"]
        )
        messages.success(
            request,
            _("%(amount)s was written off %(number)s.")
            % {"amount": money_text(write_off.amount, invoice.currency), "number": invoice.number},
        )
        return _detail(invoice)

    def do_apply_credit(self, request, note):
        targets = details.open_invoices_of(request, note.customer_id, note.currency_id)
        form = billing_forms.ApplyCreditForm(request.POST, company=request.company, request=request, invoices=targets)
        if not form.is_valid():
            messages.error(request, _("Choose an open invoice of this customer and an amount above zero."))
            return _detail(note)
        target = form.chosen()
        amount = form.cleaned_data["amount"] or min(note.amount_due, target.amount_due)
        services.credit_note_apply(credit_note=note, invoice=target, amount=amount, actor=request.user)
        messages.success(
            request,
            _("%(amount)s of %(note)s now pays %(number)s.")
            % {"amount": money_text(amount, target.currency), "note": note.number, "number": target.number},
        )
        return _detail(note)


class CreditNoteView(CompanyRequiredMixin, View):
    """Choose the lines and quantities to take back, with a reason; the credit note is posted at once."""

    permission = "billing.add_invoice"

    def load(self, request, pk):
        require(request, "billing.post_invoice")
        invoice = _invoice(request, pk)
        if invoice.kind != Invoice.Kind.INVOICE or invoice.status not in (Invoice.Status.POSTED, Invoice.Status.PAID):
            messages.error(request, _("Only a posted invoice can be credited."))
            return invoice, None
        return invoice, details.creditable_lines(invoice)

    def render_page(self, request, invoice, form, status=200):
        return render(
            request, "billing/credit_note_form.html", {"object": invoice, "form": form, "cancel_url": _detail(invoice)}, status=status
        )

    def get(self, request, pk):
        invoice, lines = self.load(request, pk)
        if lines is None:
            return redirect(_detail(invoice))
        return self.render_page(request, invoice, billing_forms.CreditNoteForm(lines=lines))

    def post(self, request, pk):
        invoice, lines = self.load(request, pk)
        if lines is None:
            return redirect(_detail(invoice))
        form = billing_forms.CreditNoteForm(request.POST, lines=lines)
        if form.is_valid():
            try:
                note = services.invoice_credit(
                    invoice=invoice, actor=request.user, lines=form.credit_lines(), reason=form.cleaned_data["reason"].strip()
                )
            except DomainError as exc:
                form.add_error(None, describe(exc))
                return self.render_page(request, invoice, form, status=exc.status)
            messages.success(request, _("Credit note %(number)s was posted.") % {"number": note.number})
            return redirect(_detail(note))
        return self.render_page(request, invoice, form, status=400)


class InvoicePdfView(CompanyRequiredMixin, View):
    permission = "billing.view_invoice"

    def get(self, request, pk):
        documents = importlib.import_module("salesdesk.billing.documents")
        invoice = _invoice(request, pk)
        response = HttpResponse(documents.render_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{documents.pdf_filename(invoice)}"'
        return response


class EInvoiceView(CompanyRequiredMixin, View):
    """`?format=cii|ubl|facturx`: the posted invoice as an EN 16931 e-invoice file."""

    permission = "billing.view_invoice"

    def get(self, request, pk):
        invoice = _invoice(request, pk)
        fmt = request.GET.get("format", "")
        if fmt not in EINVOICE_FORMATS:
            raise Http404
        if invoice.status not in (Invoice.Status.POSTED, Invoice.Status.PAID):
            messages.error(request, _("Post the invoice before exporting it as an e-invoice."))
            return redirect(_detail(invoice))
        einvoice = importlib.import_module("salesdesk.billing.einvoice")
        try:
            content, content_type, filename = einvoice.export(invoice, fmt)
        except DomainError as exc:
            messages.error(request, describe(exc))
            return redirect(_detail(invoice))
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
