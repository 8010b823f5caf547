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

from salesdesk.core import arithmetic, instances, rows
from salesdesk.core.errors import Invalid
from salesdesk.core.money import round_money
from salesdesk.core.prepared import PreparedByKeys
from salesdesk.inventory.errors import InsufficientStock
from salesdesk.inventory.models import Reservation, StockLevel, StockMove

ZERO = Decimal("0")
Q4 = arithmetic.QUANTITY_PLACES
COST = Decimal("0.0001")


def locked_level(*, company_id: int, product_id: int, warehouse_id: int) -> StockLevel:
    """The level row of a product in a warehouse, locked, created empty when missing."""
    return locked_levels(company_id=company_id, warehouse_id=warehouse_id, product_ids=[product_id])[product_id]


_LEVELS = PreparedByKeys(
    lambda company, warehouse, *products: (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(company_id=company, warehouse_id=warehouse, product_id__in=products)
        .order_by("product_id")
    ),
    int,
    int,
)
_CLAIMS = PreparedByKeys(
    lambda company, warehouse, *lines: (
        Reservation.objects.select_for_update(of=("self",))
        .filter(company_id=company, warehouse_id=warehouse, order_line_id__in=lines)
        .order_by("id")
    ),
    int,
    int,
)


def locked_levels(*, company_id: int, warehouse_id: int, product_ids) -> dict[int, StockLevel]:
    """The level rows of several products in one warehouse, locked in product order (one query), by product."""
    wanted = sorted(set(product_ids))
    # Lock these rows only: the model's default order joins warehouse and product, and on
    # PostgreSQL FOR UPDATE would lock their rows too, queueing every confirmation behind the
    # warehouse row and deadlocking with the foreign-key checks of concurrent inserts.
    levels = {level.product_id: level for level in _LEVELS.all(company_id, warehouse_id, keys=wanted)}
    for product_id in wanted:
        if product_id not in levels:
            keys = {"company_id": company_id, "product_id": product_id, "warehouse_id": warehouse_id}
            try:
                with transaction.atomic():
                    StockLevel.objects.create(**keys)
            except IntegrityError:
                pass  # created at the same moment by another transaction
            levels[product_id] = StockLevel.objects.select_for_update(of=("self",)).order_by().get(**keys)
    return levels


def lock_levels_of(*, company_id: int, pairs) -> None:
    """Lock the level rows of (warehouse id, product id) pairs in one fixed order, warehouse then
    product, before changing several one by one: two orders amended or cancelled at once, with
    the same products on their lines in other orders, would otherwise each hold one level and
    wait for the other's (a deadlock)."""
    by_warehouse: dict[int, set[int]] = {}
    for warehouse_id, product_id in pairs:
        by_warehouse.setdefault(warehouse_id, set()).add(product_id)
    for warehouse_id in sorted(by_warehouse):
        locked_levels(company_id=company_id, warehouse_id=warehouse_id, product_ids=by_warehouse[warehouse_id])


_LEVEL_PLACES = {"on_hand": Q4, "reserved": Q4, "available": Q4}


def _bump_level(level: StockLevel, at_least: dict | None = None, **deltas: Decimal) -> int:
    """Move a level's figures (quantities to 4 places, value to the cent) in one conditional UPDATE."""
    changes = {name: delta for name, delta in deltas.items() if delta}
    if not changes:
        return 1
    return arithmetic.bump(
        StockLevel,
        where={"id": level.pk},
        add=changes,
        places=_LEVEL_PLACES,
        at_least=at_least,
    )


def _positive(quantity) -> Decimal:
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or quantity <= 0:
        raise Invalid({"quantity": ["Must be more than zero."]})
    return quantity


def _move(level: StockLevel, *, kind, quantity: Decimal, value: Decimal, on, reason, reference, actor) -> StockMove:
    """The move row, not yet saved (written one by one or in bulk by the caller)."""
    unit_cost = (abs(value) / abs(quantity)).quantize(COST) if quantity else ZERO
    return instances.new(
        StockMove,
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
    _bump_level(level, on_hand=quantity, available=quantity, value=value)
    move = _move(level, kind=kind, quantity=quantity, value=value, on=on, reason=reason, reference=reference, actor=actor)
    move.save(force_insert=True)
    if serve_waiting:
        level.refresh_from_db()
        allocate(level)
    return move


def _value_out(level: StockLevel, quantity: Decimal) -> Decimal:
    """What `quantity` leaving takes of the level's value at moving average (the last unit takes the rest)."""
    if quantity >= level.on_hand:
        return level.value
    return min(round_money(level.value * quantity / level.on_hand), level.value)


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
    """One product leaves (see `move_out_many`)."""
    item = {"product": product, "quantity": quantity, "order_line_id": order_line_id, "value": value}
    return move_out_many(
        company=company, warehouse=warehouse, items=[item], kind=kind, on=on, reason=reason, reference=reference, actor=actor
    )[0]


def move_out_many(
    *, company, warehouse, items: list[dict], kind: str, on: Date | None = None, reason: str = "", reference: str = "", actor=None
):
    """Stock leaves, one move per item (`product`, `quantity`, optional `order_line_id` and `value`).

    Each item takes first what is reserved for its order line, then what is free, and its
    moving-average share of the value, or an exact `value` (goods scrapped at what they just
    came back at). Never what other orders hold: short of that for any item, 409
    `insufficient_stock` and nothing changes. The levels are locked and every item is
    checked before anything is written; the writes are one conditional UPDATE per level,
    one DELETE of the claims used up and one INSERT of the moves.

    No savepoint of its own inside the caller's transaction (two statements, and on
    PostgreSQL two round trips, per document): every caller ships or scraps as part of its
    own action and goes no further when this refuses, so the action's transaction undoes
    whatever was written (as journal entries do, `ledger.services.post_entry`)."""
    for item in items:
        _positive(item["quantity"])
    return _move_out_many(
        company=company, warehouse=warehouse, items=items, kind=kind, on=on, reason=reason, reference=reference, actor=actor
    )


@transaction.atomic(savepoint=False)
def _move_out_many(*, company, warehouse, items: list[dict], kind: str, on, reason: str, reference: str, actor):
    levels = locked_levels(company_id=company.pk, warehouse_id=warehouse.pk, product_ids=[item["product"].pk for item in items])
    line_ids = [item["order_line_id"] for item in items if item.get("order_line_id") is not None]
    claims = {}
    if line_ids:
        claims = {claim.order_line_id: claim for claim in _CLAIMS.all(company.pk, warehouse.pk, keys=line_ids)}
    taken: dict[int, dict[str, Decimal]] = {}  # level id -> what leaves it
    used: dict[int, list[Decimal]] = {}  # claim id -> [shipped, released]
    moves = []
    for item in items:
        product, quantity = item["product"], item["quantity"]
        level = levels[product.pk]
        claim = claims.get(item.get("order_line_id"))
        if claim is not None and claim.product_id != product.pk:
            claim = None
        from_reserved = min(claim.reserved, quantity) if claim else ZERO
        from_free = quantity - from_reserved
        if level.on_hand < quantity or level.available < from_free or level.reserved < from_reserved:
            raise InsufficientStock(
                product=product.pk,
                warehouse=warehouse.pk,
                quantity=str(quantity),
                available=str(level.available + from_reserved),
            )
        value = _value_out(level, quantity) if item.get("value") is None else min(item["value"], level.value)
        level.on_hand -= quantity
        level.reserved -= from_reserved
        level.available -= from_free
        level.value -= value
        out = taken.setdefault(level.pk, {"on_hand": ZERO, "reserved": ZERO, "available": ZERO, "value": ZERO})
        out["on_hand"] += quantity
        out["reserved"] += from_reserved
        out["available"] += from_free
        out["value"] += value
        if claim is not None:
            claim.wanted -= quantity
            claim.reserved -= from_reserved
            shipped_released = used.setdefault(claim.pk, [ZERO, ZERO])
            shipped_released[0] += quantity
            shipped_released[1] += from_reserved
        moves.append(_move(level, kind=kind, quantity=-quantity, value=-value, on=on, reason=reason, reference=reference, actor=actor))
    # The rows are locked and were checked above; the conditions back that up in the database.
    changes = [
        {
            "where": {"id": level_id},
            "add": {name: -amount for name, amount in out.items()},
            "at_least": {"on_hand": out["on_hand"], "reserved": out["reserved"], "available": out["available"]},
        }
        for level_id, out in sorted(taken.items())
    ]
    if arithmetic.bump_each(StockLevel, changes, places=_LEVEL_PLACES) != len(changes):
        raise InsufficientStock(warehouse=warehouse.pk, products=sorted(item["product"].pk for item in items))
    done = [claim.pk for claim in claims.values() if claim.pk in used and claim.wanted <= 0]
    if done:
        rows.delete_where(Reservation, id=sorted(done))
    for claim_id in sorted(set(used) - set(done)):
        shipped, released = used[claim_id]
        arithmetic.bump(Reservation, where={"id": claim_id}, add={"wanted": -shipped, "reserved": -released}, places=Q4)
    return rows.insert_many(moves)


def _take(level: StockLevel, quantity: Decimal) -> Decimal:
    """Set aside up to `quantity` of the level's free stock; returns what was set aside."""
    take = min(level.available, quantity)
    if take <= 0:
        return ZERO
    if not _bump_level(level, at_least={"available": take}, reserved=take, available=-take):
        return ZERO
    level.reserved += take
    level.available -= take
    return take


def _give_back(level: StockLevel, quantity: Decimal) -> None:
    if quantity > 0:
        _bump_level(level, reserved=-quantity, available=quantity)
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
            arithmetic.bump(Reservation, where={"id": reservation.pk}, add={"reserved": take}, places=Q4)


def reserve(
    *, company_id: int, product_id: int, warehouse_id: int, order_line_id: int, reference: str, wanted: Decimal, priority
) -> Decimal:
    """An order line claims `wanted`: what is free is set aside now, the rest waits. Returns what was set aside."""
    claims = [(order_line_id, product_id, wanted)]
    return reserve_many(company_id=company_id, warehouse_id=warehouse_id, claims=claims, reference=reference, priority=priority)[
        order_line_id
    ]


def reserve_many(*, company_id: int, warehouse_id: int, claims, reference: str, priority) -> dict[int, Decimal]:
    """Order lines claim stock, each (order line id, product id, wanted): what is free is set
    aside now, in the order given, and the rest waits. Returns what each line got.

    One locking read of the levels, one conditional UPDATE per level and one INSERT of the
    claims, without a savepoint of its own (see `move_out_many`)."""
    for _line, _product, wanted in claims:
        _positive(wanted)
    return _reserve_many(company_id=company_id, warehouse_id=warehouse_id, claims=claims, reference=reference, priority=priority)


@transaction.atomic(savepoint=False)
def _reserve_many(*, company_id: int, warehouse_id: int, claims, reference: str, priority) -> dict[int, Decimal]:
    levels = locked_levels(company_id=company_id, warehouse_id=warehouse_id, product_ids=[product for _line, product, _wanted in claims])
    free = {product_id: level.available for product_id, level in levels.items()}
    got: dict[int, Decimal] = {}
    for line_id, product_id, wanted in claims:
        got[line_id] = max(min(free[product_id], wanted), ZERO)
        free[product_id] -= got[line_id]
    # The levels are locked: what is free was read under the lock, and the conditions back it up.
    changes = []
    for product_id in sorted(levels):
        take = levels[product_id].available - free[product_id]
        if take > 0:
            changes.append(
                {"where": {"id": levels[product_id].pk}, "add": {"reserved": take, "available": -take}, "at_least": {"available": take}}
            )
    if arithmetic.bump_each(StockLevel, changes, places=_LEVEL_PLACES) != len(changes):
        raise InsufficientStock(warehouse=warehouse_id, products=sorted(levels))
    priority = priority or timezone.now()
    rows.insert_many(
        instances.new(
            Reservation,
            company_id=company_id,
            product_id=product_id,
            warehouse_id=warehouse_id,
            order_line_id=line_id,
            reference=str(reference)[:40],
            wanted=wanted,
            reserved=got[line_id],
            priority=priority,
        )
        for line_id, product_id, wanted in claims
    )
    return got


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
    found = list(
        Reservation.objects.filter(company_id=company_id, order_line_id__in=list(order_line_ids)).values_list(
            "pk", "order_line_id", "warehouse_id", "product_id"
        )
    )
    lock_levels_of(company_id=company_id, pairs=[(warehouse_id, product_id) for _pk, _line, warehouse_id, product_id in found])
    for _pk, order_line_id, _warehouse, _product in sorted(found):
        set_wanted(company_id=company_id, order_line_id=order_line_id, wanted=ZERO)


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
        arithmetic.bump(Reservation, where={"id": reservation.pk}, add={"reserved": -give}, places=Q4)
        _give_back(level, give)
        short -= give
        if short <= 0:
            break
