"""Recording deposits (against a customer or one of their orders), applying them to invoices and refunding them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.billing import selectors, services
from salesdesk.billing.web import details
from salesdesk.billing.web import forms as billing_forms
from salesdesk.billing.web.actions import ActionView, describe
from salesdesk.billing.web.resources import deposits
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.display import money_text
from salesdesk.customers.selectors import customers_visible
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.models import SalesOrder

# A deposit is money for an order still to be delivered and billed: not for a cancelled or closed one.
_OPEN_ORDER_STATUSES = (
    SalesOrder.Status.DRAFT,
    SalesOrder.Status.PENDING_APPROVAL,
    SalesOrder.Status.CREDIT_HOLD,
    SalesOrder.Status.CONFIRMED,
)


def customer_orders(request, customer_id) -> list[SalesOrder]:
    """The customer's orders a deposit can be paid for, newest first."""
    if not customer_id:
        return []
    return list(
        sales_selectors.orders_visible(request.company, request.membership)
        .filter(customer_id=customer_id, status__in=_OPEN_ORDER_STATUSES)
        .select_related("customer", "currency")
        .order_by("-date", "-id")
    )


def _customer_id(raw) -> int | None:
    raw = str(raw or "")
    return int(raw) if raw.isdigit() else None


class DepositOrdersView(CompanyRequiredMixin, View):
    """htmx: the order picker for the customer chosen in the deposit form."""

    permission = "billing.add_deposit"

    def get(self, request):
        customer_id = _customer_id(request.GET.get("customer"))
        customer = customers_visible(request.company, request.membership).filter(pk=customer_id).first() if customer_id else None
        form = billing_forms.DepositForm(
            company=request.company, request=request, orders=customer_orders(request, customer.pk if customer else None)
        )
        return render(request, "billing/_deposit_orders.html", {"form": form})


class DepositCreateView(CompanyRequiredMixin, View):
    """`?order=<id>` comes from the order page: the customer and the order are filled in."""

    permission = "billing.add_deposit"

    def render_form(self, request, form, status=200):
        context = {"resource": deposits, "list_url": deposits.url("list"), "form": form}
        return render(request, "billing/deposit_form.html", context, status=status)

    def get(self, request):
        order = None
        raw = _customer_id(request.GET.get("order"))
        if raw:
            order = sales_selectors.orders_visible(request.company, request.membership).filter(pk=raw).first()
        initial = {"customer": order.customer_id, "sales_order": order.pk} if order else {}
        form = billing_forms.DepositForm(
            initial=initial, company=request.company, request=request, orders=customer_orders(request, order.customer_id if order else None)
        )
        return self.render_form(request, form)

    def post(self, request):
        orders = customer_orders(request, _customer_id(request.POST.get("customer")))
        form = billing_forms.DepositForm(request.POST, company=request.company, request=request, orders=orders)
        if form.is_valid():
            try:
                deposit = services.deposit_create(company=request.company, actor=request.user, **form.values())
            except DomainError as exc:
                form.add_error(None, describe(exc))
            else:
                messages.success(
                    request,
                    _("Deposit %(number)s of %(amount)s was recorded.")
                    % {"number": deposit.number, "amount": money_text(deposit.amount, deposit.currency)},
                )
                return redirect(reverse("billing:deposit-detail", args=[deposit.pk]))
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(request, form, status=400)


class DepositActionView(ActionView):
    kind = "deposit"
    actions = {"apply": "billing.change_deposit", "refund": "billing.change_deposit"}

    def queryset(self, request):
        return selectors.deposits_visible(request.company, request.membership)

    def do_apply(self, request, deposit):
        targets = details.open_invoices_of(request, deposit.customer_id, deposit.currency_id)
        form = billing_forms.ApplyCreditForm(request.POST, company=request.company, request=request, invoices=targets)
        if not form.is_valid():
            messages.error(request, _("Choose an open invoice of this customer and an amount above zero."))
            return self.detail(deposit)
        target = form.chosen()
        deposit = services.deposit_apply(deposit=deposit, invoice=target, amount=form.cleaned_data["amount"], actor=request.user)
        messages.success(
            request, _("The deposit now pays %(number)s; %(held)s is still held.") % {"number": target.number, "held": deposit.held_amount}
        )
        return self.detail(deposit)

    def do_refund(self, request, deposit):
        form = billing_forms.RefundForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter an amount above zero, or nothing to refund all that is held."))
            return self.detail(deposit)
        deposit = services.deposit_refund(
            deposit=deposit, actor=request.user, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"].strip()
        )
        messages.success(request, _("%(amount)s was refunded.") % {"amount": money_text(deposit.refunded_amount, deposit.currency)})
        return self.detail(deposit)
