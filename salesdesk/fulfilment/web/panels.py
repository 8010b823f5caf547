"""Goods panels inside the sales order and customer pages, loaded with htmx.

Sales and customers sit below fulfilment (import-linter layers), so their pages cannot read
deliveries themselves: they ask for these fragments by URL. A member who may not read
deliveries gets an empty fragment, so the page simply shows nothing there."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.customers.selectors import customers_visible
from salesdesk.fulfilment import selectors, services
from salesdesk.fulfilment.web.details import MARGINS
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.models import SalesOrder

PANEL_SIZE = 20


class PanelView(CompanyRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if request.user.is_authenticated and membership is not None and not membership.has_perm("fulfilment.view_delivery"):
            return HttpResponse("")
        return super().dispatch(request, *args, **kwargs)


class OrderGoodsPanelView(PanelView):
    """Per line ordered / reserved / delivered / outstanding / backorder (and gross profit for who
    sees margins), the order's deliveries and returns, and "Create delivery"."""

    def get(self, request, pk):
        company, m = request.company, request.membership
        order = get_object_or_404(sales_selectors.orders_visible(company, m).select_related("company"), pk=pk)
        progress = selectors.order_lines_progress(order)
        show_margins = m.has_perm(MARGINS)
        if show_margins:
            margins = {row["line"].pk: row for row in selectors.line_margins(order)}
            for row in progress:
                row["margin"] = margins.get(row["line"].pk)
        deliveries = list(selectors.deliveries_visible(company, m).filter(sales_order=order).order_by("date", "id")[: PANEL_SIZE + 1])
        returns = list(selectors.returns_visible(company, m).filter(sales_order=order).order_by("date", "id")[: PANEL_SIZE + 1])
        confirmed = order.status == SalesOrder.Status.CONFIRMED
        context = {
            "order": order,
            "progress": progress,
            "show_margins": show_margins,
            "deliveries": deliveries[:PANEL_SIZE],
            "more_deliveries": len(deliveries) > PANEL_SIZE,
            "returns": returns[:PANEL_SIZE],
            "can_deliver": confirmed and m.has_perm("fulfilment.add_delivery") and bool(services.deliverable(order)),
            "can_return": m.has_perm("fulfilment.add_returnrequest") and any(row["delivered"] > 0 for row in progress),
        }
        return render(request, "fulfilment/_order_panel.html", context)


class CustomerGoodsPanelView(PanelView):
    """The customer's latest deliveries and returns, and "Return goods"."""

    def get(self, request, pk):
        company, m = request.company, request.membership
        customer = get_object_or_404(customers_visible(company, m), pk=pk)
        deliveries = list(selectors.deliveries_visible(company, m).filter(customer=customer).order_by("-date", "-id")[: PANEL_SIZE + 1])
        returns = list(selectors.returns_visible(company, m).filter(customer=customer).order_by("-date", "-id")[: PANEL_SIZE + 1])
        context = {
            "customer": customer,
            "deliveries": deliveries[:PANEL_SIZE],
            "more_deliveries": len(deliveries) > PANEL_SIZE,
            "returns": returns[:PANEL_SIZE],
            "more_returns": len(returns) > PANEL_SIZE,
            "can_return": m.has_perm("fulfilment.add_returnrequest"),
        }
        return render(request, "fulfilment/_customer_panel.html", context)
