"""The demand board (F-91): goods ordered and not yet shipped, by product and week, against stock.

Rules:
- Open demand of an order line is `quantity - delivered_quantity` when positive, counted only
  for confirmed orders (drafts, orders awaiting approval or credit release, closed and
  cancelled orders count nothing) and only for goods (services are never stocked).
- A line is due in the week (Monday to Sunday) of its order's requested delivery date, or of
  the order date when no delivery date was requested. Weeks before the current one are shown
  together as "overdue"; the current week and the next 11 each have a column, and anything
  due later is shown together as "later".
- Stock is the maintained `StockLevel`: on hand, reserved and available, summed over every
  warehouse, or the chosen warehouse's only. A product is short when its total open demand
  exceeds what is on hand. Week by week, the demand due up to and including a column
  (overdue first) is compared with what is on hand: `short_from` is the first column where
  it is more (0 = overdue, 1..12 = the weeks, 13 = later) or None, and a column is short
  (`short`) from there on wherever something is due in it, since that demand cannot be
  served from the stock on hand.
- Filters: a product category takes its sub-categories too (categories form a tree); a
  warehouse takes the orders shipping from it, and orders without a warehouse when it is the
  company's default one (as the to-ship queue does), and its stock only.
- Record scope: roles that see the whole company see every order's demand. A salesperson or a
  sales manager sees the demand of the orders they can see (`visible_salesperson_ids` on the
  order's salesperson). Stock is not anyone's own: it is always the company's (or the
  warehouse's), so a seller's shortage means their orders alone need more than is on hand.
- Quantities only, never prices: the warehouse reads this board too.

Reads are bounded, whatever the number of orders: the categories (one query), the company's
default warehouse (one, with a warehouse filter), the member's team (one, for a manager), the
demand summed in SQL by product and week (overdue and later already folded into one bucket
each, so rows are at most products x 14) and the stock summed by product.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, DateField, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone

from salesdesk.accounts.models import Membership
from salesdesk.accounts.selectors import visible_salesperson_ids
from salesdesk.catalog.models import Product, ProductCategory
from salesdesk.core.arithmetic import QUANTITY_PLACES
from salesdesk.inventory.models import StockLevel
from salesdesk.sales.models import SalesOrder, SalesOrderLine
from salesdesk.sales.selectors import sales_settings

WEEKS = 12
Q4 = Decimal(1).scaleb(-QUANTITY_PLACES)
ZERO = Decimal(0).quantize(Q4)
STOCK = ("on_hand", "reserved", "available")


def qty(value) -> Decimal:
    """A summed quantity, exact to the column's places (SQLite sums binary floats)."""
    return Decimal(value or ZERO).quantize(Q4)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def category_subtree(categories: dict[int, tuple[int | None, str]], root: int) -> set[int]:
    """`root` and every category below it; `categories` maps id -> (parent id, name)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, (parent, _name) in categories.items():
        children[parent].append(pk)
    found, todo = set(), [root]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def category_path(categories: dict[int, tuple[int | None, str]], pk: int | None) -> str:
    """ "Furniture › Chairs": the names from the root down (names repeat under different parents)."""
    names, seen = [], set()
    while pk is not None and pk in categories and pk not in seen:
        seen.add(pk)
        parent, name = categories[pk]
        names.append(name)
        pk = parent
    return " › ".join(reversed(names))


def open_lines(company, membership: Membership, *, categories=None, warehouse_id: int | None = None, default_warehouse_id=None):
    """The order lines with something left to ship, within the member's record scope and the filters."""
    lines = SalesOrderLine.objects.filter(
        company=company,
        order__status=SalesOrder.Status.CONFIRMED,
        product__kind=Product.Kind.GOODS,
        quantity__gt=F("delivered_quantity"),
    )
    ids = visible_salesperson_ids(membership)
    if ids is not None:
        lines = lines.filter(order__salesperson_id__in=ids)
    if categories is not None:
        lines = lines.filter(product__category_id__in=categories)
    if warehouse_id is not None:
        where = Q(order__warehouse_id=warehouse_id)
        if default_warehouse_id == warehouse_id:
            where |= Q(order__warehouse__isnull=True)
        lines = lines.filter(where)
    return lines


def _empty_columns() -> list[Decimal]:
    return [ZERO] * (WEEKS + 2)


def _short_from(on_hand: Decimal, columns: list[Decimal]) -> int | None:
    running = ZERO
    for index, value in enumerate(columns):
        running += value
        if running > on_hand:
            return index
    return None


def _short(columns: list[Decimal], short_from: int | None) -> list[bool]:
    return [short_from is not None and i >= short_from and value > 0 for i, value in enumerate(columns)]


def _figures(stock: dict[str, Decimal], columns: list[Decimal]) -> dict:
    """The named figures of a row (a product, a category or the total) from its stock and columns."""
    return {
        **stock,
        "columns": columns,
        "overdue": columns[0],
        "weeks": columns[1:-1],
        "later": columns[-1],
        "total": sum(columns, ZERO),
    }


def _rollup(rows: list[dict]) -> dict:
    """Sums of product rows; a column is short here when one of the products is short in it."""
    stock = {name: sum((r[name] for r in rows), ZERO) for name in STOCK}
    columns = [sum((r["columns"][i] for r in rows), ZERO) for i in range(WEEKS + 2)]
    starts = [r["short_from"] for r in rows if r["short_from"] is not None]
    return {
        **_figures(stock, columns),
        "short_from": min(starts) if starts else None,
        "short": [any(r["short"][i] for r in rows) for i in range(WEEKS + 2)],
        "shortage": any(r["shortage"] for r in rows),
        "products_short": sum(1 for r in rows if r["shortage"]),
    }


def demand_board(
    company, membership: Membership, *, category_id: int | None = None, warehouse_id: int | None = None, today: date | None = None
) -> dict:
    """The board: `weeks` (the Monday of each shown week), `rows` (one per product with open
    demand, by category then code), `categories` (their sums, in the same order) and `totals`.

    Each row, category and the totals carry `on_hand`, `reserved`, `available`, `overdue`,
    `weeks` (one figure per shown week), `later`, `total`, `columns` (overdue, the weeks,
    later), `shortage`, `short_from` and `short` (one flag per column)."""
    today = today or timezone.localdate()
    start = week_start(today)
    end = start + timedelta(weeks=WEEKS)
    weeks = [start + timedelta(weeks=i) for i in range(WEEKS)]
    categories = {
        pk: (parent, name) for pk, parent, name in ProductCategory.objects.filter(company=company).values_list("pk", "parent_id", "name")
    }
    subtree = category_subtree(categories, category_id) if category_id is not None else None
    default_warehouse_id = sales_settings(company).default_warehouse_id if warehouse_id is not None else None
    lines = open_lines(company, membership, categories=subtree, warehouse_id=warehouse_id, default_warehouse_id=default_warehouse_id)

    due = Coalesce("order__requested_date", "order__date", output_field=DateField())
    bucket = Case(
        When(due__lt=start, then=Value(start - timedelta(weeks=1))),
        When(due__gte=end, then=Value(end)),
        # PostgreSQL truncates a date to a timestamp: back to a date, as the other branches are.
        default=Cast(TruncWeek("due", output_field=DateField()), DateField()),
        output_field=DateField(),
    )
    sums = (
        lines.alias(due=due)
        .annotate(bucket=bucket)
        .values("product_id", "product__sku", "product__name", "product__category_id", "bucket")
        .annotate(open=Sum(F("quantity") - F("delivered_quantity")))
        .order_by()
    )
    products: dict[int, dict] = {}
    for row in sums:
        product = products.setdefault(
            row["product_id"],
            {
                "product": row["product_id"],
                "product_code": row["product__sku"],
                "product_name": row["product__name"],
                "category": row["product__category_id"],
                "category_name": category_path(categories, row["product__category_id"]),
                "columns": _empty_columns(),
            },
        )
        when = row["bucket"]
        index = 0 if when < start else WEEKS + 1 if when >= end else 1 + (when - start).days // 7
        product["columns"][index] += qty(row["open"])

    levels = StockLevel.objects.filter(company=company, product_id__in=lines.values("product_id"))
    if warehouse_id is not None:
        levels = levels.filter(warehouse_id=warehouse_id)
    stock = {
        level["product_id"]: {name: qty(level[f"sum_{name}"]) for name in STOCK}
        for level in levels.values("product_id").annotate(**{f"sum_{name}": Sum(name) for name in STOCK}).order_by()
    }

    rows = []
    for product in products.values():
        levels_of = stock.get(product["product"], dict.fromkeys(STOCK, ZERO))
        figures = _figures(levels_of, product.pop("columns"))
        short_from = _short_from(figures["on_hand"], figures["columns"])
        rows.append(
            product
            | figures
            | {
                "shortage": figures["total"] > figures["on_hand"],
                "short_from": short_from,
                "short": _short(figures["columns"], short_from),
            }
        )
    rows.sort(key=lambda r: (r["category"] is None, r["category_name"].casefold(), r["category"] or 0, r["product_code"]))

    grouped: dict[int | None, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["category"], []).append(row)
    by_category = [{"category": pk, "category_name": members[0]["category_name"], **_rollup(members)} for pk, members in grouped.items()]
    return {"today": today, "weeks": weeks, "rows": rows, "categories": by_category, "totals": _rollup(rows)}
