"""Receivables: the ageing page, customer statements (page and PDF) and dunning letters."""

import importlib
from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from salesdesk.billing import selectors, services
from salesdesk.billing.web import forms as billing_forms
from salesdesk.billing.web.actions import ActionView, describe
from salesdesk.core import export
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.home import home_card
from salesdesk.customers.selectors import customers_visible

BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90", "total")


def _bucket_labels() -> list[str]:
    return [_("Current"), _("1–30 days"), _("31–60 days"), _("61–90 days"), _("Over 90 days"), _("Total")]


class AgeingView(CompanyRequiredMixin, View):
    """What each customer owes by how late it is, on a chosen date (today by default); CSV with `?export=csv`."""

    permission = "billing.view_invoice"

    def get(self, request):
        form = billing_forms.DateForm(request.GET)
        on = (form.cleaned_data.get("on") if form.is_valid() else None) or timezone.localdate()
        report = selectors.ageing_report(request.company, request.membership, on)
        rows = [{"customer": r["customer"], "values": [r[b] for b in BUCKETS]} for r in report["rows"]]
        totals = [report["totals"][b] for b in BUCKETS]
        if request.GET.get("export") == "csv":
            headers = [_("Code"), _("Customer"), *_bucket_labels()]
            lines = [[r["customer"].code, r["customer"].name, *r["values"]] for r in rows]
            lines.append(["", _("Total"), *totals])
            return export.csv_response(f"ageing-{on.isoformat()}", headers, lines)
        context = {"on": on, "rows": rows, "totals": totals, "labels": _bucket_labels(), "base_currency": request.company.base_currency}
        return render(request, "billing/ageing.html", context)


class StatementView(CompanyRequiredMixin, View):
    """The customer's account between two dates (this year so far by default); `?format=pdf` for paper."""

    permission = "billing.view_invoice"

    def get(self, request, pk):
        customer = get_object_or_404(customers_visible(request.company, request.membership), pk=pk)
        form = billing_forms.PeriodForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date(date_to.year, 1, 1)
        if date_from > date_to:
            messages.error(request, _("The start date is after the end date; showing that single day."))
            date_from = date_to
        statement = selectors.customer_statement(request.company, customer, date_from, date_to)
        if request.GET.get("format") == "pdf":
            documents = importlib.import_module("salesdesk.billing.documents")
            response = HttpResponse(documents.render_statement_pdf(statement, request.company), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{documents.statement_filename(statement)}"'
            return response
        context = {"customer": customer, "statement": statement, "date_from": date_from, "date_to": date_to}
        return render(request, "billing/statement.html", context)


class DunningRunView(CompanyRequiredMixin, View):
    """Raise overdue invoices to the dunning level they deserve today, write the letters and email them."""

    permission = "billing.add_dunningletter"

    def post(self, request):
        try:
            letters = services.dunning_run(company=request.company, actor=request.user)
        except DomainError as exc:
            messages.error(request, describe(exc))
        else:
            if letters:
                messages.success(request, _("%(n)s dunning letters were written.") % {"n": len(letters)})
            else:
                messages.info(request, _("No invoice has reached a new dunning level today."))
        return redirect("billing:dunning-list")


class DunningActionView(ActionView):
    kind = "dunning"
    actions = {"send": "billing.change_dunningletter"}

    def queryset(self, request):
        return selectors.dunning_letters_visible(request.company, request.membership)

    def do_send(self, request, letter):
        form = billing_forms.SendForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a valid email address."))
            return self.detail(letter)
        letter = services.dunning_send(letter=letter, actor=request.user, to=form.cleaned_data["to"] or None)
        messages.success(request, _("%(number)s was sent to %(to)s.") % {"number": letter.number, "to": letter.sent_to})
        return self.detail(letter)


class DunningPdfView(CompanyRequiredMixin, View):
    permission = "billing.view_dunningletter"

    def get(self, request, pk):
        letter = get_object_or_404(selectors.dunning_letters_visible(request.company, request.membership), pk=pk)
        documents = importlib.import_module("salesdesk.billing.documents")
        response = HttpResponse(documents.render_dunning_pdf(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{documents.dunning_filename(letter)}"'
        return response


@home_card(order=40)
def overdue_card(request):
    """Invoices past their due date with money still due, within the member's scope."""
    m = request.membership
    if not m.has_perm("billing.view_invoice"):
        return None
    overdue = selectors.invoices_visible(request.company, m).filter(selectors.overdue())
    return {
        "title": gettext_lazy("Overdue invoices"),
        "value": overdue.count(),
        "icon": "hourglass-split",
        "url": reverse("billing:invoice-list") + "?overdue=1",
        "hint": "",
    }
