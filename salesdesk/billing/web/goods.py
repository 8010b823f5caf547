"""Where goods and money meet in the browser: a delivery refused at the door and a return credited.

Both buttons sit on fulfilment's pages (delivery and return) but post here, because the action
credits invoices and fulfilment sits below billing. Refusing is the warehouse's job (it needs
`fulfilment.change_delivery`, no billing rights); crediting a return needs `billing.post_invoice`.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from salesdesk.billing import services
from salesdesk.billing.web.actions import describe
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.fulfilment import selectors as fulfilment_selectors


class RefuseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=1000)


def _numbers(notes) -> str:
    return ", ".join(note.number for note in notes)


class DeliveryRefuseView(CompanyRequiredMixin, View):
    """POST `reason`: the goods come back, cost of goods sold is reversed, what was billed is credited."""

    permission = "fulfilment.change_delivery"

    def post(self, request, pk):
        delivery = get_object_or_404(fulfilment_selectors.deliveries_visible(request.company, request.membership), pk=pk)
        target = reverse("fulfilment:delivery-detail", args=[delivery.pk])
        form = RefuseForm(request.POST)
        if not form.is_valid() or not form.cleaned_data["reason"].strip():
            messages.error(request, _("Say why the customer refused the goods."))
            return redirect(target)
        try:
            delivery, notes = services.delivery_refuse(delivery=delivery, actor=request.user, reason=form.cleaned_data["reason"].strip())
        except DomainError as exc:
            messages.error(request, describe(exc))
            return redirect(target)
        if notes:
            messages.success(
                request,
                ngettext(
                    "%(number)s was refused; the goods are back in stock and credit note %(notes)s was posted.",
                    "%(number)s was refused; the goods are back in stock and credit notes %(notes)s were posted.",
                    len(notes),
                )
                % {"number": delivery.number, "notes": _numbers(notes)},
            )
        else:
            messages.success(
                request,
                _("%(number)s was refused; the goods are back in stock. Nothing was invoiced for them.") % {"number": delivery.number},
            )
        return redirect(target)


class DeliveryInvoiceView(CompanyRequiredMixin, View):
    """POST: a draft invoice for the delivery's goods not billed yet; the accountant checks and posts it."""

    permission = "billing.add_invoice"

    def post(self, request, pk):
        delivery = get_object_or_404(fulfilment_selectors.deliveries_visible(request.company, request.membership), pk=pk)
        if delivery.sales_order_id is None:
            messages.error(request, _("A replacement delivery is not invoiced."))
            return redirect("fulfilment:delivery-detail", delivery.pk)
        try:
            invoice = services.invoice_from_order(
                order=delivery.sales_order, actor=request.user, membership=request.membership, delivery=delivery
            )
        except DomainError as exc:
            messages.error(request, describe(exc))
            return redirect("fulfilment:delivery-detail", delivery.pk)
        messages.success(request, _("A draft invoice for %(number)s was made: check it and post it.") % {"number": delivery.number})
        return redirect("billing:invoice-detail", invoice.pk)


class ReturnCreditView(CompanyRequiredMixin, View):
    """POST: credit the received goods kept (restocked or scrapped) at the price they were invoiced at."""

    permission = "billing.post_invoice"

    def post(self, request, pk):
        ret = get_object_or_404(fulfilment_selectors.returns_visible(request.company, request.membership), pk=pk)
        target = reverse("fulfilment:return-detail", args=[ret.pk])
        try:
            ret, notes = services.return_credit(request=ret, actor=request.user)
        except DomainError as exc:
            messages.error(request, describe(exc))
            return redirect(target)
        messages.success(
            request,
            ngettext(
                "%(number)s is credited: credit note %(notes)s was posted.",
                "%(number)s is credited: credit notes %(notes)s were posted.",
                len(notes),
            )
            % {"number": ret.number, "notes": _numbers(notes)},
        )
        return redirect(target)
