"""Forms of the billing pages. They parse and validate input only; the billing services decide and save.

Amounts allocated to several invoices are typed in one field per invoice (`alloc-<invoice id>`),
read by `allocations_from`: a blank field means "nothing for this invoice".
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.models import Company
from salesdesk.billing.models import BillingSettings, Payment, PaymentMethod
from salesdesk.catalog.models import Currency
from salesdesk.core.web.forms import CompanyForm, CompanyModelForm, StyledFormMixin
from salesdesk.customers import selectors as customer_selectors
from salesdesk.customers.models import PaymentTerm
from salesdesk.sales.web.forms import DateInput, LineForm, LineFormSet

MONEY = {"max_digits": 16, "decimal_places": 2}
ALLOCATION_PREFIX = "alloc-"


def _money(label, required=True, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(label=label, required=required, min_value=Decimal("0.01"), widget=forms.TextInput, **MONEY, **kwargs)
    field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
    return field


def _visible_customers(form) -> None:
    request = form.request
    if request is not None and getattr(request, "membership", None) is not None:
        form.fields["customer"].queryset = customer_selectors.customers_visible(form.company, request.membership).order_by("code")


class InvoiceForm(CompanyForm):
    """The header of a manual invoice; editing a draft changes everything but the customer and currency."""

    customer = forms.ModelChoiceField(label=_("customer"), queryset=customer_selectors.Customer.objects.none())
    issue_date = forms.DateField(label=_("issue date"), required=False, widget=DateInput, help_text=_("Empty means today."))
    currency = forms.ModelChoiceField(
        label=_("currency"), queryset=Currency.objects.all(), required=False, help_text=_("Empty means the customer's currency.")
    )
    payment_term = forms.ModelChoiceField(
        label=_("payment term"), queryset=PaymentTerm.objects.all(), required=False, help_text=_("Empty means the customer's.")
    )
    customer_reference = forms.CharField(label=_("customer reference"), max_length=60, required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, invoice=None, **kwargs):
        self.invoice = invoice
        super().__init__(*args, **kwargs)
        _visible_customers(self)
        if invoice is not None:
            # A draft keeps its customer and currency; make a new invoice for another one.
            del self.fields["customer"], self.fields["currency"]
            self.fields["payment_term"].help_text = _("Empty means a single payment on the issue date.")
            self.initial.update(
                {
                    "issue_date": invoice.issue_date,
                    "payment_term": invoice.payment_term_id,
                    "customer_reference": invoice.customer_reference,
                    "notes": invoice.notes,
                }
            )

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if values.get("issue_date") is None:
            values.pop("issue_date", None)
        return values


class InvoiceLineForm(LineForm):
    """A line of a manual invoice: an empty price is the product's list price (no price list on invoices)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].widget.attrs["placeholder"] = _("list price")


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, formset=LineFormSet, extra=1, can_delete=True)


def invoice_line_initial(invoice) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product,
            "quantity": line.quantity.normalize(),
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent.normalize() if line.discount_percent else None,
            "description": line.description,
        }
        for line in invoice.lines.select_related("product")
    ]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=1000, required=False)


class WriteOffForm(forms.Form):
    reason = forms.CharField(max_length=1000)
    amount = forms.DecimalField(required=False, min_value=Decimal("0.01"), **MONEY)


class ApplyCreditForm(CompanyForm):
    """Use a credit note's remaining credit (or a deposit) against one open invoice of the same customer."""

    invoice = forms.TypedChoiceField(label=_("invoice"), coerce=int)
    amount = _money(_("amount"), required=False)

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.invoices = {invoice.pk: invoice for invoice in invoices}
        self.fields["invoice"].choices = [
            (invoice.pk, f"{invoice.number} · {invoice.issue_date:%Y-%m-%d} · {invoice.amount_due}") for invoice in invoices
        ]

    def chosen(self):
        return self.invoices[self.cleaned_data["invoice"]]


class CreditNoteForm(forms.Form):
    """How much of each line to take back: one quantity field per invoice line (`qty-<line id>`), and a reason."""

    reason = forms.CharField(label=_("reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice_lines = list(lines)
        for line in self.invoice_lines:
            field = forms.DecimalField(
                label=line.description or line.product.name,
                required=False,
                min_value=Decimal("0"),
                max_digits=14,
                decimal_places=4,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm text-end", "inputmode": "decimal"}),
            )
            self.fields[f"qty-{line.pk}"] = field
            line.field_name = f"qty-{line.pk}"

    def rows(self):
        return [(line, self[line.field_name]) for line in self.invoice_lines]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.credit_lines():
            raise forms.ValidationError(_("Give a quantity to credit on at least one line."))
        return data

    def credit_lines(self) -> list[dict[str, Any]]:
        return [
            {"invoice_line": line.pk, "quantity": self.cleaned_data[line.field_name]}
            for line in self.invoice_lines
            if self.cleaned_data.get(line.field_name)
        ]


def allocations_from(data, invoices) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """({invoice, amount} for every `alloc-<id>` field filled in, {invoice id: error}) from posted data.

    Only the invoices offered on the page count; an amount for any other is ignored."""
    allocations, errors = [], {}
    for invoice in invoices:
        raw = (data.get(f"{ALLOCATION_PREFIX}{invoice.pk}") or "").strip().replace(" ", "")
        if not raw:
            continue
        try:
            amount = Decimal(raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw)
        except InvalidOperation:
            errors[invoice.pk] = str(_("Enter a number."))
            continue
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            errors[invoice.pk] = str(_("Enter an amount above zero with at most 2 decimals."))
            continue
        allocations.append({"invoice": invoice, "amount": amount})
    return allocations, errors


def _reload_on_change(field: forms.Field, url_name: str, target: str) -> None:
    """htmx: when the customer changes, fetch the part of the form that depends on it."""
    field.widget.attrs.update({"hx-get": reverse(url_name), "hx-trigger": "change", "hx-target": target, "hx-swap": "outerHTML"})


class PaymentForm(CompanyForm):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=customer_selectors.Customer.objects.none())
    amount = _money(_("amount"))
    date = forms.DateField(label=_("date"), required=False, widget=DateInput, help_text=_("Empty means today."))
    method = forms.ChoiceField(label=_("method"), choices=Payment.Method.choices, initial=Payment.Method.BANK_TRANSFER)
    reference = forms.CharField(label=_("reference"), max_length=80, required=False)
    currency = forms.ModelChoiceField(
        label=_("currency"), queryset=Currency.objects.all(), required=False, help_text=_("Empty means the customer's currency.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _visible_customers(self)
        _reload_on_change(self.fields["customer"], "billing:payment-open-invoices", "#allocations")

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}


class DepositForm(CompanyForm):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=customer_selectors.Customer.objects.none())
    sales_order = forms.TypedChoiceField(label=_("sales order"), coerce=int, required=False, empty_value=None)
    amount = _money(_("amount"))
    date = forms.DateField(label=_("date"), required=False, widget=DateInput, help_text=_("Empty means today."))
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER)
    reference = forms.CharField(label=_("reference"), max_length=80, required=False)

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        _visible_customers(self)
        _reload_on_change(self.fields["customer"], "billing:deposit-orders", "#field-sales_order")
        self.orders = {order.pk: order for order in orders}
        self.fields["sales_order"].choices = [("", "—")] + [
            (order.pk, f"{order.number} · {order.customer.code} · {order.currency.code} {order.total_amount}") for order in orders
        ]
        self.fields["sales_order"].help_text = _("Optional: the order the deposit is paid for.")

    def values(self) -> dict[str, Any]:
        values = {k: v for k, v in self.cleaned_data.items() if v is not None}
        if "sales_order" in values:
            values["sales_order"] = self.orders[values["sales_order"]]
        return values


class RefundForm(forms.Form):
    amount = forms.DecimalField(required=False, min_value=Decimal("0.01"), **MONEY)
    reason = forms.CharField(max_length=1000, required=False)


class SendForm(forms.Form):
    to = forms.EmailField(required=False)


class DateForm(forms.Form):
    on = forms.DateField(required=False)


class PeriodForm(forms.Form):
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)


class BillingSettingsForm(CompanyModelForm):
    class Meta:
        model = BillingSettings
        fields = ["invoice_policy", "apply_deposits_automatically", "dunning_level_1_days", "dunning_level_2_days", "dunning_level_3_days"]


class CompanyDetailsForm(StyledFormMixin, forms.ModelForm):
    """The company's legal details printed on invoices and carried in e-invoices."""

    class Meta:
        model = Company
        fields = ["legal_name", "tax_id", "street", "postal_code", "city", "email", "phone", "iban"]

    def __init__(self, *args, company=None, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
