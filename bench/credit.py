"""Credit check: the latency of confirming a 5-line order must not grow with the customer's history.

Three customers with a credit limit get 10, 10,000 and 1,000,000 past order lines (quick: 10,
100 and 1,000), closed and paid, from the data generator. Their history is kept in the
benchmark database: a customer whose code says it has the history (`BENCH-CREDIT-<lines>`,
with the line count recorded in its notes once the history is complete) is reused. Draft
orders are made beforehand; the confirmations are timed one customer after the other, so a
slower stretch of the machine hits every size alike. The orders are cancelled afterwards, so
repeated runs leave the customers' exposure where it was.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import cycle
from bench.stats import median, ms, percentile, row, timed

FULL_SIZES = (10, 10_000, 1_000_000)
QUICK_SIZES = (10, 100, 1_000)
TARGET_RATIO = 1.5
MARK = "benchmark history: {lines} lines"


def label(lines: int) -> str:
    """10 -> "10", 10000 -> "10k", 1000000 -> "1m": short names for the metric columns."""
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if lines >= size and lines % size == 0:
            return f"{lines // size}{suffix}"
    return str(lines)


def customer_with_history(stage: cycle.Stage, lines: int):
    """The credit customer with `lines` past order lines, made (with its history) when missing."""
    from salesdesk.customers import services as customer_services
    from salesdesk.customers.models import Customer
    from salesdesk.setup.generate import add_customer_history
    from salesdesk.setup.generate.master import CREDIT_LIMIT

    code = f"BENCH-CREDIT-{label(lines).upper()}"
    mark = MARK.format(lines=lines)
    customer = Customer.objects.filter(company=stage.company, code=code).first()
    if customer is not None and customer.notes == mark:
        return customer
    if customer is None:
        template = stage.customers[0]
        customer = customer_services.customer_create(
            company=stage.company,
            actor=stage.admin,
            membership=stage.membership,
            values={
                "code": code,
                "name": f"Credit benchmark {label(lines)}",
                "status": Customer.Status.ACTIVE,
                "credit_limit": CREDIT_LIMIT,
                "salesperson": template.salesperson,
                "payment_term": template.payment_term,
                "currency": template.currency,
                "country": template.country,
            },
        )
    # A customer without the mark was interrupted while its history was written: write it
    # (again); more history than asked only makes the check harder.
    add_customer_history(company=stage.company, customer=customer, lines=lines)
    Customer.objects.filter(pk=customer.pk).update(notes=mark)
    customer.notes = mark
    return customer


def draft_orders(stage: cycle.Stage, customer, count: int) -> list:
    from salesdesk.sales import services as sales

    orders = []
    for _ in range(count):
        _, lines = stage.next_order()
        orders.append(
            sales.order_create(company=stage.company, actor=stage.admin, membership=stage.membership, customer=customer, lines=lines)
        )
    return orders


def confirm(stage: cycle.Stage, order):
    from salesdesk.sales import services as sales

    confirmed = sales.order_confirm(order=order, actor=stage.admin, membership=stage.membership)
    if confirmed.status != "confirmed":
        raise AssertionError(f"order {order.pk} was not confirmed: {confirmed.status}")
    return confirmed


def cancel_all(stage: cycle.Stage, orders: list) -> None:
    from salesdesk.sales import services as sales

    for order in orders:
        sales.order_cancel(order=order, actor=stage.admin, reason="benchmark order")


def run(ctx) -> list[dict]:
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    repeats = ctx.repeats(30, 10)
    per_customer = repeats + 2  # a warm-up and the counted one besides the timed ones
    stage = cycle.stage(ctx.company_code, orders=len(sizes) * per_customer, customers=1)
    customers = [customer_with_history(stage, lines) for lines in sizes]
    drafts = {c.pk: draft_orders(stage, c, per_customer) for c in customers}
    queries = {}
    for customer in customers:
        confirm(stage, drafts[customer.pk][0])  # warm-up
        with CaptureQueriesContext(connection) as captured:
            confirm(stage, drafts[customer.pk][1])
        queries[customer.pk] = len(captured.captured_queries)
    seconds: dict[int, list[float]] = {c.pk: [] for c in customers}
    for i in range(2, per_customer):
        for customer in customers:
            seconds[customer.pk].append(timed(confirm, stage, drafts[customer.pk][i])[0])
    for customer in customers:
        cancel_all(stage, drafts[customer.pk])
    rows = []
    for lines, customer in zip(sizes, customers, strict=True):
        name = label(lines)
        note = f"{lines:,} past order lines, {repeats} confirmations"
        rows.append(row("credit-check", f"confirm_p50_{name}", ms(median(seconds[customer.pk])), "ms", None, None, note))
        rows.append(row("credit-check", f"confirm_p95_{name}", ms(percentile(seconds[customer.pk], 95)), "ms", None, None, note))
        rows.append(
            row("credit-check", f"queries_{name}", queries[customer.pk], "queries", None, None, "SQL statements of one confirmation")
        )
    small, large = median(seconds[customers[0].pk]), median(seconds[customers[-1].pk])
    rows.append(
        row(
            "credit-check",
            "p50_ratio_largest_smallest",
            round(large / small, 3) if small else 0.0,
            "ratio",
            TARGET_RATIO,
            "<=",
            f"confirm p50 at {sizes[-1]:,} lines over p50 at {sizes[0]:,} lines",
        )
    )
    return rows
