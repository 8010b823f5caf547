"""Forms of the catalog: products, categories, taxes, currencies, units, price lists."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Currency, CurrencyRate, PriceList, PriceListItem, Product, ProductCategory, Tax, Unit
from salesdesk.catalog.services import STANDARD_UNITS
from salesdesk.core.web.forms import CompanyForm, CompanyFormSetBase, CompanyModelForm, model_fields


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.code in dict(STANDARD_UNITS):
            self.fields["code"].help_text = _("A standard unit (pc, kg, h) keeps its code.")


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

    def __init__(self, *args, price_list: PriceList | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # New entries are for products on sale; a retired product the list already prices
        # stays on offer, so the list can be edited without losing (or re-pointing) its entry.
        on_offer = Q(active=True)
        if price_list is not None and price_list.pk:
            on_offer |= Q(pk__in=PriceListItem.objects.filter(price_list=price_list, product__isnull=False).values("product_id"))
        self.fields["product"].queryset = self.fields["product"].queryset.filter(on_offer).order_by("sku")
        for name in ("min_quantity", "price", "discount_percent", "floor_price", "max_discount_percent"):
            self.fields[name].widget.attrs.update({"step": "any", "class": self.fields[name].widget.attrs["class"] + " form-control-sm"})
        self.fields["min_quantity"].widget.attrs["placeholder"] = "0"

    def clean_min_quantity(self):
        return self.cleaned_data.get("min_quantity") or Decimal("0")


class PriceListItemFormSetBase(CompanyFormSetBase):
    """The entries of one price list (`price_list`; None while the list is being created)."""

    def __init__(self, *args, price_list: PriceList | None = None, **kwargs):
        self.price_list = price_list
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "price_list": self.price_list}


PriceListItemFormSet = forms.formset_factory(PriceListItemForm, formset=PriceListItemFormSetBase, extra=2, can_delete=True)
