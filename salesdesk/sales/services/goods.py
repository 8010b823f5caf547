"""An order and its goods: reservations at confirmation, amendment and cancellation; what
fulfilment tells the order about shipments; and closing the order when all is done.

Services are not stocked or shipped: a service line counts as delivered once the order is
confirmed, so it can be billed under either invoicing policy and never holds an order open.
"""

from decimal import Decimal

from salesdesk.catalog.models import Product
from salesdesk.core import arithmetic, rows, workflow
from salesdesk.core.errors import Invalid
from salesdesk.core.prepared import Prepared
from salesdesk.inventory import services as stock
from salesdesk.inventory.errors import InsufficientStock
from salesdesk.inventory.models import Reservation, Warehouse
from salesdesk.sales import progress, reads
from salesdesk.sales.errors import OverDelivery
from salesdesk.sales.models import SalesOrder, SalesOrderLine, SalesSettings

Status = SalesOrder.Status
ZERO = Decimal("0")
Q4 = arithmetic.QUANTITY_PLACES


def settings_for(company) -> SalesSettings:
    return reads.saved_settings(company.pk) or SalesSettings(company=company)


_FIRST_ACTIVE = Prepared(lambda company: Warehouse.objects.filter(company_id=company, active=True).order_by("code")[:1], int)


def default_warehouse(company, settings: SalesSettings | None = None) -> Warehouse | None:
    """The company's default warehouse, else its first active one (by code)."""
    chosen = (settings or settings_for(company)).default_warehouse
    if chosen is not None and chosen.active:
        return chosen
    return _FIRST_ACTIVE.first(company.pk)


def _goods(line: SalesOrderLine) -> bool:
    return line.product.kind == Product.Kind.GOODS


def reserve_order(
    order: SalesOrder, *, actor=None, lines: list[SalesOrderLine] | None = None, settings: SalesSettings | None = None
) -> None:
    """At confirmation: each goods line claims what it still needs from the order's warehouse.

    What is free is set aside, the rest waits for new stock (a backorder), unless the company
    blocks confirmation without stock: then 409 `insufficient_stock` and nothing is saved.
    `lines` are the order's lines with their products and `settings` the company's sales
    settings, when the caller has them already. The warehouse is the order's own, chosen and
    saved with the confirmation (`book_confirmation`); an order without one waits for stock."""
    settings = settings or settings_for(order.company)
    lines = sorted(lines, key=lambda line: line.pk) if lines is not None else list(order.lines.select_related("product").order_by("id"))
    short = []
    claims = []
    for line in lines:
        if not _goods(line):
            SalesOrderLine.objects.filter(pk=line.pk).update(delivered_quantity=line.quantity)
            line.delivered_quantity = line.quantity
            continue
        wanted = line.quantity - line.delivered_quantity
        if wanted <= 0:
            continue
        if order.warehouse is None:
            short.append({"order_line": line.pk, "product": line.product_id, "quantity": str(wanted), "available": "0"})
            continue
        claims.append((line.pk, line.product_id, wanted))
    if claims:
        got = stock.reserve_many(
            company_id=order.company_id, warehouse_id=order.warehouse_id, claims=claims, reference=order.number, priority=order.confirmed_at
        )
        for line_id, product_id, wanted in claims:
            if got[line_id] < wanted:
                short.append({"order_line": line_id, "product": product_id, "quantity": str(wanted), "available": str(got[line_id])})
    if settings.block_without_stock and short:
        raise InsufficientStock(lines=short)
    refresh_states(order, actor=actor, pairs=[(line.quantity, line.delivered_quantity) for line in lines])


def rereserve_order(order: SalesOrder) -> None:
    """After an amendment: each goods line's claim follows what it still needs, keeping its place in line."""
    lines = list(order.lines.select_related("product").order_by("id"))
    claims = {r.order_line_id: r for r in Reservation.objects.filter(company_id=order.company_id, order_line_id__in=[x.pk for x in lines])}
    # Every level this may touch is locked first, in product order, as confirmations and
    # shipments lock them: taken line by line, two amendments could wait on each other.
    touched = {(claim.warehouse_id, claim.product_id) for claim in claims.values()}
    if order.warehouse_id:
        touched.update((order.warehouse_id, line.product_id) for line in lines if _goods(line) and line.quantity > line.delivered_quantity)
    stock.lock_levels_of(company_id=order.company_id, pairs=touched)
    for line in lines:
        if not _goods(line):
            if line.delivered_quantity != line.quantity:
                SalesOrderLine.objects.filter(pk=line.pk).update(delivered_quantity=line.quantity)
            if line.pk in claims:  # goods changed into a service: the stock it held goes to the next in line
                stock.set_wanted(company_id=order.company_id, order_line_id=line.pk, wanted=ZERO)
            continue
        wanted = line.quantity - line.delivered_quantity
        claim = claims.get(line.pk)
        if claim is not None and claim.product_id != line.product_id:
            stock.set_wanted(company_id=order.company_id, order_line_id=line.pk, wanted=ZERO)
            claim = None
        if claim is not None:
            stock.set_wanted(company_id=order.company_id, order_line_id=line.pk, wanted=wanted)
        elif wanted > 0 and order.warehouse_id:
            stock.reserve(
                company_id=order.company_id,
                product_id=line.product_id,
                warehouse_id=order.warehouse_id,
                order_line_id=line.pk,
                reference=order.number,
                wanted=wanted,
                priority=order.confirmed_at,
            )


def release_lines(*, company_id: int, order_line_ids) -> None:
    """Order lines that no longer need stock (removed or cancelled): their stock goes to the next in line."""
    stock.release(company_id=company_id, order_line_ids=order_line_ids)


def refresh_states(order: SalesOrder, *, actor=None, pairs=None) -> None:
    """Derive the delivery state from the lines (their current (quantity, delivered) `pairs`
    when the caller holds them), then close (or reopen) the order."""
    if pairs is None:
        pairs = list(SalesOrderLine.objects.filter(order=order).values_list("quantity", "delivered_quantity"))
    state = progress.delivery_state(pairs)
    changed = ()
    if state != order.delivery_state:
        order.delivery_state = state
        changed = ("delivery_state",)
    close_if_done(order, actor=actor, changed=changed)


def close_if_done(order: SalesOrder, *, actor=None, changed: tuple[str, ...] = ()) -> None:
    """An order closes itself once fully delivered, fully invoiced and paid, and reopens when that stops being true.

    `changed`: fields the caller set on the order, saved here with the status (one UPDATE)."""
    done = order.delivery_state == "delivered" and order.invoice_state == "invoiced" and order.payment_state == "paid"
    if done and order.status == Status.CONFIRMED:
        workflow.transition(order, to=Status.CLOSED, actor=actor, note="delivered, invoiced and paid", extra_fields=changed)
    elif not done and order.status == Status.CLOSED:
        workflow.transition(order, to=Status.CONFIRMED, actor=actor, note="reopened", extra_fields=changed)
    elif changed:
        rows.save_fields(order, changed)


def order_record_shipment(*, order: SalesOrder, quantities: dict[int, Decimal], actor=None, locked: bool = False) -> SalesOrder:
    """Goods left for this order (positive) or came back refused (negative), per order line.

    A line never counts more delivered than ordered, nor less than nothing: the update is
    conditional and a refusal (409 `over_delivery`) undoes the caller's whole transaction.
    `locked`: the caller locked the order in this transaction and read it after the lock."""
    if not locked:
        order = reads.locked_order(order)
    if order.status not in (Status.CONFIRMED, Status.CLOSED):
        raise Invalid({"sales_order": ["The order is not confirmed."]})
    # The order is locked, so its lines' progress read here is current: every line is checked
    # before anything is written, then the lines move in one call (the conditions back it up).
    lines = {pk: [quantity, delivered] for pk, quantity, delivered, _ in reads.line_progress(order)}
    for line_id in sorted(quantities):
        quantity, line = quantities[line_id], lines.get(line_id)
        if line is None or line[1] + quantity > line[0] or line[1] + quantity < 0:
            raise OverDelivery(order_line=line_id, quantity=str(quantity))
        line[1] += quantity
    out = [{"where": {"id": pk, "order": order.pk}, "add": {"delivered_quantity": q}} for pk, q in sorted(quantities.items()) if q > 0]
    back = [
        {"where": {"id": pk, "order": order.pk}, "add": {"delivered_quantity": q}, "at_least": {"delivered_quantity": -q}}
        for pk, q in sorted(quantities.items())
        if q < 0
    ]
    moved = arithmetic.bump_each(SalesOrderLine, out, places=Q4, room={"delivered_quantity": "quantity"})
    moved += arithmetic.bump_each(SalesOrderLine, back, places=Q4)
    if moved != len(out) + len(back):
        raise OverDelivery(order_lines=sorted(quantities))
    refresh_states(order, actor=actor, pairs=[(quantity, delivered) for quantity, delivered in lines.values()])
    return order


def order_restore_claims(*, order: SalesOrder, quantities: dict[int, Decimal]) -> None:
    """Refused goods are owed again: each line claims them back (in its old place in line when it still waits)."""
    for line in order.lines.filter(pk__in=list(quantities)).select_related("product").order_by("id"):
        if not _goods(line) or order.warehouse_id is None:
            continue
        wanted = line.quantity - line.delivered_quantity
        if Reservation.objects.filter(company_id=order.company_id, order_line_id=line.pk).exists():
            stock.set_wanted(company_id=order.company_id, order_line_id=line.pk, wanted=wanted)
        elif wanted > 0:
            stock.reserve(
                company_id=order.company_id,
                product_id=line.product_id,
                warehouse_id=order.warehouse_id,
                order_line_id=line.pk,
                reference=order.number,
                wanted=wanted,
                priority=order.confirmed_at,
            )
