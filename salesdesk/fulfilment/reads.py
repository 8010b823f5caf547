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
