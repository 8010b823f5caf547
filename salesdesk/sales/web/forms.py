"""Forms of quotations, sales orders and contracts: a header form and a formset of lines.

The forms parse and validate input only; the services decide and save. A line's unit price
left empty means "the price list decides".
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Currency, PriceList, Product
from salesdesk.core.web.display import trim_decimal
from salesdesk.core.web.forms import CompanyForm, CompanyFormSetBase
from salesdesk.customers import selectors as customer_selectors
from salesdesk.inventory.models import Warehouse
from salesdesk.sales.models import Contract
from salesdesk.sales.selectors import contracts_visible

MIN_QUANTITY = Decimal("0.0001")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _visible_customers(form) -> None:
    """The customer picker offers the member's own customers only (their record scope)."""
    request = form.request
    if request is not None and getattr(request, "membership", None) is not None:
        form.fields["customer"].queryset = customer_selectors.customers_visible(form.company, request.membership).order_by("code")


def _fix_customer(form, document) -> None:
    """Editing a document or contract: its customer is shown but cannot change."""
    if document is not None:
        form.fields["customer"].disabled = True
        form.fields["customer"].required = False
        form.fields["customer"].help_text = _("The customer of a document cannot change.")
        form.initial["customer"] = document.customer_id


class DocumentForm(CompanyForm):
    """What quotations and orders share in their header."""

    customer = forms.ModelChoiceField(label=_("customer"), queryset=customer_selectors.Customer.objects.none())
    date = forms.DateField(label=_("date"), required=False, widget=DateInput, help_text=_("Empty means today."))
    currency = forms.ModelChoiceField(
        label=_("currency"), queryset=Currency.objects.all(), required=False, help_text=_("Empty means the customer's currency.")
    )
    price_list = forms.ModelChoiceField(
        label=_("price list"), queryset=PriceList.objects.all(), required=False, help_text=_("Empty means the customer's price list.")
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    header_fields: tuple[str, ...] = ("customer", "date", "currency", "price_list", "notes")

    def __init__(self, *args, document=None, **kwargs):
        self.document = document
        super().__init__(*args, **kwargs)
        _visible_customers(self)
        self.fields["price_list"].queryset = self.fields["price_list"].queryset.filter(active=True)
        _fix_customer(self, document)

    def load(self, document) -> None:
        self.initial.update({name: getattr(document, name) for name in self.header_fields if hasattr(document, name)})

    def values(self) -> dict[str, Any]:
        values = {k: v for k, v in self.cleaned_data.items() if k in self.header_fields}
        for name in ("date", "currency"):
            if values.get(name) is None:
                values.pop(name, None)
        if self.document is not None:
            values.pop("customer", None)  # a document keeps its customer
        return values


class QuotationForm(DocumentForm):
    valid_until = forms.DateField(
        label=_("valid until"), required=False, widget=DateInput, help_text=_("Empty means the company's usual validity.")
    )
    header_fields = ("customer", "date", "valid_until", "currency", "price_list", "notes")
    field_order = ["customer", "date", "valid_until", "currency", "price_list", "notes"]

    def values(self):
        values = super().values()
        if values.get("valid_until") is None:
            values.pop("valid_until", None)
        return values


class OrderForm(DocumentForm):
    requested_date = forms.DateField(label=_("requested delivery date"), required=False, widget=DateInput)
    customer_reference = forms.CharField(label=_("customer reference"), max_length=60, required=False)
    contract = forms.ModelChoiceField(
        label=_("contract"),
        queryset=Contract.objects.none(),
        required=False,
        help_text=_("Only the customer's active contracts."),
    )
    warehouse = forms.ModelChoiceField(
        label=_("warehouse"), queryset=Warehouse.objects.all(), required=False, help_text=_("Empty means the company's default warehouse.")
    )
    header_fields = ("customer", "date", "requested_date", "customer_reference", "contract", "currency", "price_list", "warehouse", "notes")
    field_order = list(header_fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = self.fields["warehouse"].queryset.filter(active=True).order_by("code")
        contracts = Contract.objects.filter(company=self.company, status=Contract.Status.ACTIVE).select_related("customer")
        if self.request is not None and getattr(self.request, "membership", None) is not None:
            contracts = contracts_visible(self.company, self.request.membership).filter(status=Contract.Status.ACTIVE)
        self.fields["contract"].queryset = contracts
        # The browser hides the contracts of other customers; `clean` makes sure of it.
        self.fields["contract"].widget.attrs["data-contract-picker"] = "1"
        self.contract_customers = {str(c.pk): str(c.customer_id) for c in contracts}

    def clean(self):
        data = super().clean()
        contract, customer = data.get("contract"), data.get("customer")
        if contract is not None and customer is not None and contract.customer_id != customer.pk:
            self.add_error("contract", _("This contract belongs to another customer."))
        return data


class ProductWidget(forms.HiddenInput):
    """The product's id; the visible box next to it searches products by SKU or name."""


class LineForm(CompanyForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    product = forms.ModelChoiceField(
        label=_("product"),
        queryset=Product.objects.all(),
        widget=ProductWidget,
        error_messages={"required": _("Choose a product."), "invalid_choice": _("Choose a product from the list.")},
    )
    quantity = forms.DecimalField(
        label=_("quantity"),
        max_digits=14,
        decimal_places=4,
        min_value=MIN_QUANTITY,
        widget=forms.TextInput,
        error_messages={"min_value": _("The quantity must be greater than zero.")},
    )
    unit_price = forms.DecimalField(
        label=_("unit price"), max_digits=14, decimal_places=4, min_value=Decimal("0"), required=False, widget=forms.TextInput
    )
    discount_percent = forms.DecimalField(
        label=_("discount (%)"),
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        widget=forms.TextInput,
    )
    description = forms.CharField(label=_("description"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the company's active products can be ordered (a line being amended keeps its own).
        self.fields["product"].queryset = self.fields["product"].queryset.filter(active=True)
        for name in ("quantity", "unit_price", "discount_percent"):
            attrs = self.fields[name].widget.attrs
            attrs.update({"inputmode": "decimal", "class": f"{attrs['class']} text-end", "autocomplete": "off"})
        self.fields["unit_price"].widget.attrs["placeholder"] = _("price list")
        self.fields["discount_percent"].widget.attrs["placeholder"] = "0"

    def product_label(self) -> str:
        product = self.initial.get("product")
        value = self["product"].value()
        if isinstance(product, Product) and str(product.pk) == str(value):
            return f"{product.sku} · {product.name}"
        if value:
            found = Product.objects.filter(company=self.company, pk=value if str(value).isdigit() else None).first()
            return f"{found.sku} · {found.name}" if found else ""
        return ""


class LineFormSet(CompanyFormSetBase):
    def lines(self, keep_ids: bool = False) -> list[dict[str, Any]]:
        """The kept rows as service line dicts; `keep_ids` for an amendment, which changes lines in place."""
        out = []
        for form in self.kept_forms():
            data = {k: v for k, v in form.cleaned_data.items() if k != DELETION_FIELD_NAME}
            if data.get("discount_percent") is None:
                data["discount_percent"] = Decimal("0")
            if not keep_ids or not data.get("id"):
                data.pop("id", None)
            if not data.get("description"):
                data.pop("description", None)
            out.append(data)
        return out

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.kept_forms():
            raise forms.ValidationError(_("Add at least one line."))


def line_formset(extra: int = 1):
    return forms.formset_factory(LineForm, formset=LineFormSet, extra=extra, can_delete=True)


QuotationLineFormSet = line_formset()
OrderLineFormSet = line_formset()
AmendLineFormSet = line_formset(extra=0)


def line_initial(document, keep_prices: bool = False) -> list[dict[str, Any]]:
    """The document's lines as form rows. In a draft, a price that came from the price list or a
    contract stays empty, so the price list decides again, and a price typed by hand is kept.
    An amendment (`keep_prices`) shows every line at the price the customer confirmed."""
    return [
        {
            "id": line.pk,
            "product": line.product,
            "quantity": trim_decimal(line.quantity, 0),
            "unit_price": trim_decimal(line.unit_price, 2) if keep_prices or line.price_source == "manual" else None,
            "discount_percent": trim_decimal(line.discount_percent, 0) if line.discount_percent else None,
            "description": line.description,
        }
        for line in document.lines.select_related("product")
    ]


class ContractForm(CompanyForm):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=customer_selectors.Customer.objects.none())
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("valid to"), widget=DateInput)
    currency = forms.ModelChoiceField(
        label=_("currency"), queryset=Currency.objects.all(), required=False, help_text=_("Empty means the customer's currency.")
    )
    allow_over_commitment = forms.BooleanField(label=_("contract price beyond the committed quantity"), required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, document=None, **kwargs):
        self.document = document
        super().__init__(*args, **kwargs)
        _visible_customers(self)
        _fix_customer(self, document)

    def load(self, contract) -> None:
        self.initial.update({name: getattr(contract, name) for name in self.fields})

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date cannot be before the start date."))
        return data

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if values.get("currency") is None:
            values.pop("currency", None)
        if self.document is not None:
            values.pop("customer", None)
        return values


class ContractItemForm(CompanyForm):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.all())
    price = forms.DecimalField(label=_("agreed price"), max_digits=14, decimal_places=4, min_value=Decimal("0"))
    quantity = forms.DecimalField(
        label=_("committed quantity"),
        max_digits=14,
        decimal_places=4,
        min_value=MIN_QUANTITY,
        error_messages={"min_value": _("The quantity must be greater than zero.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = self.fields["product"].queryset.filter(active=True).order_by("sku")


ContractItemFormSet = forms.formset_factory(ContractItemForm, formset=CompanyFormSetBase, extra=2, can_delete=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=1000, required=False)


class SendForm(forms.Form):
    to = forms.EmailField(required=False)
