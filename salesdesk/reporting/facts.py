"""What each document counts for in sales analysis today, line by line.

`BUILDERS[source](ctx, ids)` answers, for documents of one kind, the fact rows their
current state stands for: a confirmed order counts its lines as ordered, a cancelled one
counts nothing; a shipped delivery counts its goods as delivered, a refused one nothing; a
received return takes goods back; a posted invoice counts as invoiced and a credit note
takes it back; a payment not reversed counts as collected. The refresh compares these with
the facts already written and adds the difference.

Rules (docs/reporting.md):
- Revenue is the line's untaxed amount after discount, in the company's currency at the
  document's rate (an order, which has no rate of its own, at the rate of its date).
- Cost is the goods' cost where the document records it (a delivery's or a return's
  moving-average cost), otherwise quantity × the product's standard cost.
- Delivered goods are valued at their order line's price, so that ordered, delivered and
  invoiced revenue compare.
- A document is counted once, on its first line (`documents` = 1 there).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from salesdesk.accounts.models import Membership
from salesdesk.billing.models import Invoice, InvoiceLine, Payment
from salesdesk.billing.services.common import to_base
from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors import rate_on
from salesdesk.core.money import ZERO, round_money
from salesdesk.customers.models import Customer
from salesdesk.fulfilment.models import Delivery, DeliveryLine, ReturnLine, ReturnOutcome, ReturnRequest
from salesdesk.reporting.models import Measure, Source
from salesdesk.sales.models import SalesOrder, SalesOrderLine

# The dimensions a fact is analysed by, in the order rows carry them.
DIMENSIONS = ("customer_id", "customer_group_id", "region_id", "team_id", "salesperson_id", "product_id", "category_id")


class Key(NamedTuple):
    """Where a fact belongs: one line of one document, on one date, with its dimensions.

    A named tuple: a rebuild makes one per fact, and a frozen dataclass costs several times more to make."""

    measure: str
    source: str
    source_id: int
    source_line_id: int
    date: date
    customer_id: int
    customer_group_id: int
    region_id: int
    team_id: int
    salesperson_id: int
    product_id: int
    category_id: int


@dataclass
class Figures:
    quantity: Decimal = ZERO
    revenue: Decimal = ZERO
    cost: Decimal = ZERO
    documents: int = 0

    def add(self, other: "Figures", sign: int = 1) -> None:
        self.quantity += sign * other.quantity
        self.revenue += sign * other.revenue
        self.cost += sign * other.cost
        self.documents += sign * other.documents

    def is_zero(self) -> bool:
        return not (self.quantity or self.revenue or self.cost or self.documents)


class Context:
    """What facts need beyond the documents, read once per refresh: teams, customers, products, rates."""

    def __init__(self, company) -> None:
        self.company = company
        self.teams = dict(Membership.objects.filter(company=company, team__isnull=False).values_list("user_id", "team_id"))
        self._customers: dict[int, tuple[int, int, int]] = {}
        self._products: dict[int, tuple[int, Decimal]] = {}
        self._rates: dict[tuple[str, date], Decimal] = {}

    def load(self, customer_ids: Iterable[int], product_ids: Iterable[int]) -> None:
        wanted = set(customer_ids) - self._customers.keys()
        for row in (
            Customer.objects.filter(company=self.company, pk__in=wanted)
            .order_by()
            .values_list("pk", "group_id", "region_id", "salesperson_id")
        ):
            self._customers[row[0]] = (row[1] or 0, row[2] or 0, row[3] or 0)
        wanted = set(product_ids) - self._products.keys()
        for pk, category_id, cost in (
            Product.objects.filter(company=self.company, pk__in=wanted).order_by().values_list("pk", "category_id", "cost")
        ):
            self._products[pk] = (category_id or 0, cost)

    def rate(self, currency_code: str, on: date) -> Decimal:
        if currency_code == self.company.base_currency:
            return Decimal(1)
        if (currency_code, on) not in self._rates:
            # No known rate: the amount is counted as it is rather than left out of the totals.
            self._rates[currency_code, on] = rate_on(self.company, currency_code, on) or Decimal(1)
        return self._rates[currency_code, on]

    def standard_cost(self, product_id: int, quantity: Decimal) -> Decimal:
        return round_money(quantity * self._products[product_id][1], 2)

    def key(self, measure, source, source_id, line_id, on, customer_id, salesperson_id, product_id) -> Key:
        group_id, region_id, owner_id = self._customers[customer_id]
        seller = salesperson_id or owner_id
        return Key(
            measure=str(measure),
            source=str(source),
            source_id=source_id,
            source_line_id=line_id,
            date=on,
            customer_id=customer_id,
            customer_group_id=group_id,
            region_id=region_id,
            team_id=self.teams.get(seller, 0),
            salesperson_id=seller,
            product_id=product_id,
            category_id=self._products[product_id][0] if product_id else 0,
        )


Facts = dict[Key, Figures]


def _first_flags(lines: list) -> dict[int, int]:
    """1 for the first line of each document (by sequence, then id), 0 for the others."""
    first: dict[int, tuple] = {}
    for doc_id, sequence, pk in lines:
        if doc_id not in first or (sequence, pk) < first[doc_id]:
            first[doc_id] = (sequence, pk)
    return {pk: 1 for (_, pk) in first.values()}


def order_facts(ctx: Context, ids: list[int]) -> Facts:
    orders = {
        o.pk: o
        for o in SalesOrder.objects.filter(company=ctx.company, pk__in=ids, status__in=["confirmed", "closed"])
        .order_by()
        .values_list("pk", "customer_id", "salesperson_id", "date", "currency__code", named=True)
    }
    lines = list(
        SalesOrderLine.objects.filter(order_id__in=orders).values_list("pk", "order_id", "sequence", "product_id", "quantity", "amount")
    )
    ctx.load((o.customer_id for o in orders.values()), (row[3] for row in lines))
    counted = _first_flags([(row[1], row[2], row[0]) for row in lines])
    facts: Facts = {}
    for pk, order_id, _sequence, product_id, quantity, amount in lines:
        order = orders[order_id]
        rate = ctx.rate(order.currency__code, order.date)
        key = ctx.key(Measure.ORDERED, Source.ORDER, order_id, pk, order.date, order.customer_id, order.salesperson_id, product_id)
        facts[key] = Figures(quantity, to_base(amount, rate), ctx.standard_cost(product_id, quantity), counted.get(pk, 0))
    return facts


def _unit_values(ctx: Context, order_line_ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal, str, date]]:
    """Per order line: its quantity, untaxed amount, its order's currency and date."""
    rows = (
        SalesOrderLine.objects.filter(company=ctx.company, pk__in=set(order_line_ids))
        .order_by()
        .values_list("pk", "quantity", "amount", "order__currency__code", "order__date")
    )
    return {pk: (quantity, amount, currency, on) for pk, quantity, amount, currency, on in rows}


def _valued(ctx: Context, values, order_line_id: int | None, quantity: Decimal) -> Decimal:
    if not order_line_id or order_line_id not in values:
        return ZERO
    ordered, amount, currency, on = values[order_line_id]
    return to_base(amount * quantity / ordered, ctx.rate(currency, on))


def delivery_facts(ctx: Context, ids: list[int]) -> Facts:
    deliveries = {
        d.pk: d
        for d in Delivery.objects.filter(company=ctx.company, pk__in=ids, status__in=["shipped", "delivered"])
        .order_by()
        # The order's salesperson made the sale: a delivery counts for them, as the order and its invoice do.
        .values_list("pk", "customer_id", "shipped_at", "date", "sales_order__salesperson_id", named=True)
    }
    lines = list(
        DeliveryLine.objects.filter(delivery_id__in=deliveries).values_list(
            "pk", "delivery_id", "sequence", "product_id", "quantity", "cost", "order_line_id"
        )
    )
    ctx.load((d.customer_id for d in deliveries.values()), (row[3] for row in lines))
    values = _unit_values(ctx, (row[6] for row in lines if row[6]))
    counted = _first_flags([(row[1], row[2], row[0]) for row in lines])
    facts: Facts = {}
    for pk, delivery_id, _sequence, product_id, quantity, cost, order_line_id in lines:
        delivery = deliveries[delivery_id]
        on = timezone.localdate(delivery.shipped_at) if delivery.shipped_at else delivery.date
        seller = delivery.sales_order__salesperson_id or 0
        key = ctx.key(Measure.DELIVERED, Source.DELIVERY, delivery_id, pk, on, delivery.customer_id, seller, product_id)
        facts[key] = Figures(quantity, _valued(ctx, values, order_line_id, quantity), cost, counted.get(pk, 0))
    return facts


def return_facts(ctx: Context, ids: list[int]) -> Facts:
    """Goods received back take their quantity, value and cost off the delivered figures."""
    requests = {
        r.pk: r
        for r in ReturnRequest.objects.filter(company=ctx.company, pk__in=ids, status__in=["received", "credited"])
        .order_by()
        .values_list("pk", "customer_id", "received_at", "date", "sales_order_id", "sales_order__salesperson_id", named=True)
    }
    lines = list(
        # Goods back for repair go out to the customer again: they were never taken back from the sale.
        ReturnLine.objects.filter(return_request_id__in=requests, received_quantity__gt=0)
        .exclude(outcome=ReturnOutcome.REPAIR)
        .values_list("pk", "return_request_id", "sequence", "product_id", "received_quantity", "cost")
    )
    ctx.load((r.customer_id for r in requests.values()), (row[3] for row in lines))
    # The returned goods are valued at the price of their product's line on the order.
    by_product: dict[tuple[int, int], int] = {}
    for pk, order_id, product_id in SalesOrderLine.objects.filter(
        company=ctx.company, order_id__in={r.sales_order_id for r in requests.values() if r.sales_order_id}
    ).values_list("pk", "order_id", "product_id"):
        by_product.setdefault((order_id, product_id), pk)
    values = _unit_values(ctx, by_product.values())
    facts: Facts = {}
    for pk, request_id, _sequence, product_id, quantity, cost in lines:
        request = requests[request_id]
        on = timezone.localdate(request.received_at) if request.received_at else request.date
        order_line_id = by_product.get((request.sales_order_id, product_id))
        seller = request.sales_order__salesperson_id or 0
        key = ctx.key(Measure.DELIVERED, Source.RETURN, request_id, pk, on, request.customer_id, seller, product_id)
        # A return is not a delivery undone: it leaves the count of deliveries as it is.
        facts[key] = Figures(-quantity, -_valued(ctx, values, order_line_id, quantity), -cost, 0)
    return facts


def invoice_facts(ctx: Context, ids: list[int]) -> Facts:
    """Posted invoices count as invoiced; posted credit notes as credited, with negative figures."""
    invoices = {
        i.pk: i
        for i in Invoice.objects.filter(company=ctx.company, pk__in=ids, status__in=["posted", "paid"])
        .order_by()
        .values_list("pk", "customer_id", "salesperson_id", "issue_date", "kind", "rate", named=True)
    }
    lines = list(
        InvoiceLine.objects.filter(invoice_id__in=invoices).values_list("pk", "invoice_id", "sequence", "product_id", "quantity", "amount")
    )
    ctx.load((i.customer_id for i in invoices.values()), (row[3] for row in lines))
    counted = _first_flags([(row[1], row[2], row[0]) for row in lines])
    facts: Facts = {}
    for pk, invoice_id, _sequence, product_id, quantity, amount in lines:
        invoice = invoices[invoice_id]
        credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
        sign = -1 if credit else 1
        measure = Measure.CREDITED if credit else Measure.INVOICED
        key = ctx.key(measure, Source.INVOICE, invoice_id, pk, invoice.issue_date, invoice.customer_id, invoice.salesperson_id, product_id)
        figures = Figures(quantity, to_base(amount, invoice.rate), ctx.standard_cost(product_id, quantity), counted.get(pk, 0))
        facts[key] = Figures(sign * figures.quantity, sign * figures.revenue, sign * figures.cost, sign * figures.documents)
    return facts


def payment_facts(ctx: Context, ids: list[int]) -> Facts:
    payments = list(
        Payment.objects.filter(company=ctx.company, pk__in=ids, status=Payment.Status.POSTED)
        .order_by()
        .values_list("pk", "customer_id", "date", "amount", "rate", named=True)
    )
    ctx.load((p.customer_id for p in payments), ())
    facts: Facts = {}
    for payment in payments:
        key = ctx.key(Measure.COLLECTED, Source.PAYMENT, payment.pk, 0, payment.date, payment.customer_id, 0, 0)
        facts[key] = Figures(ZERO, to_base(payment.amount, payment.rate), ZERO, 1)
    return facts


BUILDERS = {
    Source.ORDER: order_facts,
    Source.DELIVERY: delivery_facts,
    Source.RETURN: return_facts,
    Source.INVOICE: invoice_facts,
    Source.PAYMENT: payment_facts,
}

# The document models whose events a refresh reads, and the source each stands for.
SOURCE_MODELS = {
    SalesOrder: Source.ORDER,
    Delivery: Source.DELIVERY,
    ReturnRequest: Source.RETURN,
    Invoice: Source.INVOICE,
    Payment: Source.PAYMENT,
}


def group_by_source(pairs: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    grouped: dict[str, set[int]] = defaultdict(set)
    for source, pk in pairs:
        grouped[source].add(pk)
    return {source: sorted(ids) for source, ids in grouped.items()}
