"""Forms of the warehouse pages. They parse and validate input only; the fulfilment services decide and save.

Per-line quantities of a delivery or a receipt are typed in one field per line (`qty-<line id>`),
so the page shows every line of the document and nothing has to be added by hand.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Product
from salesdesk.core.web.display import trim_decimal
from salesdesk.core.web.forms import CompanyForm, CompanyFormSetBase, CompanyModelForm
from salesdesk.customers import selectors as customer_selectors
from salesdesk.fulfilment import selectors
from salesdesk.fulfilment.models import ReturnOutcome, ReturnRequest
from salesdesk.inventory.models import StockAdjustment, Warehouse
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.web.forms import DateInput

QTY = {"max_digits": 14, "decimal_places": 4}
QTY_PREFIX = "qty-"
OUTCOME_PREFIX = "outcome-"


def _decimal_input(field: forms.Field, placeholder: str = "") -> forms.Field:
    field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": f"{field.widget.attrs.get('class', '')} text-end"})
    if placeholder:
        field.widget.attrs["placeholder"] = placeholder
    return field


def quantity_field(label, *, required=False, min_value=Decimal("0"), initial=None) -> forms.DecimalField:
    field = forms.DecimalField(label=label, required=required, min_value=min_value, initial=initial, widget=forms.TextInput, **QTY)
    return _decimal_input(field)


def _goods(form, name: str = "product") -> None:
    form.fields[name].queryset = form.fields[name].queryset.filter(kind=Product.Kind.GOODS, active=True).order_by("sku")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=1000)


class DeliveryUpdateForm(CompanyForm):
    """What the warehouse may still note on a delivery: carrier, tracking, address, notes (and the date while a draft)."""

    date = forms.DateField(label=_("planned date"), required=False, widget=DateInput)
    carrier = forms.CharField(label=_("carrier"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("tracking number"), max_length=100, required=False)
    shipping_address = forms.CharField(label=_("shipping address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, delivery=None, **kwargs):
        self.delivery = delivery
        super().__init__(*args, **kwargs)
        if delivery is not None:
            self.initial.update({name: getattr(delivery, name) for name in self.fields})
            if delivery.status != delivery.Status.DRAFT:
                del self.fields["date"]  # the goods left: the planned date is history

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if "date" in values and values["date"] is None:
            values.pop("date")
        return values


class DeliveryCreateForm(CompanyForm):
    """A delivery from an order: every deliverable line with its quantity (all that is outstanding by default)."""

    date = forms.DateField(label=_("planned date"), required=False, widget=DateInput, help_text=_("Empty means today."))
    carrier = forms.CharField(label=_("carrier"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("tracking number"), max_length=100, required=False)
    shipping_address = forms.CharField(label=_("shipping address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order=None, lines=(), **kwargs):
        """`lines`: [(order line, deliverable quantity)]."""
        self.order, self.order_lines = order, list(lines)
        super().__init__(*args, **kwargs)
        if order is not None:
            self.initial.setdefault("shipping_address", order.customer.shipping_address)
        for line, left in self.order_lines:
            field = quantity_field(line.description or line.product.name, initial=trim_decimal(left, 0))
            field.widget.attrs["class"] += " form-control form-control-sm"
            self.fields[f"{QTY_PREFIX}{line.pk}"] = field

    def rows(self) -> list[dict]:
        return [{"line": line, "left": left, "field": self[f"{QTY_PREFIX}{line.pk}"]} for line, left in self.order_lines]

    def header_fields(self):
        return [self[name] for name in ("date", "carrier", "tracking_number", "shipping_address", "notes")]

    def clean(self):
        data = super().clean()
        for line, left in self.order_lines:  # said on the line itself, with what is left of it
            name = f"{QTY_PREFIX}{line.pk}"
            if (data.get(name) or 0) > left:
                self.add_error(name, _("Only %(left)s left to deliver.") % {"left": floatformat(left, "-4g")})
        if not self.errors and not self.chosen_lines():
            raise forms.ValidationError(_("Enter a quantity for at least one line."))
        return data

    def chosen_lines(self) -> list[dict]:
        out = []
        for line, _left in self.order_lines:
            qty = self.cleaned_data.get(f"{QTY_PREFIX}{line.pk}")
            if qty:
                out.append({"order_line": line.pk, "quantity": qty})
        return out

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in ("carrier", "tracking_number", "shipping_address", "notes")}
        if self.cleaned_data.get("date"):
            values["date"] = self.cleaned_data["date"]
        return values


class ReturnForm(CompanyModelForm):
    """The header of a return: the order, delivery and invoice pickers offer only the chosen customer's documents."""

    class Meta:
        model = ReturnRequest
        fields = ["customer", "sales_order", "delivery", "invoice", "warehouse", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, customer_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        membership = self.request.membership
        visible = customer_selectors.customers_visible(self.company, membership).order_by("code")
        self.fields["customer"].queryset = visible
        self.fields["customer"].widget.attrs["data-return-customer"] = "1"
        self.fields["warehouse"].queryset = Warehouse.objects.filter(company=self.company, active=True).order_by("code")
        self.fields["warehouse"].required = False
        self.fields["warehouse"].help_text = _("Empty means the delivery's, else the company's default warehouse.")
        customer = visible.filter(pk=customer_id).first() if customer_id else None
        orders = sales_selectors.orders_visible(self.company, membership).filter(customer=customer).order_by("-date", "-id")
        self.fields["sales_order"].queryset = orders if customer else orders.none()
        deliveries = selectors.returnable_deliveries(self.company, membership, customer) if customer else None
        self.fields["delivery"].queryset = deliveries.order_by("-date", "-id") if customer else self.fields["delivery"].queryset.none()
        # Invoices are billing's (an upper app): the picker reads them through the model's own link.
        invoices = self.fields["invoice"].queryset.filter(customer=customer, kind="invoice", status__in=["posted", "paid"])
        self.fields["invoice"].queryset = invoices.order_by("-issue_date", "-id") if customer else invoices.none()
        for name in ("sales_order", "delivery", "invoice"):
            self.fields[name].help_text = _("Optional; the customer's documents once a customer is chosen.")


class ReturnLineForm(CompanyForm):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.all())
    quantity = quantity_field(_("quantity"), required=True)
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _goods(self)
        self.fields["quantity"].help_text = _("Zero leaves the line out.")

    def clean(self):
        data = super().clean()
        if data.get("quantity") == 0:  # as on a delivery: nothing of this line comes back
            data[forms.formsets.DELETION_FIELD_NAME] = True
        return data


ReturnLineFormSet = forms.formset_factory(ReturnLineForm, formset=CompanyFormSetBase, extra=1, can_delete=True)


class ReceiveForm(forms.Form):
    """What arrived of each return line and what happens to it."""

    def __init__(self, *args, lines=(), **kwargs):
        self.return_lines = list(lines)
        super().__init__(*args, **kwargs)
        for line in self.return_lines:
            self.fields[f"{QTY_PREFIX}{line.pk}"] = quantity_field(line.product, required=True, initial=trim_decimal(line.quantity, 0))
            self.fields[f"{OUTCOME_PREFIX}{line.pk}"] = forms.ChoiceField(
                label=_("outcome"),
                choices=[("", "—"), *ReturnOutcome.choices],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{QTY_PREFIX}{line.pk}"].widget.attrs["class"] += " form-control form-control-sm"

    def rows(self) -> list[dict]:
        return [
            {"line": line, "quantity": self[f"{QTY_PREFIX}{line.pk}"], "outcome": self[f"{OUTCOME_PREFIX}{line.pk}"]}
            for line in self.return_lines
        ]

    def lines(self) -> list[dict]:
        return [
            {
                "id": line.pk,
                "quantity": self.cleaned_data[f"{QTY_PREFIX}{line.pk}"],
                "outcome": self.cleaned_data[f"{OUTCOME_PREFIX}{line.pk}"],
            }
            for line in self.return_lines
        ]


class AdjustmentForm(CompanyForm):
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=Warehouse.objects.all())
    kind = forms.ChoiceField(label=_("kind"), choices=StockAdjustment.Kind.choices, initial=StockAdjustment.Kind.ADJUSTMENT)
    reason = forms.CharField(label=_("reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = self.fields["warehouse"].queryset.filter(active=True).order_by("code")
        self.fields["kind"].help_text = _("A receipt brings goods in; an adjustment corrects a count (negative removes).")


class AdjustmentLineForm(CompanyForm):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.all())
    quantity = quantity_field(_("quantity"), required=True, min_value=None)
    unit_cost = quantity_field(_("unit cost"), required=False)

    def __init__(self, *args, show_cost: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        _goods(self)
        if show_cost:
            self.fields["unit_cost"].widget.attrs["placeholder"] = _("standard cost")
        else:
            del self.fields["unit_cost"]  # clerks see no costs: goods come in at standard cost


class AdjustmentLineFormSetBase(CompanyFormSetBase):
    def __init__(self, *args, show_cost: bool = True, **kwargs):
        self.show_cost = show_cost
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "show_cost": self.show_cost}

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for line in super().lines():
            if line.get("unit_cost") is None:
                line.pop("unit_cost", None)
            out.append(line)
        return out


AdjustmentLineFormSet = forms.formset_factory(AdjustmentLineForm, formset=AdjustmentLineFormSetBase, extra=2, can_delete=True)
