"""Recording payments (with allocations to the customer's open invoices), allocating the
customer's credit later, and chargebacks."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.billing import selectors, services
from salesdesk.billing.models import Invoice
from salesdesk.billing.web import forms as billing_forms
from salesdesk.billing.web.actions import ActionView, describe
from salesdesk.billing.web.details import allocation_rows
from salesdesk.billing.web.resources import payments
from salesdesk.core.errors import DomainError, Invalid
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.display import money_text
from salesdesk.customers.selectors import customers_visible


def customer_open_invoices(request, customer) -> list[Invoice]:
    """Every posted invoice of the customer with money due, earliest due first (what a payment can settle)."""
    if customer is None:
        return []
    return list(
        selectors.open_invoices(request.company, request.membership)
        .filter(customer=customer, kind=Invoice.Kind.INVOICE)
        .order_by("next_due_date", "id")
    )


def _service_row_errors(exc: DomainError, allocations) -> dict[int, str]:
    """A service's per-allocation errors (`{"allocations": [{...}, ...]}`) keyed by invoice id."""
    if not isinstance(exc, Invalid) or not isinstance(exc.details.get("allocations"), list):
        return {}
    found = {}
    for allocation, row in zip(allocations, exc.details["allocations"], strict=False):
        if isinstance(row, dict) and row:
            found[allocation["invoice"].pk] = " ".join(str(m) for ms in row.values() for m in (ms if isinstance(ms, list) else [ms]))
    return found


class OpenInvoicesView(CompanyRequiredMixin, View):
    """htmx: the allocation table for the customer chosen in the payment form."""

    permission = "billing.add_payment"

    def get(self, request):
        raw = request.GET.get("customer", "")
        customer = customers_visible(request.company, request.membership).filter(pk=raw).first() if raw.isdigit() else None
        rows = allocation_rows(customer_open_invoices(request, customer))
        return render(request, "billing/_allocations.html", {"rows": rows, "customer": customer})


class PaymentCreateView(CompanyRequiredMixin, View):
    permission = "billing.add_payment"

    def render_form(self, request, form, rows, status=200, customer=None):
        context = {
            "resource": payments,
            "list_url": payments.url("list"),
            "form": form,
            "rows": rows,
            "customer": form.cleaned_data.get("customer") if hasattr(form, "cleaned_data") else customer,
        }
        return render(request, "billing/payment_form.html", context, status=status)

    def get(self, request):
        """`?customer=<id>` (from the customer page) chooses the customer and shows their open invoices."""
        raw = request.GET.get("customer", "")
        customer = customers_visible(request.company, request.membership).filter(pk=raw).first() if raw.isdigit() else None
        form = billing_forms.PaymentForm(initial={"customer": customer.pk} if customer else {}, company=request.company, request=request)
        rows = allocation_rows(customer_open_invoices(request, customer)) if customer else None
        return self.render_form(request, form, rows, customer=customer)

    def post(self, request):
        form = billing_forms.PaymentForm(request.POST, company=request.company, request=request)
        valid = form.is_valid()
        invoices = customer_open_invoices(request, form.cleaned_data.get("customer"))
        allocations, errors = billing_forms.allocations_from(request.POST, invoices)
        if valid and not errors:
            values = form.values()
            try:
                payment = services.payment_create(company=request.company, actor=request.user, allocations=allocations, **values)
            except DomainError as exc:
                errors = _service_row_errors(exc, allocations)
                form.add_error(None, describe(exc))
            else:
                messages.success(
                    request,
                    _("Payment %(number)s of %(amount)s was recorded; %(left)s stays as the customer's credit.")
                    % {
                        "number": payment.number,
                        "amount": money_text(payment.amount, payment.currency),
                        "left": money_text(payment.unallocated_amount, payment.currency),
                    },
                )
                return redirect(reverse("billing:payment-detail", args=[payment.pk]))
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(request, form, allocation_rows(invoices, request.POST, errors), status=400)


class PaymentActionView(ActionView):
    kind = "payment"
    actions = {"allocate": "billing.change_payment", "reverse": "billing.change_payment"}

    def queryset(self, request):
        return selectors.payments_visible(request.company, request.membership)

    def do_allocate(self, request, payment):
        invoices = [i for i in customer_open_invoices(request, payment.customer) if i.currency_id == payment.currency_id]
        allocations, errors = billing_forms.allocations_from(request.POST, invoices)
        if errors or not allocations:
            messages.error(request, _("Enter an amount above zero for at least one invoice."))
            return self.detail(payment)
        payment = services.payment_allocate(payment=payment, actor=request.user, allocations=allocations)
        messages.success(
            request,
            _("Allocated; %(left)s of the payment is left as credit.") % {"left": money_text(payment.unallocated_amount, payment.currency)},
        )
        return self.detail(payment)

    def do_reverse(self, request, payment):
        form = billing_forms.ReasonForm(request.POST)
        reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
        if not reason:
            messages.error(request, _("Say why the payment is reversed."))
            return self.detail(payment)
        services.payment_reverse(payment=payment, actor=request.user, reason=reason)
        messages.success(request, _("Payment %(number)s was reversed; the invoices it paid are open again.") % {"number": payment.number})
        return self.detail(payment)
