"""Reads of deliveries, returns, the shipping queue and margins, always within the user's record scope.

Salespeople see their customers' deliveries and returns, managers their team's, the others
the whole company (as for customers).
"""

from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from salesdesk.accounts.selectors import scope_by_salesperson
from salesdesk.catalog.models import Product
from salesdesk.core.money import round_money
from salesdesk.fulfilment.models import Delivery, DeliveryLine, ReturnLine, ReturnRequest
from salesdesk.inventory.models import Reservation
from salesdesk.sales.models import SalesOrder, SalesOrderLine

ZERO = Decimal("0")
Q4 = Decimal("0.0001")


def deliveries_visible(company, membership) -> QuerySet[Delivery]:
    qs = Delivery.objects.filter(company=company).select_related("customer", "sales_order", "warehouse", "return_request")
    return scope_by_salesperson(qs, membership, field="customer__salesperson")


def returns_visible(company, membership) -> QuerySet[ReturnRequest]:
    qs = ReturnRequest.objects.filter(company=company).select_related("customer", "sales_order", "delivery", "invoice", "warehouse")
    return scope_by_salesperson(qs, membership, field="customer__salesperson")


def orders_to_ship(company, membership) -> QuerySet[SalesOrder]:
    """Confirmed orders with goods still to deliver, oldest requested date first (the warehouse's queue)."""
    qs = SalesOrder.objects.filter(company=company, status=SalesOrder.Status.CONFIRMED).exclude(delivery_state="delivered")
    qs = qs.select_related("customer", "warehouse").order_by(F("requested_date").asc(nulls_last=True), "date", "id")
    return scope_by_salesperson(qs, membership)


def order_lines_progress(order: SalesOrder) -> list[dict]:
    """Per order line: ordered, reserved, delivered, outstanding and on open deliveries."""
    lines = list(order.lines.select_related("product", "product__unit").order_by("sequence", "id"))
    claims = {r.order_line_id: r for r in Reservation.objects.filter(company_id=order.company_id, order_line_id__in=[x.pk for x in lines])}
    pending: dict[int, Decimal] = {}
    for line_id, qty in DeliveryLine.objects.filter(
        order_line_id__in=[x.pk for x in lines], delivery__status__in=[Delivery.Status.DRAFT, Delivery.Status.PICKED]
    ).values_list("order_line_id", "quantity"):
        pending[line_id] = pending.get(line_id, ZERO) + qty
    rows = []
    for line in lines:
        claim = claims.get(line.pk)
        rows.append(
            {
                "line": line,
                "goods": line.product.kind == Product.Kind.GOODS,
                "ordered": line.quantity,
                "reserved": claim.reserved if claim else ZERO,
                "delivered": line.delivered_quantity,
                "outstanding": line.outstanding_quantity,
                "backorder": (claim.wanted - claim.reserved) if claim else ZERO,
                "on_deliveries": pending.get(line.pk, ZERO),
            }
        )
    return rows


def line_margins(order: SalesOrder) -> list[dict]:
    """Gross profit per order line on what has shipped: revenue (the line's net amount pro rata) less the cost shipped.

    Revenue is in the order's currency and cost in the company's; for a foreign-currency
    order the margin is shown only where both are the base currency."""
    costs = {
        row["order_line_id"]: (row["cost"], row["quantity"])
        for row in DeliveryLine.objects.filter(
            order_line__order=order, delivery__status__in=[Delivery.Status.SHIPPED, Delivery.Status.DELIVERED]
        )
        .values("order_line_id")
        .annotate(cost=Sum("cost"), quantity=Sum("quantity"))
    }
    same_currency = order.currency.code == order.company.base_currency
    result = []
    for line in order.lines.select_related("product").order_by("sequence", "id"):
        cost, shipped = costs.get(line.pk, (ZERO, ZERO))
        cost = round_money(Decimal(str(cost or 0)))
        shipped = Decimal(str(shipped or 0)).quantize(Q4)
        revenue = round_money(line.amount * shipped / line.quantity) if line.quantity else ZERO
        margin = revenue - cost if same_currency else None
        result.append(
            {
                "line": line,
                "shipped": shipped,
                "revenue": revenue,
                "cost": cost,
                "gross_profit": margin,
                "margin_percent": round_money(margin * 100 / revenue) if margin is not None and revenue else None,
            }
        )
    return result


def incoming_returns(company, product_id: int) -> Decimal:
    """Goods approved to come back and not received yet."""
    total = ReturnLine.objects.filter(
        company=company, product_id=product_id, return_request__status=ReturnRequest.Status.APPROVED
    ).aggregate(total=Sum("quantity"))["total"]
    return Decimal(str(total or 0)).quantize(Q4)


def outgoing_lines(company, product_id: int) -> QuerySet[SalesOrderLine]:
    """Order lines still to ship this product (what the stock page lists as outgoing)."""
    ids = Reservation.objects.filter(company=company, product_id=product_id).values_list("order_line_id", flat=True)
    return (
        SalesOrderLine.objects.filter(company=company, pk__in=ids)
        .select_related("order", "order__customer")
        .order_by("order__confirmed_at")
    )


def returnable_deliveries(company, membership, customer) -> QuerySet[Delivery]:
    return deliveries_visible(company, membership).filter(
        customer=customer, status__in=[Delivery.Status.SHIPPED, Delivery.Status.DELIVERED]
    )
