"""Disputes in the browser: the list, opening one on an invoice, resolving it, and the panels
that show them on the invoice and customer pages (loaded with htmx).

A dispute keeps (part of) an invoice out of dunning until it is resolved by a credit note, a
write-off, or "collect" (the customer pays after all). Every write is a billing service call."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from salesdesk.billing import selectors
from salesdesk.billing import services as billing_services
from salesdesk.billing.errors import OverAllocation
from salesdesk.billing.models import Dispute, DisputeOutcome, DisputeReason, Invoice
from salesdesk.billing.web.actions import describe
from salesdesk.core.errors import DomainError
from salesdesk.core.web import views as generic
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.display import money_text
from salesdesk.core.web.resource import Column, Filter, Resource
from salesdesk.customers.selectors import customers_visible

DISPUTE_COLOURS = {"open": "warning", "resolved": "success"}
PANEL_SIZE = 20


def _customers(request):
    visible = customers_visible(request.company, request.membership).order_by("code")
    return [(c.pk, f"{c.code} · {c.name}") for c in visible.only("pk", "code", "name")]


def undisputed_due(invoice: Invoice) -> Decimal:
    return max(invoice.amount_due - invoice.disputed_amount, Decimal("0"))


class DisputeForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("amount"), required=False, min_value=Decimal("0.01"), max_digits=16, decimal_places=2)
    reason = forms.ChoiceField(label=gettext_lazy("reason"), choices=DisputeReason.choices)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=2000)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("outcome"), choices=DisputeOutcome.choices)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=2000)


class DisputeResource(Resource):
    """The list only: a dispute is read and resolved on its invoice's page."""

    def queryset(self, request):
        return selectors.disputes_visible(request.company, request.membership)

    def can(self, request):
        return {"add": False, "change": False, "delete": False}

    def url(self, kind, obj=None):
        if kind == "detail" and obj is not None:
            return reverse("billing:invoice-detail", args=[obj.invoice_id]) + "#disputes"
        return reverse("billing:dispute-list") if kind == "list" else None

    def urlpatterns(self):
        return [path("disputes/", generic.ResourceListView.as_view(resource=self), name="dispute-list")]


disputes = DisputeResource(
    model=Dispute,
    url_base="billing:dispute",
    columns=[
        Column("invoice", gettext_lazy("invoice"), accessor="invoice.number", sort="invoice__number", link=True),
        Column("customer", gettext_lazy("customer"), accessor="invoice.customer", sort="invoice__customer__name"),
        Column("opened_at", gettext_lazy("opened"), sort="opened_at"),
        Column("reason", gettext_lazy("reason"), sort="reason"),
        Column("currency", gettext_lazy("currency"), accessor="invoice.currency.code"),
        Column("amount", gettext_lazy("amount"), sort="amount", numeric=True),
        Column("status", gettext_lazy("status"), sort="status", badge=DISPUTE_COLOURS),
        Column("outcome", gettext_lazy("outcome"), sort="outcome"),
        Column("note", gettext_lazy("note")),
    ],
    search_fields=("invoice__number", "invoice__customer__code", "invoice__customer__name", "note"),
    filters=[
        Filter("status", gettext_lazy("status"), "status", lambda r: list(Dispute.Status.choices)),
        Filter("reason", gettext_lazy("reason"), "reason", lambda r: list(DisputeReason.choices)),
        Filter("outcome", gettext_lazy("outcome"), "outcome", lambda r: list(DisputeOutcome.choices)),
        Filter("customer", gettext_lazy("customer"), "invoice__customer_id", _customers),
    ],
    default_sort="-opened_at",
    icon="exclamation-octagon",
    deletable=False,
    show_history=False,
)


def _invoice_page(invoice_id) -> str:
    return reverse("billing:invoice-detail", args=[invoice_id]) + "#disputes"


class DisputeOpenView(CompanyRequiredMixin, View):
    """POST amount (empty: all that is due and not disputed yet), reason code and note."""

    permission = "billing.add_dispute"

    def post(self, request, pk):
        invoice = get_object_or_404(selectors.invoices_visible(request.company, request.membership), pk=pk)
        form = DisputeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a reason, and an amount above zero or nothing for all that is due."))
            return redirect(_invoice_page(invoice.pk))
        try:
            dispute = billing_services.dispute_open(
                invoice=invoice,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"].strip(),
            )
        except OverAllocation:
            # Not the payment's wording: say how much of this invoice can still be disputed.
            left = money_text(undisputed_due(Invoice.objects.get(pk=invoice.pk)), invoice.currency)
            messages.error(
                request, _("At most %(left)s of this invoice can be disputed: the rest is paid or disputed already.") % {"left": left}
            )
            return redirect(_invoice_page(invoice.pk))
        except DomainError as exc:
            messages.error(request, describe(exc))
            return redirect(_invoice_page(invoice.pk))
        messages.success(
            request,
            _("%(amount)s of %(number)s is disputed and kept out of dunning until resolved.")
            % {"amount": money_text(dispute.amount, invoice.currency), "number": invoice.number},
        )
        return redirect(_invoice_page(invoice.pk))


class DisputeResolveView(CompanyRequiredMixin, View):
    """POST outcome credit_note / write_off / collect, and a note."""

    permission = "billing.change_dispute"

    def post(self, request, pk):
        dispute = get_object_or_404(selectors.disputes_visible(request.company, request.membership), pk=pk)
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose how the dispute is resolved."))
            return redirect(_invoice_page(dispute.invoice_id))
        try:
            dispute = billing_services.dispute_resolve(
                dispute=dispute, actor=request.user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"].strip()
            )
        except DomainError as exc:
            messages.error(request, describe(exc))
            return redirect(_invoice_page(dispute.invoice_id))
        if dispute.credit_note_id:
            text = _("The dispute is resolved with credit note %(note)s.") % {"note": dispute.credit_note.number}
        elif dispute.write_off_id:
            text = _("The dispute is resolved: %(amount)s was written off.") % {
                "amount": money_text(dispute.write_off.amount, dispute.invoice.currency)
            }
        else:
            text = _("The dispute is resolved: the amount is due again and back in dunning.")
        messages.success(request, text)
        return redirect(_invoice_page(dispute.invoice_id))


class InvoiceDisputesPanelView(CompanyRequiredMixin, View):
    """The invoice's disputes, the "Dispute" form and a resolve form per open dispute."""

    permission = "billing.view_invoice"

    def get(self, request, pk):
        m = request.membership
        invoice = get_object_or_404(selectors.invoices_visible(request.company, m), pk=pk)
        rows = list(invoice.disputes.select_related("opened_by", "resolved_by", "credit_note", "write_off").order_by("opened_at", "id"))
        open_to_dispute = invoice.kind == Invoice.Kind.INVOICE and invoice.status == Invoice.Status.POSTED and undisputed_due(invoice) > 0
        context = {
            "invoice": invoice,
            "disputes": rows,
            "undisputed_due": undisputed_due(invoice),
            "can_open": open_to_dispute and m.has_perm("billing.add_dispute"),
            "can_resolve": m.has_perm("billing.change_dispute"),
            "reasons": DisputeReason.choices,
            "outcomes": DisputeOutcome.choices,
        }
        return render(request, "billing/_invoice_disputes.html", context)


class CustomerDisputesPanelView(CompanyRequiredMixin, View):
    """The customer's open disputes, inside the billing panel of the customer page."""

    permission = "billing.view_invoice"

    def get(self, request, pk):
        customer = get_object_or_404(customers_visible(request.company, request.membership), pk=pk)
        rows = list(
            selectors.disputes_visible(request.company, request.membership)
            .filter(invoice__customer=customer, status=Dispute.Status.OPEN)
            .order_by("opened_at", "id")[: PANEL_SIZE + 1]
        )
        context = {"customer": customer, "disputes": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE}
        return render(request, "billing/_customer_disputes.html", context)
