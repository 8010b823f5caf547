"""The stock levels page: per product and warehouse what is on hand, reserved for orders and available.

The stock value is shown only to members who see costs (`fulfilment.margins_delivery`); the
warehouse works with quantities. A row opens the product's stock page, which the goods layer
above draws (it reads orders and returns too), reached by URL name only."""

from dataclasses import replace

from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.core.web import views as generic
from salesdesk.core.web.resource import Column, Filter, Resource
from salesdesk.inventory import selectors
from salesdesk.inventory.models import StockLevel, Warehouse

COSTS = "fulfilment.margins_delivery"
COST_COLUMNS = {"value"}


def _warehouses(request):
    return [(w.pk, f"{w.code} · {w.name}") for w in Warehouse.objects.filter(company=request.company).order_by("code").only("code", "name")]


class StockFilter(Filter):
    """What is on hand, what is free to sell, or where orders hold more than is free."""

    def apply(self, qs, request, raw):
        if raw == "on_hand":
            return qs.filter(on_hand__gt=0)
        if raw == "available":
            return qs.filter(available__gt=0)
        if raw == "none":
            return qs.filter(available__lte=0)
        return qs


class StockLevelResource(Resource):
    def queryset(self, request):
        return selectors.levels(request.company)

    def can(self, request):
        return {"add": False, "change": False, "delete": False}

    def url(self, kind, obj=None):
        try:
            if kind == "detail" and obj is not None:
                return reverse("fulfilment:product-stock", args=[obj.product_id])
            return reverse("inventory:stock-levels") if kind == "list" else None
        except NoReverseMatch:
            return None

    def urlpatterns(self):
        return [path("levels/", StockLevelListView.as_view(resource=self), name="stock-levels")]


class StockLevelListView(generic.ResourceListView):
    def get(self, request, *args, **kwargs):
        if not request.membership.has_perm(COSTS):
            self.resource = replace(self.resource, columns=[c for c in self.resource.columns if c.name not in COST_COLUMNS])
        return super().get(request, *args, **kwargs)


stock_levels = StockLevelResource(
    model=StockLevel,
    url_base="inventory:stock-level",
    columns=[
        Column("sku", _("SKU"), accessor="product.sku", sort="product__sku", link=True),
        Column("product", _("product"), accessor="product.name", sort="product__name", link=True),
        Column("warehouse", _("warehouse"), accessor="warehouse.code", sort="warehouse__code"),
        Column("on_hand", _("on hand"), sort="on_hand", numeric=True),
        Column("reserved", _("reserved"), sort="reserved", numeric=True),
        Column("available", _("available"), sort="available", numeric=True),
        Column("unit", _("unit"), accessor="product.unit.code"),
        Column("value", _("stock value"), sort="value", numeric=True),
    ],
    search_fields=("product__sku", "product__name"),
    filters=[
        Filter("warehouse", _("warehouse"), "warehouse_id", _warehouses),
        StockFilter(
            "stock", _("stock"), "", lambda r: [("on_hand", _("on hand")), ("available", _("available")), ("none", _("none free"))]
        ),
    ],
    default_sort="product__sku",
    icon="boxes",
    deletable=False,
    show_history=False,
    title=_("stock level"),
    title_plural=_("stock levels"),
)
