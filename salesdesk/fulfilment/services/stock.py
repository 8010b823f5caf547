"""Stock counted in or out (adjustments) and goods taken in (receipts), with their ledger entry.

Inventory keeps the quantities and values; this layer, which knows both stock and the
ledger, books the value that came in or went out in the same transaction:
- a receipt: inventory against goods received (the supplier's invoice is booked elsewhere);
- an adjustment in: inventory against stock adjustments; out: the reverse.
Stock that comes in is given to waiting order lines, oldest first.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid
from salesdesk.fulfilment.services.common import ROLE, ZERO, take_number
from salesdesk.inventory import services as stock
from salesdesk.inventory.models import StockAdjustment, StockAdjustmentLine, Warehouse
from salesdesk.ledger import services as ledger

Kind = StockAdjustment.Kind
MAX = Decimal("1e10")
# Far above any real receipt, and low enough that stock values stay within their columns.
MAX_LINE_VALUE = Decimal("1e11")


def _parse(company, raw_lines, *, receipt: bool) -> list[tuple[Product, Decimal, Decimal | None]]:
    if not isinstance(raw_lines, (list, tuple)) or not raw_lines:
        raise Invalid({"lines": ["Give at least one line."]})
    parsed, line_errors, failed = [], [], False
    for raw in raw_lines:
        errors: dict = {}
        raw = raw if isinstance(raw, dict) else {}
        product = raw.get("product")
        if not isinstance(product, Product) or product.company_id != company.pk:
            errors["product"] = ["Unknown product."]
        elif product.kind != Product.Kind.GOODS:
            errors["product"] = ["Services are not stocked."]
        qty = raw.get("quantity")
        if not isinstance(qty, Decimal) or not qty.is_finite() or qty == 0 or abs(qty) >= MAX or qty != qty.quantize(Decimal("0.0001")):
            errors["quantity"] = ["A non-zero number with at most 4 decimals (positive adds, negative removes)."]
        elif receipt and qty < 0:
            errors["quantity"] = ["A receipt brings stock in: the quantity must be positive."]
        cost = raw.get("unit_cost")
        if cost is not None and (not isinstance(cost, Decimal) or not cost.is_finite() or cost < 0 or cost >= MAX):
            errors["unit_cost"] = ["Cannot be negative."]
        if not errors and abs(qty) * (product.cost if cost is None else cost) >= MAX_LINE_VALUE:
            errors["quantity"] = ["The stock value of this line would be too large."]
        line_errors.append(errors)
        failed = failed or bool(errors)
        if not errors:
            parsed.append((product, qty, cost))
    if failed:
        raise Invalid({"lines": line_errors})
    return parsed


@transaction.atomic
def stock_adjust(*, company, actor, warehouse: Warehouse, reason: str, lines, kind: str = Kind.ADJUSTMENT, date=None) -> StockAdjustment:
    """Bring stock in (positive) or take it out (negative) with a reason, at cost, with its ledger entry.

    Taking out more than is on hand gives 409 `insufficient_stock` and nothing is saved; stock
    promised to orders may be taken (the newest orders lose their reservation first)."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = ["Say why the stock changes."]
    if not isinstance(warehouse, Warehouse) or warehouse.company_id != company.pk or not warehouse.active:
        errors["warehouse"] = ["Unknown warehouse."]
    if kind not in Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(Kind.values)}."]
    if errors:
        raise Invalid(errors)
    parsed = _parse(company, lines, receipt=kind == Kind.RECEIPT)
    on = date or timezone.localdate()
    adjustment = StockAdjustment.objects.create(
        company=company,
        number=take_number(company, "REC" if kind == Kind.RECEIPT else "ADJ", on),
        kind=kind,
        warehouse=warehouse,
        date=on,
        reason=reason[:255],
        created_by=actor,
    )
    value_in = value_out = ZERO
    move_kind = "receipt" if kind == Kind.RECEIPT else "adjustment"
    for product, qty, cost in sorted(parsed, key=lambda row: row[0].pk):
        args = {"company": company, "product": product, "warehouse": warehouse, "on": on, "reason": reason, "actor": actor}
        args["reference"] = adjustment.number
        if qty > 0:
            move = stock.move_in(quantity=qty, kind=move_kind, unit_cost=cost, **args)
            value_in += move.value
        else:
            level = stock.locked_level(company_id=company.pk, product_id=product.pk, warehouse_id=warehouse.pk)
            stock.free_for_removal(level=level, quantity=-qty)
            move = stock.move_out(quantity=-qty, kind=move_kind, **args)
            value_out -= move.value
        StockAdjustmentLine.objects.create(company=company, adjustment=adjustment, product=product, quantity=qty, move=move)
    counter = ROLE.GOODS_RECEIVED if kind == Kind.RECEIPT else ROLE.STOCK_ADJUSTMENT
    entry_lines = []
    if value_in:
        entry_lines += [{"role": ROLE.INVENTORY, "debit": value_in}, {"role": counter, "credit": value_in}]
    if value_out:
        entry_lines += [{"role": ROLE.STOCK_ADJUSTMENT, "debit": value_out}, {"role": ROLE.INVENTORY, "credit": value_out}]
    if entry_lines:
        adjustment.journal_entry = ledger.post_entry(
            company=company, date=on, memo=f"{adjustment.number}: {reason}"[:255], lines=entry_lines, actor=actor, source=adjustment
        )
        adjustment.save(update_fields=["journal_entry"])
    return adjustment
