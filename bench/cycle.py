"""The quote-to-cash cycle through the service layer: lines fully processed per second.

One cycle is what a sales desk does with an order from start to end: a 5-line quotation,
accepted and converted, the order confirmed (credit check, number, stock reserved), one
delivery made, shipped and delivered, the invoice drafted from the order and posted, and a
payment recorded and allocated to it, which closes the order. Each order goes to another
customer and takes other products of the generated company, acting as its administrator.

The set-up (stock received for the products, customers picked) is done before the clock
starts; the outcome of every cycle (invoice paid, order closed) is checked after it stops.
"""

import functools
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import affinity
from bench.stats import median, ms, percentile, row, timed

LINES = 5
TARGETS = {"sqlite": 400, "postgresql": 150}


@dataclass
class Stage:
    """What the cycles need of the generated company, loaded once, outside the timing."""

    company: object
    admin: object
    membership: object
    warehouse: object
    customers: list = field(default_factory=list)
    products: list = field(default_factory=list)
    used: int = 0  # orders taken so far: each new order takes the next customer and products

    def next_order(self) -> tuple[object, list[dict]]:
        """The customer and 5 lines of the next order (distinct products, quantities 1 to 3)."""
        i = self.used
        self.used += 1
        customer = self.customers[i % len(self.customers)]
        lines = [
            {"product": self.products[(i * LINES + k) % len(self.products)], "quantity": Decimal(1 + (i + k) % 3)} for k in range(LINES)
        ]
        return customer, lines


def usable_customers(company, count: int) -> list:
    """Generated customers an order can go to: active, not blocked for overdue, with credit to spare."""
    from salesdesk.customers.models import Customer, CustomerAccount
    from salesdesk.sales import credit

    today = timezone.localdate()
    candidates = Customer.objects.filter(company=company, code__startswith="C", status=Customer.Status.ACTIVE).order_by("id")
    chosen, offset = [], 0
    while len(chosen) < count:
        batch = list(candidates[offset : offset + 500])
        if not batch:
            break
        offset += len(batch)
        accounts = {a.customer_id: a for a in CustomerAccount.objects.filter(company=company, customer__in=batch)}
        for customer in batch:
            account = accounts.get(customer.pk)
            if account is None or len(chosen) >= count:
                continue
            decision = credit.decide(
                credit_limit=customer.credit_limit,
                receivable=account.receivable,
                open_orders=account.open_orders,
                unapplied_deposits=account.unapplied_deposits,
                order_amount=Decimal("50000"),  # well above a 5-line order, so no cycle is held for credit
                oldest_due_date=account.oldest_overdue_due_date,
                overdue_block_days=customer.overdue_block_days,
                today=today,
            )
            if decision.refusal is None:
                chosen.append(customer)
    if not chosen:
        raise RuntimeError("no customer of the generated company can take an order")
    return chosen


def stage(company_code: str, orders: int, *, customers: int = 1000) -> Stage:
    """Load the company, pick customers and products, and receive the stock `orders` cycles will ship."""
    from salesdesk.accounts.models import Company, User
    from salesdesk.catalog.models import Product
    from salesdesk.inventory.models import Warehouse

    company = Company.objects.get(code=company_code)
    admin = User.objects.get(username=f"{company_code.lower()}-admin")
    # As many products as the orders take (each order the next five), so a large company is not loaded whole.
    goods = Product.objects.filter(company=company, kind=Product.Kind.GOODS, active=True, sku__startswith="P")
    products = list(goods.select_related("tax").order_by("id")[: max(orders, 1) * LINES])
    if len(products) < LINES:
        raise RuntimeError(f"the generated company has {len(products)} products; a cycle needs {LINES}")
    result = Stage(
        company=company,
        admin=admin,
        membership=admin.memberships.get(company=company),
        warehouse=Warehouse.objects.get(company=company, code="MAIN"),
        customers=usable_customers(company, customers),
        products=products,
    )
    receive_for(result, orders)
    return result


def receive_for(stage_: Stage, orders: int) -> None:
    """Make sure the next `orders` orders find their goods free in the warehouse (a stock receipt)."""
    from salesdesk.fulfilment import services as fulfilment
    from salesdesk.inventory.models import StockLevel

    need: dict[int, Decimal] = {}
    products = {}
    probe = Stage(stage_.company, stage_.admin, stage_.membership, stage_.warehouse, stage_.customers, stage_.products, stage_.used)
    for _ in range(orders):
        for line in probe.next_order()[1]:
            product = line["product"]
            products[product.pk] = product
            need[product.pk] = need.get(product.pk, Decimal(0)) + line["quantity"]
    # Stock received goes to order lines waiting for it first, so check what is free and top up.
    for _ in range(3):
        free = dict(
            StockLevel.objects.filter(company=stage_.company, warehouse=stage_.warehouse, product_id__in=list(need)).values_list(
                "product_id", "available"
            )
        )
        short = {pk: qty - free.get(pk, Decimal(0)) for pk, qty in need.items() if free.get(pk, Decimal(0)) < qty}
        if not short:
            return
        fulfilment.stock_adjust(
            company=stage_.company,
            actor=stage_.admin,
            warehouse=stage_.warehouse,
            reason="benchmark stock",
            kind="receipt",
            lines=[{"product": products[pk], "quantity": qty + 10} for pk, qty in sorted(short.items())],
        )
    raise RuntimeError("could not free enough stock for the benchmark orders")


@functools.cache
def _services():
    """The service modules, imported once: an import statement inside the timed function cost
    about 1 % of an order on SQLite (the packages' `services` are found through the import
    machinery each time)."""
    from salesdesk.billing import services as billing
    from salesdesk.fulfilment import services as fulfilment
    from salesdesk.sales import services as sales

    return billing, fulfilment, sales


def one_cycle(stage_: Stage, on: date | None = None) -> tuple[int, int]:
    """One order from quotation to paid; returns (order id, invoice id) for the check afterwards."""
    billing, fulfilment, sales = _services()
    customer, lines = stage_.next_order()
    actor, membership = stage_.admin, stage_.membership
    quotation = sales.quotation_create(company=stage_.company, actor=actor, membership=membership, customer=customer, lines=lines)
    quotation = sales.quotation_accept(quotation=quotation, actor=actor)
    order = sales.quotation_convert(quotation=quotation, actor=actor, membership=membership)
    order = sales.order_confirm(order=order, actor=actor, membership=membership)
    delivery = fulfilment.delivery_create(order=order, actor=actor, membership=membership)
    delivery = fulfilment.delivery_ship(delivery=delivery, actor=actor)
    fulfilment.delivery_deliver(delivery=delivery, actor=actor)
    invoice = billing.invoice_from_order(order=order, actor=actor, membership=membership)
    invoice = billing.invoice_post(invoice=invoice, actor=actor)
    billing.payment_create(
        company=stage_.company,
        actor=actor,
        customer=customer,
        amount=invoice.amount_due,
        allocations=[{"invoice": invoice, "amount": invoice.amount_due}],
    )
    return order.pk, invoice.pk


def check_closed(pairs: list[tuple[int, int]]) -> None:
    """Every cycle ended with its order closed and its invoice paid: a broken cycle must not count."""
    from salesdesk.billing.models import Invoice
    from salesdesk.sales.models import SalesOrder

    orders = [o for o, _ in pairs]
    invoices = [i for _, i in pairs]
    open_orders = list(SalesOrder.objects.filter(pk__in=orders).exclude(status="closed").values_list("pk", "status")[:5])
    unpaid = list(Invoice.objects.filter(pk__in=invoices).exclude(status="paid").values_list("pk", "status")[:5])
    closed = SalesOrder.objects.filter(pk__in=orders, status="closed").count()
    if open_orders or unpaid or closed != len(set(orders)):
        raise AssertionError(f"cycle did not finish: orders not closed {open_orders}, invoices not paid {unpaid}")


def engine_rate(stage_: Stage, orders: int) -> tuple[float, list[float]]:
    """(lines per second, seconds per order) of `orders` cycles back to back."""
    pairs, each = [], []
    for _ in range(orders):
        seconds, pair = timed(one_cycle, stage_)
        each.append(seconds)
        pairs.append(pair)
    check_closed(pairs)
    return orders * LINES / sum(each), each


def queries_per_cycle(stage_: Stage) -> int:
    with CaptureQueriesContext(connection) as captured:
        pair = one_cycle(stage_)
    check_closed([pair])
    return len(captured.captured_queries)


def sizes(ctx) -> tuple[int, int]:
    """(repeats, orders per repeat)."""
    return ctx.repeats(5, 3), (10 if ctx.quick else 100)


def warm_up_orders(ctx) -> int:
    """Untimed orders before the clock starts: the first orders of a process fill its caches
    (content types, settings, statements composed and prepared, the database's pages)."""
    return 2 if ctx.quick else 20


def read_database_file() -> None:
    """On SQLite, read the database file (and its log) once before the clock starts, so the
    timed orders find it in the operating system's cache, as on a server where it is in use.
    This machine's memory manager drops the pages of a file that nobody read for about a
    minute (DAMON's page-out), so a database left idle between runs was partly back on disk:
    the cycle then did 302 lines/s, and 387 right after the file was read once
    (docs/benchmarks.md, finding 33). PostgreSQL's leg generates its database just before.

    A child process reads it: closing a file in this process would drop every lock this
    process's SQLite connections hold on that file (POSIX locks belong to the process), and
    other processes could then write under them and corrupt the database."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    name = str(connection.settings_dict["NAME"])
    subprocess.run([sys.executable, "-c", _READ_FILES, name, f"{name}-wal"], check=True)  # noqa: S603 (our own command line)


# What the child runs: each file that exists, read to its end and thrown away.
_READ_FILES = """
import sys
for path in sys.argv[1:]:
    try:
        with open(path, "rb", buffering=0) as file:
            while file.read(1 << 20):
                pass
    except FileNotFoundError:
        pass
"""


def run(ctx) -> list[dict]:
    """The cycle's repeats; on PostgreSQL with the bench's process and its server process on one
    CPU (`affinity.one_cpu`), each followed by one with the CPUs left to the system."""
    repeats, per_repeat = sizes(ctx)
    warm = warm_up_orders(ctx)
    stage_ = stage(ctx.company_code, orders=2 * repeats * per_repeat + warm + 1)
    for _ in range(warm):
        one_cycle(stage_)
    queries = queries_per_cycle(stage_)
    read_database_file()
    rates, each, any_cpu = [], [], []
    for _ in range(repeats):
        with affinity.one_cpu() as pinned:
            rate, seconds = engine_rate(stage_, per_repeat)
        rates.append(rate)
        each += seconds
        if pinned:
            any_cpu.append(engine_rate(stage_, per_repeat)[0])
    target = TARGETS.get(ctx.vendor)
    note = f"median of {repeats} runs of {per_repeat} orders x {LINES} lines, after {warm} untimed; {len(stage_.customers)} customers"
    if pinned:
        note += "; the bench's process and its server process on one CPU"
    rows = [
        row("cycle", "lines_per_s", round(median(rates), 1), "lines/s", target, ">=", note),
        row("cycle", "order_p50", ms(median(each)), "ms", None, None, "one order, quote to paid"),
        row("cycle", "order_p95", ms(percentile(each, 95)), "ms", None, None, "one order, quote to paid"),
        row("cycle", "queries_per_order", queries, "queries", None, None, "SQL statements of one cycle"),
    ]
    if any_cpu:
        note = f"the same, {repeats} runs alternating with those, the system free to run the server on another CPU"
        rows.insert(1, row("cycle", "lines_per_s_any_cpu", round(median(any_cpu), 1), "lines/s", None, None, note))
    return rows
