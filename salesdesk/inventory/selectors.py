"""Reads of stock: levels, moves, reservations, and the levels rebuilt from the moves."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from salesdesk.core.prepared import PreparedByKeys
from salesdesk.inventory.models import Reservation, StockLevel, StockMove, Warehouse

ZERO = Decimal("0")


def warehouses(company) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(company=company)


def levels(company) -> QuerySet[StockLevel]:
    return StockLevel.objects.filter(company=company).select_related("product", "warehouse", "product__unit")


def moves(company) -> QuerySet[StockMove]:
    return StockMove.objects.filter(company=company).select_related("product", "warehouse", "actor")


def available(company, *, product_id: int, warehouse_id: int) -> Decimal:
    found = StockLevel.objects.filter(company=company, product_id=product_id, warehouse_id=warehouse_id).values_list("available", flat=True)
    return next(iter(found), ZERO)


def reservations_by_line(company, order_line_ids) -> dict[int, Reservation]:
    """The open reservation of each order line (lines with nothing left to ship have none)."""
    company_id = company if isinstance(company, int) else company.pk
    return {r.order_line_id: r for r in _RESERVATIONS.all(company_id, keys=order_line_ids)}


_RESERVATIONS = PreparedByKeys(lambda company, *lines: Reservation.objects.filter(company_id=company, order_line_id__in=lines), int)


def product_totals(company, product_id: int) -> dict[str, Decimal]:
    """A product's stock over all warehouses, and what order lines still wait for."""
    sums = StockLevel.objects.filter(company=company, product_id=product_id).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved"), available=Sum("available"), value=Sum("value")
    )
    waiting = Reservation.objects.filter(company=company, product_id=product_id).aggregate(wanted=Sum("wanted"), reserved=Sum("reserved"))
    result = {key: Decimal(str(value or 0)).quantize(Decimal("0.0001")) for key, value in sums.items()}
    result["value"] = result["value"].quantize(Decimal("0.01"))
    result["outgoing"] = Decimal(str(waiting["wanted"] or 0)).quantize(Decimal("0.0001"))
    result["backorder"] = result["outgoing"] - Decimal(str(waiting["reserved"] or 0)).quantize(Decimal("0.0001"))
    return result


def rebuilt_levels(company) -> dict[tuple[int, int], dict[str, Decimal]]:
    """(product, warehouse) -> on hand, value and reserved summed again from the moves and reservations."""
    result: dict[tuple[int, int], dict[str, Decimal]] = {}
    for product_id, warehouse_id, quantity, value in StockMove.objects.filter(company=company).values_list(
        "product_id", "warehouse_id", "quantity", "value"
    ):
        row = result.setdefault((product_id, warehouse_id), {"on_hand": ZERO, "value": ZERO, "reserved": ZERO})
        row["on_hand"] += quantity
        row["value"] += value
    for product_id, warehouse_id, reserved in Reservation.objects.filter(company=company).values_list(
        "product_id", "warehouse_id", "reserved"
    ):
        row = result.setdefault((product_id, warehouse_id), {"on_hand": ZERO, "value": ZERO, "reserved": ZERO})
        row["reserved"] += reserved
    return result


def level_mismatches(company) -> list[dict]:
    """Every level row whose maintained figures differ from its moves (empty when all is well)."""
    rebuilt = rebuilt_levels(company)
    problems = []
    for level in StockLevel.objects.filter(company=company):
        expected = rebuilt.pop((level.product_id, level.warehouse_id), {"on_hand": ZERO, "value": ZERO, "reserved": ZERO})
        actual = {"on_hand": level.on_hand, "value": level.value, "reserved": level.reserved}
        if actual != expected or level.available != level.on_hand - level.reserved:
            problems.append({"product": level.product_id, "warehouse": level.warehouse_id, "level": actual, "moves": expected})
    problems.extend({"product": p, "warehouse": w, "level": None, "moves": row} for (p, w), row in rebuilt.items() if any(row.values()))
    return problems
