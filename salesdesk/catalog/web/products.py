"""The product pages: list (with export), detail and form.

Who sees what of a product (issue #5): its prices (list price, floor price, max. discount) only
members who may read sales documents; what it costs (standard cost, min. margin) only members
allowed to see margins. A warehouse clerk has neither and still sees the product itself: SKU,
name, category, unit, tax, kind, active. Hidden fields leave the list columns, the export, the
detail fields and the history. The product's stock page belongs to the goods layer above and is
reached by URL name only.
"""

from dataclasses import dataclass, replace

from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog import selectors, visibility
from salesdesk.catalog.models import Product
from salesdesk.catalog.web.forms import ProductForm
from salesdesk.catalog.web.resources import CatalogResource
from salesdesk.core import audit
from salesdesk.core.web import views as generic
from salesdesk.core.web.resource import Column, Filter, yes_no

SEES_STOCK = "inventory.view_stocklevel"
hidden_fields = visibility.hidden_product_fields


def _categories(request):
    return [(c.pk, f"{'— ' * depth}{c.name}") for depth, c in selectors.category_tree(request.company)]


def _stock_url(product) -> str | None:
    try:
        return reverse("fulfilment:product-stock", args=[product.pk])
    except NoReverseMatch:
        return None


@dataclass
class ProductResource(CatalogResource):
    hidden: frozenset[str] = frozenset()  # fields this member may not see (see `for_member`)

    def for_member(self, membership) -> "ProductResource":
        """This resource as one member sees it: without the price and cost fields they may not see."""
        hidden = hidden_fields(membership)
        if not hidden:
            return self
        names = [f.name for f in Product._meta.concrete_fields if f.editable and f.name not in {"id", "company"} | hidden]
        return replace(self, columns=[c for c in self.columns if c.name not in hidden], detail_fields=tuple(names), hidden=hidden)

    def queryset(self, request):
        return selectors.products(request.company)

    def history(self, obj):
        return audit.history(obj).exclude(field__in=self.hidden)[:100] if self.show_history else None

    def detail_context(self, request, obj):
        show_stock = obj.kind == Product.Kind.GOODS and request.membership.has_perm(SEES_STOCK)
        return {"stock_url": _stock_url(obj) if show_stock else None}

    def urlpatterns(self):
        """The generic pages, with list and detail drawn per member."""
        own = [
            path(f"{self.route}/", ProductListView.as_view(resource=self), name="product-list"),
            path(f"{self.route}/<int:pk>/", ProductDetailView.as_view(resource=self), name="product-detail"),
        ]
        return own + [p for p in super().urlpatterns() if p.name not in {"product-list", "product-detail"}]


class ProductListView(generic.ResourceListView):
    def get(self, request, *args, **kwargs):
        self.resource = self.resource.for_member(request.membership)
        return super().get(request, *args, **kwargs)


class ProductDetailView(generic.ResourceDetailView):
    def get(self, request, *args, **kwargs):
        self.resource = self.resource.for_member(request.membership)
        return super().get(request, *args, **kwargs)


products = ProductResource(
    model=Product,
    url_base="catalog:product",
    route="products",
    columns=[
        Column("sku", _("SKU"), sort="sku", link=True),
        Column("name", _("name"), sort="name", link=True),
        Column("category", _("category"), sort="category__name"),
        Column("kind", _("kind"), sort="kind"),
        Column("unit", _("unit")),
        Column("list_price", _("list price"), sort="list_price", numeric=True),
        Column("cost", _("standard cost"), sort="cost", numeric=True),
        Column("tax", _("tax")),
        Column("active", _("active"), sort="active"),
    ],
    search_fields=("sku", "name", "description"),
    filters=[
        Filter("category", _("category"), "category_id", _categories),
        Filter("kind", _("kind"), "kind", lambda r: list(Product.Kind.choices)),
        Filter("active", _("active"), "active", yes_no),
    ],
    form_class=ProductForm,
    detail_template="catalog/product_detail.html",
    icon="box-seam",
)
