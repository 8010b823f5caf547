"""Stock moves, maintained levels and reservations.

Every function runs in the caller's transaction (or its own) and changes the move table,
the level row and the reservations together. The level row is locked first, then the
reservations in queue order, so concurrent writers always lock in the same order. Taking
stock is a conditional update (`WHERE available >= n`), backed by the check constraints.

Costing is moving average, kept exact: a level's value is the sum of its moves' values.
Stock coming in adds its own value; stock going out takes value * quantity / on hand,
rounded to the cent, and the last unit out takes whatever value is left, so an empty
level is worth exactly nothing.
"""

from datetime import date as Date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from salesdesk.core import arithmetic
from salesdesk.core.errors import Invalid
from salesdesk.core.money import round_money
from salesdesk.inventory.errors import InsufficientStock
from salesdesk.inventory.models import Reservation, StockLevel, StockMove

ZERO = Decimal("0")
Q4 = arithmetic.QUANTITY_PLACES
COST = Decimal("0.0001")


def locked_level(*, company_id: int, product_id: int, warehouse_id: int) -> StockLevel:
    """The level row of a product in a warehouse, locked, created empty when missing."""
    keys = {"company_id": company_id, "product_id": product_id, "warehouse_id": warehouse_id}
    # Lock this row only: the model's default order joins warehouse and product, and on
    # PostgreSQL FOR UPDATE would lock their rows too, queueing every confirmation behind the
    # warehouse row and deadlocking with the foreign-key checks of concurrent inserts.
    level = StockLevel.objects.select_for_update(of=("self",)).filter(**keys).order_by().first()
    if level is None:
        try:
            with transaction.atomic():
                StockLevel.objects.create(**keys)
        except IntegrityError:
            pass  # created at the same moment by another transaction
        level = StockLevel.objects.select_for_update(of=("self",)).order_by().get(**keys)
    return level


def _positive(quantity) -> Decimal:
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or quantity <= 0:
        raise Invalid({"quantity": ["Must be more than zero."]})
    return quantity


def _move(level: StockLevel, *, kind, quantity: Decimal, value: Decimal, on, reason, reference, actor) -> StockMove:
    unit_cost = (abs(value) / abs(quantity)).quantize(COST) if quantity else ZERO
    return StockMove.objects.create(
        company_id=level.company_id,
        product_id=level.product_id,
        warehouse_id=level.warehouse_id,
        kind=kind,
        quantity=quantity,
        unit_cost=unit_cost,
        value=value,
        date=on or timezone.localdate(),
        reason=str(reason or "")[:255],
        reference=str(reference or "")[:40],
        actor=actor,
    )


@transaction.atomic
def move_in(
    *,
    company,
    product,
    warehouse,
    quantity: Decimal,
    kind: str,
    unit_cost: Decimal | None = None,
    value: Decimal | None = None,
    on: Date | None = None,
    reason: str = "",
    reference: str = "",
    actor=None,
    serve_waiting: bool = True,
) -> StockMove:
    """Stock comes in at `unit_cost` (or an exact `value`, when goods come back at what they left at).

    What comes in goes first to order lines waiting for it, oldest first (unless it is only
    passing through, as returned goods on their way to scrap)."""
    quantity = _positive(quantity)
    if value is None:
        cost = product.cost if unit_cost is None else unit_cost
        if cost < 0:
            raise Invalid({"unit_cost": ["Cannot be negative."]})
        value = round_money(quantity * cost)
    level = locked_level(company_id=company.pk, product_id=product.pk, warehouse_id=warehouse.pk)
    StockLevel.objects.filter(pk=level.pk).update(
        on_hand=arithmetic.plus("on_hand", quantity, Q4),
        available=arithmetic.plus("available", quantity, Q4),
        value=arithmetic.plus("value", value),
    )
    move = _move(level, kind=kind, quantity=quantity, value=value, on=on, reason=reason, reference=reference, actor=actor)
    if serve_waiting:
        level.refresh_from_db()
        allocate(level)
    return move


def _value_out(level: StockLevel, quantity: Decimal) -> Decimal:
    """What `quantity` leaving takes of the level's value at moving average (the last unit takes the rest)."""
    if quantity >= level.on_hand:
        return level.value
    return min(round_money(level.value * quantity / level.on_hand), level.value)


@transaction.atomic
def move_out(
    *,
    company,
    product,
    warehouse,
    quantity: Decimal,
    kind: str,
    order_line_id: int | None = None,
    value: Decimal | None = None,
    on: Date | None = None,
    reason: str = "",
    reference: str = "",
    actor=None,
) -> StockMove:
    """Stock leaves: first what is reserved for `order_line_id`, then what is free.

    It takes its moving-average share of the value, or an exact `value` (goods scrapped at
    what they just came back at). Never what other orders hold: short of that, 409
    `insufficient_stock` and nothing changes."""
    quantity = _positive(quantity)
    level = locked_level(company_id=company.pk, product_id=product.pk, warehouse_id=warehouse.pk)
    reservation = None
    if order_line_id is not None:
        reservation = (
            Reservation.objects.select_for_update()
            .filter(company_id=company.pk, order_line_id=order_line_id, product_id=product.pk, warehouse_id=warehouse.pk)
            .first()
        )
    from_reserved = min(reservation.reserved, quantity) if reservation else ZERO
    from_free = quantity - from_reserved
    value = _value_out(level, quantity) if value is None else min(value, level.value)
    taken = StockLevel.objects.filter(
        pk=level.pk,
        on_hand__gte=quantity,
        available__gte=from_free,
        reserved__gte=from_reserved,
    ).update(
        on_hand=arithmetic.minus("on_hand", quantity, Q4),
        reserved=arithmetic.minus("reserved", from_reserved, Q4),
        available=arithmetic.minus("available", from_free, Q4),
        value=arithmetic.minus("value", value),
    )
    if not taken:
        raise InsufficientStock(
            product=product.pk,
            warehouse=warehouse.pk,
            quantity=str(quantity),
            available=str(level.available + from_reserved),
        )
    if reservation is not None:
        _reduce_wanted(reservation, shipped=quantity, released=from_reserved)
    return _move(level, kind=kind, quantity=-quantity, value=-value, on=on, reason=reason, reference=reference, actor=actor)


def _reduce_wanted(reservation: Reservation, *, shipped: Decimal, released: Decimal) -> None:
    wanted = reservation.wanted - shipped
    if wanted <= 0:
        reservation.delete()
        return
    Reservation.objects.filter(pk=reservation.pk).update(
        wanted=arithmetic.minus("wanted", shipped, Q4), reserved=arithmetic.minus("reserved", released, Q4)
    )


def _take(level: StockLevel, quantity: Decimal) -> Decimal:
    """Set aside up to `quantity` of the level's free stock; returns what was set aside."""
    take = min(level.available, quantity)
    if take <= 0:
        return ZERO
    updated = StockLevel.objects.filter(pk=level.pk, available__gte=take).update(
        reserved=arithmetic.plus("reserved", take, Q4), available=arithmetic.minus("available", take, Q4)
    )
    if not updated:
        return ZERO
    level.reserved += take
    level.available -= take
    return take


def _give_back(level: StockLevel, quantity: Decimal) -> None:
    if quantity > 0:
        StockLevel.objects.filter(pk=level.pk).update(
            reserved=arithmetic.minus("reserved", quantity, Q4), available=arithmetic.plus("available", quantity, Q4)
        )
        level.reserved -= quantity
        level.available += quantity


def allocate(level: StockLevel) -> None:
    """Give the level's free stock to the order lines waiting for it, oldest confirmation first."""
    if level.available <= 0:
        return
    waiting = Reservation.objects.select_for_update().filter(
        company_id=level.company_id, product_id=level.product_id, warehouse_id=level.warehouse_id
    )
    for reservation in waiting.order_by("priority", "id"):
        if level.available <= 0:
            break
        if reservation.reserved >= reservation.wanted:
            continue
        take = _take(level, reservation.wanted - reservation.reserved)
        if take:
            Reservation.objects.filter(pk=reservation.pk).update(reserved=arithmetic.plus("reserved", take, Q4))


@transaction.atomic
def reserve(
    *, company_id: int, product_id: int, warehouse_id: int, order_line_id: int, reference: str, wanted: Decimal, priority
) -> Decimal:
    """An order line claims `wanted`: what is free is set aside now, the rest waits. Returns what was set aside."""
    wanted = _positive(wanted)
    level = locked_level(company_id=company_id, product_id=product_id, warehouse_id=warehouse_id)
    take = _take(level, wanted)
    Reservation.objects.create(
        company_id=company_id,
        product_id=product_id,
        warehouse_id=warehouse_id,
        order_line_id=order_line_id,
        reference=str(reference)[:40],
        wanted=wanted,
        reserved=take,
        priority=priority or timezone.now(),
    )
    return take


@transaction.atomic
def set_wanted(*, company_id: int, order_line_id: int, wanted: Decimal) -> None:
    """An amended order line now needs `wanted` (0 ends its claim); the stock it no longer needs goes to others."""
    reservation = Reservation.objects.filter(company_id=company_id, order_line_id=order_line_id).first()
    if reservation is None:
        return
    level = locked_level(company_id=company_id, product_id=reservation.product_id, warehouse_id=reservation.warehouse_id)
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if wanted <= 0:
        _give_back(level, reservation.reserved)
        reservation.delete()
    else:
        excess = max(reservation.reserved - wanted, ZERO)
        _give_back(level, excess)
        reservation.wanted, reservation.reserved = wanted, reservation.reserved - excess
        reservation.reserved += _take(level, wanted - reservation.reserved)
        reservation.save(update_fields=["wanted", "reserved"])
    allocate(level)


@transaction.atomic
def release(*, company_id: int, order_line_ids) -> None:
    """The order lines no longer need stock (the order was cancelled): their stock goes to the next in line."""
    found = list(Reservation.objects.filter(company_id=company_id, order_line_id__in=list(order_line_ids)).values_list("pk", flat=True))
    for pk in sorted(found):
        reservation = Reservation.objects.get(pk=pk)
        set_wanted(company_id=company_id, order_line_id=reservation.order_line_id, wanted=ZERO)


@transaction.atomic
def free_for_removal(*, level: StockLevel, quantity: Decimal) -> None:
    """Stock counted missing must come off even if promised: the newest claims give it up first."""
    short = quantity - level.available
    if short <= 0:
        return
    for reservation in (
        Reservation.objects.select_for_update()
        .filter(company_id=level.company_id, product_id=level.product_id, warehouse_id=level.warehouse_id, reserved__gt=0)
        .order_by("-priority", "-id")
    ):
        give = min(reservation.reserved, short)
        Reservation.objects.filter(pk=reservation.pk).update(reserved=arithmetic.minus("reserved", give, Q4))
        _give_back(level, give)
        short -= give
        if short <= 0:
            break
