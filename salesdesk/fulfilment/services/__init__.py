"""Fulfilment services: every write of deliveries, returns and stock adjustments.

- `delivery_create(order=, actor=, membership=, lines=None|[{order_line, quantity}], carrier=, tracking_number=, shipping_address=, date=, notes=)`
  (409 `over_delivery`, `nothing_to_deliver`), `delivery_update(delivery=, actor=, values=)`, `delivery_pick`, `delivery_ship`
  (409 `insufficient_stock`), `delivery_deliver`, `delivery_cancel(delivery=, actor=, reason=)`; the refusal is one action
  in billing (`billing.services.delivery_refuse`), which calls `delivery_take_back` here and credits what was billed.
- `return_create(company=, actor=, membership=, customer=, lines=[{product, quantity, reason}], sales_order=, delivery=, invoice=,
  warehouse=, reason=)` (409 `over_return`), `return_approve` / `return_reject` (sales manager or administrator, else 403),
  `return_receive(request=, actor=, lines=[{id, quantity?, outcome}])` (409 `over_receipt`); `credit` is billing's `return_credit`.
- `stock_adjust(company=, actor=, warehouse=, reason=, lines=[{product, quantity, unit_cost?}], kind="adjustment"|"receipt")`.
"""

from salesdesk.fulfilment.services.deliveries import (
    deliverable,
    delivery_cancel,
    delivery_create,
    delivery_deliver,
    delivery_pick,
    delivery_ship,
    delivery_take_back,
    delivery_update,
)
from salesdesk.fulfilment.services.returns import (
    creditable_lines,
    return_approve,
    return_create,
    return_mark_credited,
    return_receive,
    return_reject,
    returnable,
)
from salesdesk.fulfilment.services.stock import stock_adjust

__all__ = [
    "creditable_lines",
    "deliverable",
    "delivery_cancel",
    "delivery_create",
    "delivery_deliver",
    "delivery_pick",
    "delivery_ship",
    "delivery_take_back",
    "delivery_update",
    "return_approve",
    "return_create",
    "return_mark_credited",
    "return_receive",
    "return_reject",
    "returnable",
    "stock_adjust",
]
