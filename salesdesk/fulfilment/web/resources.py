"""List and detail pages of deliveries, returns and stock adjustments.

Deliveries and returns are read through the fulfilment selectors' `*_visible` scopes (a
salesperson sees their own customers', a sales manager their team's, the warehouse all);
every write goes through the fulfilment services from the action views next to this module.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.web.resource import Column, DocumentResource, Filter
from salesdesk.customers.web.filters import CustomerFilter
from salesdesk.fulfilment import selectors
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.fulfilment.web import details
from salesdesk.fulfilment.web.forms import AdjustmentForm, ReturnForm
from salesdesk.inventory.models import StockAdjustment, Warehouse

DELIVERY_COLOURS = {
    "draft": "secondary",
    "picked": "info",
    "shipped": "primary",
    "delivered": "success",
    "refused": "danger",
    "cancelled": "dark",
}
RETURN_COLOURS = {"requested": "warning", "approved": "info", "received": "primary", "credited": "success", "rejected": "dark"}
ADJUSTMENT_COLOURS = {"adjustment": "secondary", "receipt": "success"}
OPEN_DELIVERY = (Delivery.Status.DRAFT, Delivery.Status.PICKED)


def warehouse_choices(request):
    return [(w.pk, f"{w.code} · {w.name}") for w in Warehouse.objects.filter(company=request.company).order_by("code").only("code", "name")]


class DueFilter(Filter):
    """Open deliveries (draft or picked) planned for today or earlier: the warehouse's work for today."""

    def apply(self, qs, request, raw):
        if raw == "1":
            return qs.filter(status__in=OPEN_DELIVERY, date__lte=timezone.localdate())
        return qs


class GoodsResource(DocumentResource):
    """Numbered goods documents: scoped reads, never deleted, their own detail templates and action views."""

    create_name: str | None = None


class DeliveryResource(GoodsResource):
    def queryset(self, request):
        return selectors.deliveries_visible(request.company, request.membership)

    def detail_context(self, request, obj):
        return details.delivery_context(request, obj)


class ReturnResource(GoodsResource):
    def queryset(self, request):
        return selectors.returns_visible(request.company, request.membership)

    def detail_context(self, request, obj):
        return details.return_context(request, obj)


class AdjustmentResource(GoodsResource):
    def queryset(self, request):
        return StockAdjustment.objects.filter(company=request.company).select_related("warehouse", "created_by")

    def detail_context(self, request, obj):
        return details.adjustment_context(request, obj)


def _order_number(document) -> str:
    return document.sales_order.number if document.sales_order_id else ""


deliveries = DeliveryResource(
    model=Delivery,
    url_base="fulfilment:delivery",
    route="deliveries",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("status", _("status"), sort="status", badge=DELIVERY_COLOURS),
        Column("customer", _("customer"), sort="customer__name"),
        Column("sales_order", _("sales order"), accessor=_order_number, sort="sales_order__number"),
        Column("warehouse", _("warehouse"), accessor="warehouse.code", sort="warehouse__code"),
        Column("date", _("planned date"), sort="date"),
        Column("carrier", _("carrier"), sort="carrier"),
        Column("tracking_number", _("tracking number")),
        Column("shipped_at", _("shipped"), sort="shipped_at"),
    ],
    search_fields=("number", "customer__code", "customer__name", "sales_order__number", "tracking_number", "carrier"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(Delivery.Status.choices)),
        Filter("warehouse", _("warehouse"), "warehouse_id", warehouse_choices),
        DueFilter("due", _("to ship today"), "", lambda r: [("1", _("Yes"))]),
        CustomerFilter(),
        Filter("date_from", _("from"), "date__gte", kind="date_from"),
        Filter("date_to", _("to"), "date__lte", kind="date_to"),
    ],
    default_sort="-date",
    detail_template="fulfilment/delivery_detail.html",
    list_template="fulfilment/delivery_list.html",
    icon="truck",
    deletable=False,
    show_history=False,
)

returns = ReturnResource(
    model=ReturnRequest,
    url_base="fulfilment:return",
    route="returns",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("status", _("status"), sort="status", badge=RETURN_COLOURS),
        Column("customer", _("customer"), sort="customer__name"),
        Column("sales_order", _("sales order"), accessor=_order_number, sort="sales_order__number"),
        Column("delivery", _("delivery"), accessor=lambda r: r.delivery.number if r.delivery_id else "", sort="delivery__number"),
        Column("warehouse", _("warehouse"), accessor="warehouse.code", sort="warehouse__code"),
        Column("date", _("date"), sort="date"),
        Column("reason", _("reason")),
    ],
    search_fields=("number", "customer__code", "customer__name", "sales_order__number", "delivery__number", "reason"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(ReturnRequest.Status.choices)),
        Filter("warehouse", _("warehouse"), "warehouse_id", warehouse_choices),
        CustomerFilter(),
        Filter("date_from", _("from"), "date__gte", kind="date_from"),
        Filter("date_to", _("to"), "date__lte", kind="date_to"),
    ],
    default_sort="-date",
    form_class=ReturnForm,  # shows the "New return" button; the page is `returns.ReturnCreateView`
    detail_template="fulfilment/return_detail.html",
    icon="arrow-return-left",
    deletable=False,
    show_history=False,
)


adjustments = AdjustmentResource(
    model=StockAdjustment,
    url_base="fulfilment:adjustment",
    route="adjustments",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("kind", _("kind"), sort="kind", badge=ADJUSTMENT_COLOURS),
        Column("warehouse", _("warehouse"), accessor="warehouse.code", sort="warehouse__code"),
        Column("date", _("date"), sort="date"),
        Column("reason", _("reason")),
        Column("created_by", _("by"), accessor="created_by"),
    ],
    search_fields=("number", "reason"),
    filters=[
        Filter("kind", _("kind"), "kind", lambda r: list(StockAdjustment.Kind.choices)),
        Filter("warehouse", _("warehouse"), "warehouse_id", warehouse_choices),
        Filter("date_from", _("from"), "date__gte", kind="date_from"),
        Filter("date_to", _("to"), "date__lte", kind="date_to"),
    ],
    default_sort="-date",
    form_class=AdjustmentForm,  # shows the "New stock adjustment" button; the page is `stock.AdjustmentCreateView`
    detail_template="fulfilment/adjustment_detail.html",
    icon="box-seam",
    deletable=False,
    show_history=False,
)
