"""Delivery pages beyond list and detail: making one from an order, the warehouse's actions
(note carrier and tracking, pick, ship, mark delivered, cancel) and the delivery note PDF.

The refusal at the door is billing's (`billing:delivery-refuse`): it credits what was invoiced."""

import importlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.fulfilment import selectors, services
from salesdesk.fulfilment.web.actions import ActionView, describe, form_errors
from salesdesk.fulfilment.web.forms import QTY_PREFIX, DeliveryCreateForm, DeliveryUpdateForm, ReasonForm
from salesdesk.fulfilment.web.resources import deliveries
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.models import SalesOrder


def _detail(delivery) -> str:
    return reverse("fulfilment:delivery-detail", args=[delivery.pk])


class DeliveryActionView(ActionView):
    detail_name = "fulfilment:delivery-detail"
    actions = {
        "update": "fulfilment.change_delivery",
        "pick": "fulfilment.change_delivery",
        "ship": "fulfilment.change_delivery",
        "deliver": "fulfilment.change_delivery",
        "cancel": "fulfilment.change_delivery",
    }

    def queryset(self, request):
        return selectors.deliveries_visible(request.company, request.membership)

    def do_update(self, request, delivery):
        form = DeliveryUpdateForm(request.POST, company=request.company, request=request, delivery=delivery)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return
        services.delivery_update(delivery=delivery, actor=request.user, values=form.values())
        messages.success(request, _("%(number)s was saved.") % {"number": delivery.number})

    def do_pick(self, request, delivery):
        services.delivery_pick(delivery=delivery, actor=request.user)
        messages.success(request, _("%(number)s is picked.") % {"number": delivery.number})

    def do_ship(self, request, delivery):
        services.delivery_ship(delivery=delivery, actor=request.user)
        messages.success(request, _("%(number)s is shipped; the goods left the stock.") % {"number": delivery.number})

    def do_deliver(self, request, delivery):
        services.delivery_deliver(delivery=delivery, actor=request.user)
        messages.success(request, _("%(number)s is delivered.") % {"number": delivery.number})

    def do_cancel(self, request, delivery):
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
        services.delivery_cancel(delivery=delivery, actor=request.user, reason=reason)
        messages.success(request, _("%(number)s was cancelled; its goods are outstanding again.") % {"number": delivery.number})


def deliverable_rows(order: SalesOrder) -> list:
    """The order's goods lines with what is left to put on a delivery, in order."""
    left = services.deliverable(order)
    lines = order.lines.select_related("product").filter(pk__in=list(left)).order_by("sequence", "id")
    return [(line, left[line.pk]) for line in lines]


class DeliveryCreateView(CompanyRequiredMixin, View):
    """A delivery for a confirmed order: each outstanding line with its quantity (all of it by default)."""

    permission = "fulfilment.add_delivery"

    def order(self, request, pk) -> SalesOrder:
        # The warehouse does not read sales orders in general: the shipping queue is its way in.
        qs = sales_selectors.orders_visible(request.company, request.membership).select_related("customer", "warehouse")
        order = get_object_or_404(qs, pk=pk)
        if order.status != SalesOrder.Status.CONFIRMED:
            raise Http404
        return order

    def render_form(self, request, order, form, status=200):
        context = {"resource": deliveries, "list_url": reverse("fulfilment:to-ship"), "order": order, "form": form}
        context["show_order_link"] = request.membership.has_perm("sales.view_salesorder")
        return render(request, "fulfilment/delivery_form.html", context, status=status)

    def get(self, request, pk):
        order = self.order(request, pk)
        rows = deliverable_rows(order)
        if not rows:
            messages.error(request, _("%(number)s has nothing left to deliver.") % {"number": order.number})
            return redirect(reverse("fulfilment:to-ship"))
        form = DeliveryCreateForm(company=request.company, request=request, order=order, lines=rows)
        return self.render_form(request, order, form)

    def post(self, request, pk):
        order = self.order(request, pk)
        form = DeliveryCreateForm(request.POST, company=request.company, request=request, order=order, lines=deliverable_rows(order))
        if form.is_valid():
            try:
                delivery = services.delivery_create(
                    order=order, actor=request.user, membership=request.membership, lines=form.chosen_lines(), **form.values()
                )
            except DomainError as exc:
                field = f"{QTY_PREFIX}{exc.details.get('order_line')}"  # a line's refusal goes on that line
                form.add_error(field if field in form.fields else None, describe(exc))
                return self.render_form(request, order, form, status=exc.status)
            messages.success(request, _("Delivery %(number)s was made for %(order)s.") % {"number": delivery.number, "order": order.number})
            return redirect(_detail(delivery))
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(request, order, form, status=400)


class DeliveryPdfView(CompanyRequiredMixin, View):
    """The delivery note (no prices): goods, quantities, address, carrier and tracking."""

    permission = "fulfilment.view_delivery"

    def get(self, request, pk):
        delivery = get_object_or_404(selectors.deliveries_visible(request.company, request.membership), pk=pk)
        documents = importlib.import_module("salesdesk.fulfilment.documents")
        response = HttpResponse(documents.delivery_note_pdf(delivery), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{delivery.number}.pdf"'
        return response
