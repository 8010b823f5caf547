"""Deliveries: made from an order's outstanding goods, picked, shipped (stock and cost of goods
sold), delivered, or refused at the door (stock and cost come back).

Lock order: the order, then the delivery, then stock levels (inside `inventory.services`).
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.catalog.models import Product
from salesdesk.core import bulk, instances, rows, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.locking import lock_keys, lock_rows
from salesdesk.core.prepared import PreparedByKeys
from salesdesk.customers.models import Customer
from salesdesk.fulfilment import reads
from salesdesk.fulfilment.errors import NothingToDeliver
from salesdesk.fulfilment.models import Delivery, DeliveryLine, ReturnLine, ReturnRequest
from salesdesk.fulfilment.services.common import ROLE, ZERO, book_value, quantity, take_number
from salesdesk.fulfilment.services.returns import returnable
from salesdesk.inventory import services as stock
from salesdesk.inventory.models import StockMove
from salesdesk.ledger import services as ledger
from salesdesk.sales import reads as sales_reads
from salesdesk.sales import services as sales_services
from salesdesk.sales.errors import OverDelivery
from salesdesk.sales.models import SalesOrder, SalesOrderLine
from salesdesk.sales.services.common import check_customer

Status = Delivery.Status
OPEN = (Status.DRAFT, Status.PICKED)
# Notes a clerk may still change once the delivery left draft (the goods and quantities are fixed).
EDITABLE = {"carrier", "tracking_number", "shipping_address", "notes", "date"}


_PROMISED = PreparedByKeys(
    lambda *lines: (
        DeliveryLine.objects.filter(order_line_id__in=lines, delivery__status__in=OPEN).order_by().values_list("order_line_id", "quantity")
    ),
    rows="tuples",
)


def in_open_deliveries(order_line_ids) -> dict[int, Decimal]:
    """Per order line, what draft and picked deliveries already cover (so two never promise the same goods)."""
    pending: dict[int, Decimal] = {}
    rows = _PROMISED.all(keys=order_line_ids)
    for line_id, qty in rows:
        pending[line_id] = pending.get(line_id, ZERO) + qty
    return pending


def deliverable(order: SalesOrder, lines=None) -> dict[int, Decimal]:
    """Per goods line of the order, what is outstanding and on no open delivery yet
    (`lines`: the order's lines with their products, when the caller has them)."""
    lines = order.lines.select_related("product") if lines is None else lines
    lines = {line.pk: line for line in lines if line.product.kind == Product.Kind.GOODS}
    pending = in_open_deliveries(lines)
    left = {pk: line.quantity - line.delivered_quantity - pending.get(pk, ZERO) for pk, line in lines.items()}
    return {pk: qty for pk, qty in left.items() if qty > 0}


def _wanted(order: SalesOrder, raw_lines, left: dict[int, Decimal]) -> dict[int, Decimal]:
    if raw_lines is None:
        return dict(left)
    if not isinstance(raw_lines, (list, tuple)) or not raw_lines:
        raise Invalid({"lines": ["Give at least one line, or leave lines out to deliver everything outstanding."]})
    order_lines = set(order.lines.values_list("pk", flat=True))
    wanted: dict[int, Decimal] = {}
    line_errors, failed = [], False
    for raw in raw_lines:
        errors: dict = {}
        ref = raw.get("order_line") if isinstance(raw, dict) else None
        line_id = ref.pk if isinstance(ref, SalesOrderLine) else ref
        if not isinstance(line_id, int) or isinstance(line_id, bool) or line_id not in order_lines:
            errors["order_line"] = ["Not a line of this order."]
        qty = quantity(raw.get("quantity") if isinstance(raw, dict) else None, errors)
        line_errors.append(errors)
        failed = failed or bool(errors)
        if not errors:
            wanted[line_id] = wanted.get(line_id, ZERO) + qty
    if failed:
        raise Invalid({"lines": line_errors})
    for line_id, qty in wanted.items():
        if qty > left.get(line_id, ZERO):
            raise OverDelivery(order_line=line_id, quantity=str(qty), outstanding=str(left.get(line_id, ZERO)))
    return wanted


@transaction.atomic
def delivery_create(
    *, order: SalesOrder, actor, membership, lines=None, carrier="", tracking_number="", shipping_address=None, date=None, notes=""
) -> Delivery:
    """A draft delivery for everything outstanding on the order, or for chosen {order_line, quantity}.

    Asking for more than is outstanding (less what open deliveries already cover) gives 409 `over_delivery`."""
    order = sales_reads.locked_order(order)
    check_customer(order.company, membership, order.customer, read=False)  # read with the locked order
    if order.status != SalesOrder.Status.CONFIRMED:
        raise InvalidTransition(from_status=order.status, to_status="delivered", allowed=[], reason="only confirmed orders are delivered")
    source = {line.pk: line for line in sales_reads.order_lines(order)}
    left = deliverable(order, source.values())
    wanted = _wanted(order, lines, left)
    if not wanted:
        raise NothingToDeliver(order=order.pk)
    warehouse = order.warehouse or sales_services.default_warehouse(order.company)
    if warehouse is None:
        raise Invalid({"warehouse": ["The company has no warehouse to ship from."]})
    on = date or timezone.localdate()
    delivery = rows.insert(
        instances.new(
            Delivery,
            company=order.company,
            number=take_number(order.company, "DL", on),
            customer=order.customer,
            sales_order=order,
            warehouse=warehouse,
            date=on,
            carrier=str(carrier or "")[:100],
            tracking_number=str(tracking_number or "")[:100],
            shipping_address=order.customer.shipping_address if shipping_address is None else shipping_address,
            notes=notes or "",
            created_by=actor,
        )
    )
    ordered = sorted(wanted, key=lambda pk: (source[pk].sequence, pk))
    rows.insert_many(
        instances.new(
            DeliveryLine,
            company=order.company,
            delivery=delivery,
            sequence=i,
            order_line=source[pk],
            product=source[pk].product,
            description=source[pk].description or source[pk].product.name,
            quantity=wanted[pk],
        )
        for i, pk in enumerate(ordered)
    )
    workflow.record_event(delivery, actor=actor, note=f"created from order {order.number}")
    return delivery


def locked(delivery: Delivery) -> Delivery:
    return reads.locked_delivery(delivery)


def _lock_order_first(delivery: Delivery) -> Delivery:
    """Lock the order before the delivery (the fixed lock order), then the delivery itself."""
    if delivery.sales_order_id:
        lock_keys(SalesOrder, [delivery.sales_order_id])
    return locked(delivery)


@transaction.atomic
def delivery_update(*, delivery: Delivery, actor, values: dict) -> Delivery:
    """Carrier, tracking number, address, notes and planned date; the goods are fixed once made."""
    delivery = locked(delivery)
    unknown = set(values) - EDITABLE
    if unknown:
        raise Invalid({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if delivery.status in (Status.CANCELLED, Status.REFUSED) or (delivery.status != Status.DRAFT and "date" in values):
        raise InvalidTransition(from_status=delivery.status, to_status="changed", allowed=[], reason="the delivery is closed")
    for name, value in values.items():
        setattr(delivery, name, value if value is not None else "")
    delivery.save(update_fields=sorted(values))
    return delivery


@transaction.atomic
def delivery_pick(*, delivery: Delivery, actor) -> Delivery:
    delivery = locked(delivery)
    delivery.picked_at = timezone.now()
    return workflow.transition(delivery, to=Status.PICKED, actor=actor, extra_fields=("picked_at",))


@transaction.atomic
def delivery_cancel(*, delivery: Delivery, actor, reason: str = "") -> Delivery:
    """A delivery not yet shipped is cancelled: its quantities are outstanding again on the order."""
    delivery = locked(delivery)
    return workflow.transition(delivery, to=Status.CANCELLED, actor=actor, note=reason)


@transaction.atomic
def delivery_ship(*, delivery: Delivery, actor) -> Delivery:
    """The goods leave: stock is taken (reserved first, then free), the order counts them delivered,
    and their cost moves from inventory to cost of goods sold.

    Short of stock, 409 `insufficient_stock` and nothing is shipped (the whole delivery or none)."""
    delivery = _lock_order_first(delivery)
    if not workflow.can_transition(delivery, Status.SHIPPED):
        raise InvalidTransition(from_status=delivery.status, to_status=Status.SHIPPED, allowed=sorted(workflow.allowed_targets(delivery)))
    if delivery.sales_order_id and delivery.sales_order.status != SalesOrder.Status.CONFIRMED:
        raise InvalidTransition(
            from_status=delivery.status, to_status=Status.SHIPPED, allowed=[], reason=f"the order is {delivery.sales_order.status}"
        )
    on = timezone.localdate()
    lines = reads.delivery_lines(delivery)
    shipped: dict[int, Decimal] = {}
    total = ZERO
    moves = stock.move_out_many(
        company=delivery.company,
        warehouse=delivery.warehouse,
        items=[{"product": line.product, "quantity": line.quantity, "order_line_id": line.order_line_id} for line in lines],
        kind=StockMove.Kind.DELIVERY,
        on=on,
        reference=delivery.number,
        actor=actor,
    )
    for line, move in zip(lines, moves, strict=True):
        line.cost, line.move = -move.value, move
        total += line.cost
        if line.order_line_id:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, ZERO) + line.quantity
    bulk.save_each(lines, ["cost", "move"])
    delivery.cost_amount = total
    delivery.shipped_at = timezone.now()
    delivery.journal_entry = book_value(
        company=delivery.company,
        on=on,
        memo=f"cost of goods shipped {delivery.number}",
        debit_role=ROLE.COST_OF_GOODS_SOLD,
        credit_role=ROLE.INVENTORY,
        amount=total,
        actor=actor,
        source=delivery,
    )
    workflow.transition(delivery, to=Status.SHIPPED, actor=actor, extra_fields=("cost_amount", "shipped_at", "journal_entry"))
    if delivery.sales_order_id and shipped:
        # The order was locked first (above) and read with the delivery after that lock.
        sales_services.order_record_shipment(order=delivery.sales_order, quantities=shipped, actor=actor, locked=True)
    return delivery


@transaction.atomic
def delivery_deliver(*, delivery: Delivery, actor, note: str = "") -> Delivery:
    """The carrier confirms the customer has the goods."""
    delivery = locked(delivery)
    delivery.delivered_at = timezone.now()
    return workflow.transition(delivery, to=Status.DELIVERED, actor=actor, note=note, extra_fields=("delivered_at",))


def _returned(delivery: Delivery, lines: list[DeliveryLine]) -> bool:
    """Whether goods of the delivery are asked back on a return (then the customer had them: no refusal)."""
    if ReturnLine.objects.filter(return_request__delivery=delivery).exclude(return_request__status=ReturnRequest.Status.REJECTED).exists():
        return True
    shipped: dict[int, Decimal] = {}
    for line in lines:
        shipped[line.product_id] = shipped.get(line.product_id, ZERO) + line.quantity
    # Returns naming no delivery count the customer's goods as a whole, and returns naming the
    # delivery's order count that order's goods: neither may need these.
    for product_id, wanted in shipped.items():
        if returnable(customer=delivery.customer, product_id=product_id) < wanted:
            return True
        if (
            delivery.sales_order_id
            and returnable(customer=delivery.customer, product_id=product_id, sales_order=delivery.sales_order) < wanted
        ):
            return True
    return False


def delivery_take_back(*, delivery: Delivery, actor, reason: str) -> tuple[Delivery, dict[int, Decimal]]:
    """The stock side of a refusal at the door: the goods return to stock at the cost they left at,
    cost of goods sold is reversed, and the order owes them again (they are reserved back for it).

    Runs inside the caller's transaction (billing adds the credit note in the same one).
    Returns the delivery and the refused quantities per order line."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": ["Say why the customer refused the goods."]})
    # The customer first, as a new return takes it: a return raised at this moment for these
    # goods then waits, and sees them refused (it would restock goods already back).
    lock_rows(Customer.objects.filter(pk=delivery.customer_id, company_id=delivery.company_id))
    delivery = _lock_order_first(delivery)
    if not workflow.can_transition(delivery, Status.REFUSED):
        raise InvalidTransition(from_status=delivery.status, to_status=Status.REFUSED, allowed=sorted(workflow.allowed_targets(delivery)))
    on = timezone.localdate()
    refused: dict[int, Decimal] = {}
    lines = reads.delivery_lines(delivery)
    if _returned(delivery, lines):
        raise InvalidTransition(
            from_status=delivery.status, to_status=Status.REFUSED, allowed=[], reason="goods of this delivery are on a return already"
        )
    for line in lines:
        if line.order_line_id:
            refused[line.order_line_id] = refused.get(line.order_line_id, ZERO) + line.quantity
    # The goods come in without going to anyone yet, so the refused order lines claim them back
    # before the queue: an older order waiting for the same product gets only what is left.
    for line in lines:
        stock.move_in(
            company=delivery.company,
            product=line.product,
            warehouse=delivery.warehouse,
            quantity=line.quantity,
            kind=StockMove.Kind.REFUSAL,
            value=line.cost,
            on=on,
            reason=reason,
            reference=delivery.number,
            actor=actor,
            serve_waiting=False,
        )
    if delivery.sales_order_id and refused:
        order = delivery.sales_order
        sales_services.order_record_shipment(order=order, quantities={pk: -qty for pk, qty in refused.items()}, actor=actor)
        sales_services.order_restore_claims(order=order, quantities=refused)
    for product_id in sorted({line.product_id for line in lines}):
        stock.allocate(stock.locked_level(company_id=delivery.company_id, product_id=product_id, warehouse_id=delivery.warehouse_id))
    if delivery.journal_entry_id:
        ledger.reverse_entry(entry=delivery.journal_entry, actor=actor, date=on, memo=f"refused {delivery.number}")
    delivery.refused_at, delivery.refusal_reason = timezone.now(), reason
    workflow.transition(delivery, to=Status.REFUSED, actor=actor, note=reason, extra_fields=("refused_at", "refusal_reason"))
    return delivery, refused
