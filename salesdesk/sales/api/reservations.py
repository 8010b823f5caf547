"""What stock holds for each order line, read once for all the orders an answer shows (never per line).

The order serializers keep the reservations of the lines on the page in their context: a list
reads them in one query for every order on it, a single order for its own lines.
"""

from django.db import models
from rest_framework import serializers

from salesdesk.core.money import ZERO
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.sales.models import SalesOrder

CONTEXT_KEY = "order_line_reservations"
# Only a confirmed order holds stock (reserved at confirmation, released at cancellation); a closed one
# may again once a refusal reopens it. Other orders need no query.
HOLDING_STOCK = (SalesOrder.Status.CONFIRMED, SalesOrder.Status.CLOSED)


def read_reservations(serializer, orders) -> None:
    holding = [order for order in orders if order.pk and order.status in HOLDING_STOCK]
    line_ids = [line.pk for order in holding for line in order.lines.all()]
    found = stock_selectors.reservations_by_line(holding[0].company_id, line_ids) if line_ids else {}
    serializer.context[CONTEXT_KEY] = found


def reserved_for(serializer, line):
    """The line's reserved quantity, from what the order serializer read (or its own claim, for a line shown alone)."""
    reservations = serializer.context.get(CONTEXT_KEY)
    if reservations is None:
        reservations = stock_selectors.reservations_by_line(line.company_id, [line.pk])
    claim = reservations.get(line.pk)
    return claim.reserved if claim else ZERO


class OrderListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        orders = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        read_reservations(self, orders)
        return super().to_representation(orders)


class ReservationsMixin:
    """For the order serializer: read the reservations of a single order's lines before rendering it."""

    def to_representation(self, instance):
        if CONTEXT_KEY not in self.context:
            read_reservations(self, [instance])
        return super().to_representation(instance)
