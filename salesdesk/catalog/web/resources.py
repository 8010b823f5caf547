"""Pages of the catalog (the product pages are in `products.py`)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog import selectors
from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Currency, PriceList, ProductCategory, Tax, Unit
from salesdesk.catalog.web.forms import (
    CategoryForm,
    CurrencyForm,
    PriceListForm,
    PriceListItemFormSet,
    RateForm,
    TaxForm,
    UnitForm,
)
from salesdesk.core.web import views as generic
from salesdesk.core.web.resource import Column, Filter, Resource, yes_no


class CatalogResource(Resource):
    """Catalog master data, written through `catalog.services`."""

    def create(self, request, values, lines=None):
        return catalog_services.create(model=self.model, company=request.company, actor=request.user, values=values)

    def update(self, request, obj, values, lines=None):
        return catalog_services.update(instance=obj, actor=request.user, values=values)

    def delete(self, request, obj):
        catalog_services.delete(instance=obj, actor=request.user)


categories = CatalogResource(
    model=ProductCategory,
    url_base="catalog:category",
    route="categories",
    columns=[
        Column("name", _("name"), sort="name", link=True),
        Column("parent", _("parent"), sort="parent__name"),
        Column("products", _("products"), accessor=lambda c: c.products.count(), numeric=True),
    ],
    search_fields=("name",),
    form_class=CategoryForm,
    tree=selectors.category_tree,
    icon="diagram-3",
)


class PriceListResource(Resource):
    def queryset(self, request):
        return selectors.price_lists(request.company)

    def create(self, request, values, lines=None):
        return catalog_services.price_list_save(company=request.company, actor=request.user, values=values, items=lines)

    def update(self, request, obj, values, lines=None):
        return catalog_services.price_list_save(company=request.company, actor=request.user, values=values, items=lines, price_list=obj)

    def delete(self, request, obj):
        catalog_services.delete(instance=obj, actor=request.user)

    def formset_initial(self, obj):
        fields = ("product", "category", "min_quantity", "price", "discount_percent", "floor_price", "max_discount_percent")
        return [{f: getattr(item, f) for f in fields} for item in obj.items.select_related("product", "category")]

    def detail_context(self, request, obj):
        return {"items": obj.items.select_related("product", "category")}

    def urlpatterns(self):
        """The generic pages; the edit page's entries know their price list."""
        own = path(f"{self.route}/<int:pk>/edit/", PriceListUpdateView.as_view(resource=self), name="pricelist-update")
        return [own if p.name == "pricelist-update" else p for p in super().urlpatterns()]


class PriceListUpdateView(generic.ResourceUpdateView):
    def build(self, obj, data=None):
        form = super().build(obj, data)[0]
        initial = self.resource.formset_initial(obj) if data is None else None
        formset = PriceListItemFormSet(data, prefix="lines", initial=initial, company=self.request.company, price_list=obj)
        return form, formset


price_lists = PriceListResource(
    model=PriceList,
    url_base="catalog:pricelist",
    route="price-lists",
    columns=[
        Column("name", _("name"), sort="name", link=True),
        Column("currency", _("currency"), sort="currency__code"),
        Column("customer_group", _("customer group")),
        Column("valid_from", _("valid from"), sort="valid_from"),
        Column("valid_to", _("valid to"), sort="valid_to"),
        Column("is_default", _("company default")),
        Column("active", _("active"), sort="active"),
        Column("entries", _("entries"), accessor=lambda p: len(p.items.all()), numeric=True),
    ],
    search_fields=("name",),
    filters=[Filter("active", _("active"), "active", yes_no)],
    form_class=PriceListForm,
    formset_class=PriceListItemFormSet,
    formset_label=_("Entries: a product or a category, a fixed price or a discount"),
    detail_template="catalog/pricelist_detail.html",
    icon="tags",
)

taxes = CatalogResource(
    model=Tax,
    url_base="catalog:tax",
    route="taxes",
    columns=[
        Column("name", _("name"), sort="name", link=True),
        Column("rate", _("rate (%)"), sort="rate", numeric=True),
        Column("included_in_price", _("included in price")),
        Column("active", _("active"), sort="active"),
    ],
    search_fields=("name",),
    filters=[Filter("active", _("active"), "active", yes_no)],
    form_class=TaxForm,
    icon="percent",
)


class CurrencyResource(CatalogResource):
    def detail_context(self, request, obj):
        m = request.membership
        return {
            "rates": obj.rates.all()[:50],
            "is_base": obj.code == request.company.base_currency,
            "rate_form": RateForm(company=request.company, request=request),
            "can_rate": {"add": m.has_perm("catalog.add_currencyrate"), "delete": m.has_perm("catalog.delete_currencyrate")},
        }


def _latest_rate(currency):
    rate = currency.rates.order_by("-date").first()
    return rate.rate if rate else None


currencies = CurrencyResource(
    model=Currency,
    url_base="catalog:currency",
    route="currencies",
    columns=[
        Column("code", _("code"), sort="code", link=True),
        Column("name", _("name"), sort="name"),
        Column("decimal_places", _("decimal places"), numeric=True),
        Column("rate", _("latest rate"), accessor=_latest_rate, numeric=True),
    ],
    search_fields=("code", "name"),
    form_class=CurrencyForm,
    detail_template="catalog/currency_detail.html",
    icon="currency-exchange",
)

units = CatalogResource(
    model=Unit,
    url_base="catalog:unit",
    route="units",
    columns=[Column("code", _("code"), sort="code", link=True), Column("name", _("name"), sort="name")],
    search_fields=("code", "name"),
    form_class=UnitForm,
    icon="rulers",
)
