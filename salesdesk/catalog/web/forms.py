"""Forms of the catalog: products, categories, taxes, currencies, units, price lists."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Currency, CurrencyRate, PriceList, Product, ProductCategory, Tax, Unit
from salesdesk.core.web.forms import CompanyForm, CompanyModelForm, company_formset, model_fields


class ProductForm(CompanyModelForm):
    class Meta:
        model = Product
        fields = model_fields(Product)


class CategoryForm(CompanyModelForm):
    class Meta:
        model = ProductCategory
        fields = ["name", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk=self.instance.pk)


class TaxForm(CompanyModelForm):
    class Meta:
        model = Tax
        fields = ["name", "rate", "included_in_price", "active"]


class CurrencyForm(CompanyModelForm):
    class Meta:
        model = Currency
        fields = ["code", "name", "decimal_places"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("A currency code cannot change.")


class RateForm(CompanyModelForm):
    class Meta:
        model = CurrencyRate
        fields = ["date", "rate"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class UnitForm(CompanyModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name"]


class PriceListForm(CompanyModelForm):
    class Meta:
        model = PriceList
        fields = ["name", "currency", "customer_group", "valid_from", "valid_to", "is_default", "active"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}), "valid_to": forms.DateInput(attrs={"type": "date"})}


class PriceListItemForm(CompanyForm):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.all(), required=False)
    category = forms.ModelChoiceField(label=_("category"), queryset=ProductCategory.objects.all(), required=False)
    min_quantity = forms.DecimalField(label=_("from quantity"), max_digits=14, decimal_places=4, min_value=0, required=False)
    price = forms.DecimalField(label=_("fixed price"), max_digits=14, decimal_places=4, min_value=0, required=False)
    discount_percent = forms.DecimalField(
        label=_("discount (%)"), max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False
    )
    floor_price = forms.DecimalField(label=_("floor price"), max_digits=14, decimal_places=4, min_value=0, required=False)
    max_discount_percent = forms.DecimalField(
        label=_("max. discount (%)"), max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = self.fields["product"].queryset.filter(active=True).order_by("sku")
        for name in ("min_quantity", "price", "discount_percent", "floor_price", "max_discount_percent"):
            self.fields[name].widget.attrs.update({"step": "any", "class": self.fields[name].widget.attrs["class"] + " form-control-sm"})
        self.fields["min_quantity"].widget.attrs["placeholder"] = "0"

    def clean_min_quantity(self):
        return self.cleaned_data.get("min_quantity") or Decimal("0")


PriceListItemFormSet = company_formset(PriceListItemForm, extra=2)
