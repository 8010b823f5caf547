"""Billing panels inside the sales order and customer pages, loaded with htmx.

Sales and customers sit below billing (import-linter layers), so their pages cannot read
invoices themselves: they ask for these fragments by URL, which keeps the layering.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.billing import selectors, services
from salesdesk.billing.models import Invoice
from salesdesk.billing.web.actions import describe
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.customers.selectors import customers_visible
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.models import SalesOrder

PANEL_SIZE = 20
_INVOICEABLE = (SalesOrder.Status.CONFIRMED, SalesOrder.Status.CLOSED)
_DEPOSITABLE = (SalesOrder.Status.DRAFT, SalesOrder.Status.PENDING_APPROVAL, SalesOrder.Status.CREDIT_HOLD, SalesOrder.Status.CONFIRMED)


def _order(request, pk) -> SalesOrder:
    return get_object_or_404(sales_selectors.orders_visible(request.company, request.membership).select_related("currency"), pk=pk)


class OrderPanelView(CompanyRequiredMixin, View):
    """The order's invoices and deposits (held and applied), with "Create invoice" and "Record deposit"."""

    permission = "billing.view_invoice"

    def get(self, request, pk):
        order = _order(request, pk)
        m = request.membership
        invoices = list(
            selectors.invoices_visible(request.company, m).filter(sales_order=order).order_by("issue_date", "id")[: PANEL_SIZE + 1]
        )
        deposits = list(selectors.deposits_visible(request.company, m).filter(sales_order=order).order_by("date", "id"))
        context = {
            "order": order,
            "invoices": invoices[:PANEL_SIZE],
            "more_invoices": len(invoices) > PANEL_SIZE,
            "deposits": deposits,
            "deposit_totals": selectors.deposits_summary(deposits),
            "can_invoice": m.has_perm("billing.add_invoice") and order.status in _INVOICEABLE and order.invoice_state != "invoiced",
            "can_deposit": m.has_perm("billing.add_deposit") and order.status in _DEPOSITABLE,
        }
        return render(request, "billing/_order_panel.html", context)


class OrderInvoiceView(CompanyRequiredMixin, View):
    """POST: a draft invoice for what the order has left to bill; the accountant reviews and posts it."""

    permission = "billing.add_invoice"

    def post(self, request, pk):
        order = _order(request, pk)
        try:
            invoice = services.invoice_from_order(order=order, actor=request.user, membership=request.membership)
        except DomainError as exc:
            messages.error(request, describe(exc))
            return redirect(reverse("sales:order-detail", args=[order.pk]))
        messages.success(request, _("A draft invoice of %(total)s was made; check it and post it.") % {"total": invoice.total_amount})
        return redirect(reverse("billing:invoice-detail", args=[invoice.pk]))


class CustomerPanelView(CompanyRequiredMixin, View):
    """The customer's open invoices, deposits held and applied, and the way to their statement."""

    permission = "billing.view_invoice"

    def get(self, request, pk):
        m = request.membership
        customer = get_object_or_404(customers_visible(request.company, m), pk=pk)
        open_invoices = list(
            selectors.open_invoices(request.company, m)
            .filter(customer=customer, kind=Invoice.Kind.INVOICE)
            .order_by("next_due_date", "id")[: PANEL_SIZE + 1]
        )
        deposits = (
            selectors.deposits_visible(request.company, m)
            .filter(customer=customer)
            .select_related(None)
            .only("amount", "held_amount", "applied_amount", "refunded_amount")
        )
        context = {
            "customer": customer,
            "open_invoices": open_invoices[:PANEL_SIZE],
            "more_invoices": len(open_invoices) > PANEL_SIZE,
            "deposit_totals": selectors.deposits_summary(deposits),
            "can_pay": m.has_perm("billing.add_payment"),
        }
        return render(request, "billing/_customer_panel.html", context)
