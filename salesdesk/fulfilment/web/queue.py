"""The warehouse's shipping queue ("To ship") and its home cards.

The queue lists confirmed orders with goods still to deliver, oldest requested date first, and
per order line what is outstanding, reserved for it, already on open deliveries and still free
to put on a new one. It shows quantities only: the warehouse sees no prices."""

from decimal import Decimal

from django.db.models import F, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views import View

from salesdesk.catalog.models import Product
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.home import home_card
from salesdesk.core.web.pages import page_of
from salesdesk.fulfilment import selectors
from salesdesk.fulfilment.models import DeliveryLine
from salesdesk.fulfilment.web.resources import OPEN_DELIVERY, warehouse_choices
from salesdesk.inventory.models import Reservation
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.models import SalesOrderLine

ZERO = Decimal("0")
ORDERS_PER_PAGE = 25


def _waiting_lines(company):
    """Order lines still waiting for stock (their reservation is short of what they want)."""
    return Reservation.objects.filter(company=company, reserved__lt=F("wanted"))


def queue_rows(company, orders) -> list[dict]:
    """Per order of a page, its goods lines with something outstanding, in three queries for the whole page."""
    ids = [order.pk for order in orders]
    lines = list(
        SalesOrderLine.objects.filter(order_id__in=ids, product__kind=Product.Kind.GOODS, quantity__gt=F("delivered_quantity"))
        .select_related("product", "product__unit")
        .order_by("order_id", "sequence", "id")
    )
    line_ids = [line.pk for line in lines]
    claims = {r.order_line_id: r for r in Reservation.objects.filter(company=company, order_line_id__in=line_ids)}
    pending: dict[int, Decimal] = {}
    rows = DeliveryLine.objects.filter(order_line_id__in=line_ids, delivery__status__in=OPEN_DELIVERY).values_list(
        "order_line_id", "quantity"
    )
    for line_id, qty in rows:
        pending[line_id] = pending.get(line_id, ZERO) + qty
    by_order: dict[int, list[dict]] = {}
    for line in lines:
        claim = claims.get(line.pk)
        outstanding = line.quantity - line.delivered_quantity
        on_deliveries = pending.get(line.pk, ZERO)
        by_order.setdefault(line.order_id, []).append(
            {
                "line": line,
                "outstanding": outstanding,
                "reserved": claim.reserved if claim else ZERO,
                "backorder": claim.waiting if claim else ZERO,
                "on_deliveries": on_deliveries,
                "deliverable": max(outstanding - on_deliveries, ZERO),
            }
        )
    result = []
    for order in orders:
        order_lines = by_order.get(order.pk, [])
        result.append(
            {
                "order": order,
                "lines": order_lines,
                "deliverable": any(row["deliverable"] > 0 for row in order_lines),
                "backorder": any(row["backorder"] > 0 for row in order_lines),
            }
        )
    return result


class ToShipView(CompanyRequiredMixin, View):
    """Filters: `q` (order number or customer), `warehouse`, `due` (requested by today), `backorder` (waiting for stock)."""

    permission = "fulfilment.view_delivery"

    def get(self, request):
        company, m = request.company, request.membership
        orders = selectors.orders_to_ship(company, m)
        q = request.GET.get("q", "").strip()
        if q:
            orders = orders.filter(Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(customer__code__icontains=q))
        warehouse = request.GET.get("warehouse", "")
        options = warehouse_choices(request)
        if warehouse in {str(pk) for pk, _label in options}:
            default = sales_selectors.sales_settings(company).default_warehouse_id
            condition = Q(warehouse_id=int(warehouse))
            if default and str(default) == warehouse:
                condition |= Q(warehouse__isnull=True)
            orders = orders.filter(condition)
        else:
            warehouse = ""
        due = request.GET.get("due") == "1"
        if due:
            orders = orders.filter(requested_date__lte=timezone.localdate())
        backorder = request.GET.get("backorder") == "1"
        if backorder:
            waiting = SalesOrderLine.objects.filter(pk__in=_waiting_lines(company).values("order_line_id")).values("order_id")
            orders = orders.filter(pk__in=waiting)
        page = page_of(orders, ORDERS_PER_PAGE, request.GET.get("page"))
        context = {
            "rows": queue_rows(company, list(page.object_list)),
            "page": page,
            "q": q,
            "warehouses": options,
            "warehouse": warehouse,
            "due": due,
            "backorder": backorder,
            "filtered": bool(q or warehouse or due or backorder),
            "can_deliver": m.has_perm("fulfilment.add_delivery"),
            "show_order_link": m.has_perm("sales.view_salesorder"),
        }
        return render(request, "fulfilment/to_ship.html", context)


@home_card(order=32)
def to_ship_card(request):
    """Deliveries planned for today or earlier that have not left yet, and the orders waiting in the queue."""
    m = request.membership
    if not m.has_perm("fulfilment.change_delivery"):
        return None
    due = selectors.deliveries_visible(request.company, m).filter(status__in=OPEN_DELIVERY, date__lte=timezone.localdate())
    return {
        "title": gettext_lazy("Deliveries to ship today"),
        "value": due.count(),
        "icon": "truck",
        "url": reverse("fulfilment:delivery-list") + "?due=1",
        "hint": "",
    }


@home_card(order=33)
def backorders_card(request):
    """Order lines waiting for stock: what the next receipts are for."""
    m = request.membership
    if not m.has_perm("fulfilment.change_delivery"):
        return None
    return {
        "title": gettext_lazy("Backorders"),
        "value": _waiting_lines(request.company).count(),
        "icon": "hourglass-split",
        "url": reverse("fulfilment:to-ship") + "?backorder=1",
        "hint": gettext_lazy("order lines waiting for stock"),
    }
