"""Stock pages of the goods layer: the stock adjustment form (count corrections and receipts) and
one product's stock: levels per warehouse, what comes in and goes out, and its moves.

The product page lives here, not in inventory, because it reads returns and orders too
(inventory sits below fulfilment and sales)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.catalog.models import Product
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import apply_error
from salesdesk.core.web.pages import page_of
from salesdesk.customers import selectors as customer_selectors
from salesdesk.fulfilment import selectors, services
from salesdesk.fulfilment.web.actions import line_errors
from salesdesk.fulfilment.web.details import MARGINS
from salesdesk.fulfilment.web.forms import AdjustmentForm, AdjustmentLineFormSet
from salesdesk.fulfilment.web.resources import adjustments
from salesdesk.inventory import selectors as stock_selectors

MOVES_PER_PAGE = 25
OUTGOING_SHOWN = 50


class AdjustmentCreateView(CompanyRequiredMixin, View):
    """Stock counted in or out, or goods received, with a reason. Members who see no costs bring goods in at standard cost."""

    permission = "inventory.add_stockadjustment"

    def build(self, request, data=None):
        show_cost = request.membership.has_perm(MARGINS)
        initial = None
        if data is None and request.GET.get("warehouse", "").isdigit():
            initial = {"warehouse": int(request.GET["warehouse"])}
        form = AdjustmentForm(data, initial=initial, company=request.company, request=request)
        formset = AdjustmentLineFormSet(data, prefix="lines", company=request.company, show_cost=show_cost)
        return form, formset

    def render_form(self, request, form, formset, status=200):
        context = {"resource": adjustments, "list_url": adjustments.url("list"), "form": form, "formset": formset}
        return render(request, "fulfilment/adjustment_form.html", context, status=status)

    def get(self, request):
        form, formset = self.build(request)
        return self.render_form(request, form, formset)

    def post(self, request):
        form, formset = self.build(request, request.POST)
        if form.is_valid() & formset.is_valid():
            lines = formset.lines()
            if not lines:
                form.add_error(None, _("Add at least one line."))
            else:
                try:
                    adjustment = services.stock_adjust(company=request.company, actor=request.user, lines=lines, **form.cleaned_data)
                except DomainError as exc:
                    apply_error(form, line_errors(exc, formset), formset)
                else:
                    messages.success(request, _("%(number)s was booked.") % {"number": adjustment.number})
                    return redirect(reverse("fulfilment:adjustment-detail", args=[adjustment.pk]))
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(request, form, formset, status=400)


class ProductStockView(CompanyRequiredMixin, View):
    """A product's stock: per warehouse on hand / reserved / available, incoming returns, open order lines, and its moves."""

    permission = "inventory.view_stocklevel"

    def get(self, request, pk):
        company, m = request.company, request.membership
        product = get_object_or_404(Product.objects.filter(company=company).select_related("unit"), pk=pk)
        show_costs = m.has_perm(MARGINS)
        moves = stock_selectors.moves(company).filter(product=product).order_by("-id")
        page = page_of(moves, MOVES_PER_PAGE, request.GET.get("page"))
        visible = customer_selectors.customers_visible(company, m)
        outgoing = list(selectors.outgoing_lines(company, product.pk).filter(order__customer__in=visible)[: OUTGOING_SHOWN + 1])
        context = {
            "product": product,
            "levels": list(stock_selectors.levels(company).filter(product=product).order_by("warehouse__code")),
            "totals": stock_selectors.product_totals(company, product.pk),
            "incoming": selectors.incoming_returns(company, product.pk),
            "outgoing": outgoing[:OUTGOING_SHOWN],
            "more_outgoing": len(outgoing) > OUTGOING_SHOWN,
            "page": page,
            "show_costs": show_costs,
            "show_order_link": m.has_perm("sales.view_salesorder"),
            "can_adjust": m.has_perm("inventory.add_stockadjustment"),
        }
        return render(request, "fulfilment/product_stock.html", context)
