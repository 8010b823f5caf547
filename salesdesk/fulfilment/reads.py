"""The lookups of a delivery that every step repeats, composed once (`core.prepared`)."""

from salesdesk.core.prepared import Prepared
from salesdesk.fulfilment.models import Delivery, DeliveryLine

_locked = Prepared(
    lambda pk, company: (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("company", "customer", "warehouse", "sales_order", "journal_entry")
        .filter(pk=pk, company_id=company)
    ),
    int,
    int,
)
# In the order the lines were written: the order their stock moves are made in.
_lines = Prepared(lambda delivery: DeliveryLine.objects.filter(delivery_id=delivery).select_related("product").order_by("id"), int)


def locked_delivery(delivery: Delivery) -> Delivery:
    """The delivery, locked until the transaction ends, with the parents shipping reads."""
    return _locked.get(delivery.pk, delivery.company_id)


def delivery_lines(delivery: Delivery) -> list[DeliveryLine]:
    return _lines.all(delivery.pk, attach={"delivery": delivery})


def open_delivery_holds(order_line_ids: list[int]) -> dict[int, str]:
    """Order lines on a delivery not yet shipped (draft or picked): {order line id: "delivery N"}."""
    open_statuses = (Delivery.Status.DRAFT, Delivery.Status.PICKED)
    found = DeliveryLine.objects.filter(order_line_id__in=order_line_ids, delivery__status__in=open_statuses).order_by("delivery_id")
    return {line_id: f"delivery {number}" for line_id, number in found.values_list("order_line_id", "delivery__number")}


def let_go_of_order_lines(order_line_ids: list[int]) -> None:
    """A cancelled or refused delivery keeps its lines' product and quantity, not their order line."""
    closed = (Delivery.Status.CANCELLED, Delivery.Status.REFUSED)
    DeliveryLine.objects.filter(order_line_id__in=order_line_ids, delivery__status__in=closed).update(order_line=None)
