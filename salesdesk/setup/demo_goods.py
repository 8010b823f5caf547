"""Demo goods: stock received and counted, orders shipped, a refusal, returns and disputes.

Runs after the sales and billing stories, through the fulfilment, billing and sales
services, from the demo's seeded random source:

- Stock: three rounds of supplier receipts (about three months ago, seven weeks ago and last
  week), one receipt per product family, at slightly different unit costs so that the
  moving average moves. The orders confirmed so far were waiting for that stock: each
  receipt gives it to them oldest first. Two products come in short, so their newest orders
  stay on backorder. Two count corrections follow (a breakage, a recount).
- Deliveries: the warehouse clerk ships the confirmed orders from what is reserved for them:
  older orders are delivered (those invoiced and paid close themselves), recent ones are on
  their way, the newest are picked or still drafts, one draft was cancelled, and the rest
  wait in the shipping queue. Two orders go out in two deliveries. One shipment is refused at
  the door: the goods come back and the invoiced amount is credited.
- Invoicing on delivery: three customers are billed per delivery. One order goes out in two
  deliveries, each with its invoice; one is delivered, invoiced and paid (closed); one asks
  for more than is in stock and waits for the rest (a backorder).
- Returns in every status: requested, approved, rejected, received and restocked (waiting for
  its credit note), credited (one line restocked, one scrapped), and a faulty item replaced.
- Disputes on current invoices: one open, and one each resolved by a credit note, a
  write-off, and collecting after all.

Planned dates go back in time; what the services date themselves (shipments, their cost
entries, credit notes, dispute resolutions) is today.
"""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

from salesdesk.billing import services as billing
from salesdesk.billing.models import Dispute, Invoice
from salesdesk.catalog.models import Product
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer
from salesdesk.fulfilment import selectors as fulfilment_selectors
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.inventory.models import Reservation, StockAdjustment, StockLevel
from salesdesk.sales import services as sales
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked
from salesdesk.sales.models import SalesOrder
from salesdesk.setup import demo_history

# days ago, which share of the products, unit cost against the standard cost (fewest, most %)
RECEIPTS = ((95, 1.0, (96, 100)), (50, 0.3, (101, 106)), (6, 0.1, (99, 103)))
SHORT = 2  # products received short: their newest orders wait on backorder
CARRIERS = (("SEUR", "SE"), ("MRW", "MRW"), ("Correos Express", "CEX"), ("DHL Freight", "DHL"), ("Own van", ""))
REFUSAL = "The pallet arrived crushed; the customer refused it at the door."
CANCELLED = "The customer asked to ship it with their next order."


def load_goods(demo) -> None:
    _GoodsLoader(demo).load()


def summary(company) -> list[str]:
    """The lines of the load command's output about stock, deliveries, returns and disputes."""

    def counts(qs, field: str = "status") -> str:
        found = Counter(qs.values_list(field, flat=True))
        return f"{sum(found.values())} ({', '.join(f'{k} {v}' for k, v in sorted(found.items()))})"

    levels = StockLevel.objects.filter(company=company)
    value = sum(levels.values_list("value", flat=True), Decimal("0.00"))
    waiting = [r for r in Reservation.objects.filter(company=company) if r.reserved < r.wanted]
    return [
        f"Stock: {levels.count()} levels worth {value} EUR; receipts and adjustments: "
        f"{counts(StockAdjustment.objects.filter(company=company), 'kind')}; order lines on backorder: {len(waiting)}",
        f"Deliveries: {counts(Delivery.objects.filter(company=company))}",
        f"Returns: {counts(ReturnRequest.objects.filter(company=company))}; disputes: {counts(Dispute.objects.filter(company=company))}",
    ]


class _GoodsLoader:
    def __init__(self, demo) -> None:
        self.demo, self.company, self.rng, self.today = demo, demo.company, demo.rng, demo.today
        self.warehouse = demo.warehouse
        self.clerk, self.accountant, self.admin = demo.users["warehouse"], demo.users["accountant"], demo.admin
        self.memberships: dict[int, object] = {}
        self.goods = sorted((p for p in demo.products if p.active and p.kind == Product.Kind.GOODS), key=lambda p: p.pk)
        self.short: set[int] = set()
        self.delivered: list[Delivery] = []  # delivered shipments of invoiced orders, for the returns

    def membership(self, user):
        if user.pk not in self.memberships:
            self.memberships[user.pk] = user.memberships.get(company=self.company)
        return self.memberships[user.pk]

    def days_ago(self, days: int):
        return self.today - timedelta(days=days)

    def load(self) -> None:
        self.receive_stock()
        self.adjust_stock()
        self.ship_orders()
        self.sell_on_delivery()
        self.returns()
        self.disputes()

    # ------------------------------------------------------------------ stock

    def natural(self, product: Product) -> int:
        """A sensible quantity to buy in: fewer of the dear things."""
        if product.unit.code == "kg":
            return self.rng.randint(50, 200)
        price = product.list_price
        if price >= 500:
            return self.rng.randint(6, 12)
        if price >= 100:
            return self.rng.randint(15, 40)
        if price >= 20:
            return self.rng.randint(40, 100)
        return self.rng.randint(100, 300)

    def receive_stock(self) -> None:
        waiting: dict[int, Decimal] = defaultdict(Decimal)
        for reservation in Reservation.objects.filter(company=self.company):
            waiting[reservation.product_id] += reservation.wanted - reservation.reserved
        wanted_most = sorted((p for p in self.goods if waiting[p.pk] >= 4), key=lambda p: (-waiting[p.pk], p.pk))
        self.short = {p.pk for p in self.rng.sample(wanted_most[:10], SHORT)}
        for rank, (days, share, (low, high)) in enumerate(RECEIPTS):
            chosen = self.goods if share >= 1 else self.rng.sample(self.goods, int(len(self.goods) * share))
            by_family: dict[str, list[dict]] = defaultdict(list)
            for product in chosen:
                if product.pk in self.short:
                    if rank:
                        continue
                    quantity = max(Decimal(1), (waiting[product.pk] / 2).to_integral_value(ROUND_FLOOR))
                else:
                    quantity = Decimal(self.natural(product)) + (waiting[product.pk] if rank == 0 else 0)
                cost = (product.cost * self.rng.randint(low, high) / 100).quantize(Decimal("0.01"))
                by_family[product.category.parent.name].append({"product": product, "quantity": quantity, "unit_cost": cost})
            for family, lines in sorted(by_family.items()):
                fulfilment.stock_adjust(
                    company=self.company, actor=self.clerk, warehouse=self.warehouse, kind="receipt",
                    reason=f"Supplier delivery: {family.lower()}", lines=lines, date=self.days_ago(days),
                )  # fmt: skip

    def free(self, product: Product) -> Decimal:
        level = StockLevel.objects.filter(company=self.company, product=product, warehouse=self.warehouse).first()
        return level.available if level else Decimal(0)

    def plentiful(self, at_least: Decimal, count: int, *, dearest: int = 400) -> list[Product]:
        """Products nothing limits (no floor, discount or margin rule) with this much free stock."""
        fits = [
            p
            for p in self.goods
            if p.pk not in self.short and p.floor_price is None and p.max_discount_percent is None and p.min_margin_percent is None
            and p.list_price < dearest and p.unit.code == "pc" and self.free(p) >= at_least
        ]  # fmt: skip
        return self.rng.sample(fits, count)

    def adjust_stock(self) -> None:
        broken, counted, found = self.plentiful(Decimal(10), 3)
        actor, warehouse = self.clerk, self.warehouse
        fulfilment.stock_adjust(
            company=self.company, actor=actor, warehouse=warehouse, reason="Dropped by the forklift in aisle 4: written off",
            lines=[{"product": broken, "quantity": Decimal(-2)}], date=self.days_ago(30),
        )  # fmt: skip
        fulfilment.stock_adjust(
            company=self.company, actor=actor, warehouse=warehouse, reason="Quarterly count: differences",
            lines=[{"product": counted, "quantity": Decimal(-1)}, {"product": found, "quantity": Decimal(1)}], date=self.days_ago(12),
        )  # fmt: skip

    # ------------------------------------------------------------------ deliveries

    def ready(self, order: SalesOrder, share: Decimal = Decimal(1)) -> list[dict]:
        """What the order can ship now: its reserved goods not on an open delivery (a share of it for a first part)."""
        lines = []
        for row in fulfilment_selectors.order_lines_progress(order):
            quantity = min(row["reserved"] - row["on_deliveries"], row["outstanding"])
            if row["goods"] and share < 1:
                quantity = (quantity * share).to_integral_value(ROUND_FLOOR)
            if row["goods"] and quantity > 0:
                lines.append({"order_line": row["line"].pk, "quantity": quantity})
        return lines

    def draft(self, order: SalesOrder, lines: list[dict], planned) -> Delivery:
        carrier, prefix = self.rng.choice(CARRIERS)
        tracking = f"{prefix}{self.rng.randint(10**8, 10**9 - 1)}" if prefix else ""
        return fulfilment.delivery_create(
            order=order, actor=self.clerk, membership=self.membership(self.clerk), lines=lines,
            carrier=carrier, tracking_number=tracking, date=min(planned, self.today),
        )  # fmt: skip

    def ship(self, delivery: Delivery, *, deliver: bool) -> Delivery:
        delivery = fulfilment.delivery_pick(delivery=delivery, actor=self.clerk)
        delivery = fulfilment.delivery_ship(delivery=delivery, actor=self.clerk)
        if deliver:
            delivery = fulfilment.delivery_deliver(delivery=delivery, actor=self.clerk, note="proof of delivery signed")
        return delivery

    def ship_orders(self) -> None:
        orders = list(SalesOrder.objects.filter(company=self.company, status=SalesOrder.Status.CONFIRMED).order_by("date", "id"))
        orders = [o for o in orders if self.ready(o)]
        old = [o for o in orders if o.date <= self.days_ago(12)]
        recent = [o for o in orders if self.days_ago(12) < o.date <= self.days_ago(4)]
        newest = [o for o in orders if o.date > self.days_ago(4)]
        refused = next(o for o in reversed(old) if o.invoice_state == "invoiced" and o.payment_state == "none")
        split = [o for o in old if o != refused and any(line["quantity"] >= 2 for line in self.ready(o))][:2]
        for order in old:
            planned = order.date + timedelta(days=self.rng.randint(1, 3))
            if order in split:
                self.delivered.append(self.ship(self.draft(order, self.ready(order, Decimal("0.5")), planned), deliver=True))
                planned += timedelta(days=self.rng.randint(4, 7))
            delivery = self.ship(self.draft(order, self.ready(order), planned), deliver=order != refused)
            if order == refused:
                billing.delivery_refuse(delivery=delivery, actor=self.clerk, reason=REFUSAL)
            elif order.invoice_state == "invoiced":
                self.delivered.append(delivery)
        for order in recent:
            self.ship(self.draft(order, self.ready(order), order.date + timedelta(days=self.rng.randint(1, 3))), deliver=False)
        picked, drafted, cancelled = newest[:3]
        fulfilment.delivery_pick(delivery=self.draft(picked, self.ready(picked), self.today), actor=self.clerk)
        self.draft(drafted, self.ready(drafted), self.today + timedelta(days=1))
        fulfilment.delivery_cancel(delivery=self.draft(cancelled, self.ready(cancelled), self.today), actor=self.clerk, reason=CANCELLED)

    # ------------------------------------------------------------------ invoicing on delivery

    def sell_on_delivery(self) -> None:
        """Three customers billed per delivery: two deliveries and two invoices; delivered, paid and closed; a backorder."""
        # Customers with current business; the settled two-year history leaves nothing open.
        since = self.today - timedelta(days=demo_history.RECENT_DAYS)
        busy = set(SalesOrder.objects.filter(company=self.company, date__gte=since).values_list("customer_id", flat=True))
        busy |= set(Invoice.objects.filter(company=self.company, issue_date__gte=since).values_list("customer_id", flat=True))
        pool = [
            c
            for c in self.demo.customers
            if c.status == Customer.Status.ACTIVE and c.pk not in busy and c.currency.code == self.company.base_currency
            and c.price_list_id is None and (c.group is None or c.group.price_list_id is None) and not c.overdue_block_days
        ]  # fmt: skip
        split, paid, waiting = self.rng.sample(pool, 3)
        for customer in (split, paid, waiting):
            customer_services.customer_update(
                customer=customer, actor=self.admin, membership=self.membership(self.admin), values={"invoice_policy": "on_delivery"}
            )
        first, second, third = self.plentiful(Decimal(12), 3, dearest=200)
        order = self.order(split, {first: Decimal(10), second: Decimal(4)}, 9)
        delivery = self.ship(self.draft(order, self.ready(order, Decimal("0.6")), self.days_ago(8)), deliver=True)
        self.pay(self.bill(order, delivery))
        delivery = self.ship(self.draft(order, self.ready(order), self.days_ago(3)), deliver=False)
        self.bill(order, delivery)

        order = self.order(paid, {third: Decimal(5)}, 7)
        delivery = self.ship(self.draft(order, self.ready(order), self.days_ago(5)), deliver=True)
        self.pay(self.bill(order, delivery))

        scarce = min(self.plentiful(Decimal(3), 5, dearest=200), key=lambda p: (self.free(p), p.pk))
        order = self.order(waiting, {scarce: self.free(scarce) + 6}, 4)
        self.bill(order, self.ship(self.draft(order, self.ready(order), self.days_ago(2)), deliver=False))

    def order(self, customer: Customer, quantities: dict, days: int) -> SalesOrder:
        seller = customer.salesperson
        membership = self.membership(seller)
        lines = [{"product": product, "quantity": quantity} for product, quantity in quantities.items()]
        order = sales.order_create(
            company=self.company, actor=seller, membership=membership, customer=customer, lines=lines, date=self.days_ago(days),
            customer_reference=f"PO-{self.rng.randint(10000, 99999)}",
        )  # fmt: skip
        try:
            return sales.order_confirm(order=order, actor=seller, membership=membership)
        except (CreditLimitExceeded, CustomerBlocked):
            return sales.order_release_credit(
                order=order, actor=self.admin, membership=self.membership(self.admin), reason="new account, first order prepaid by card"
            )

    def bill(self, order: SalesOrder, delivery: Delivery) -> Invoice:
        invoice = billing.invoice_from_order(
            order=order, actor=self.accountant, membership=self.membership(self.accountant), delivery=delivery
        )
        return billing.invoice_post(invoice=invoice, actor=self.accountant)

    def pay(self, invoice: Invoice) -> None:
        billing.payment_create(
            company=self.company, actor=self.accountant, customer=invoice.customer, amount=invoice.amount_due,
            reference=f"TRF {invoice.number}", allocations=[{"invoice": invoice, "amount": invoice.amount_due}],
        )  # fmt: skip

    # ------------------------------------------------------------------ returns

    def decider(self, seller):
        """Returns of team North's customers are decided by its manager; the South has none: the administrator."""
        team = self.membership(seller).team
        return team.manager if team is not None and team.manager is not None else self.admin

    def returns(self) -> None:
        by_customer: dict[int, Delivery] = {}
        for delivery in self.delivered:
            if delivery.customer.currency.code == self.company.base_currency:
                by_customer.setdefault(delivery.customer_id, delivery)
        deliveries = sorted(by_customer.values(), key=lambda d: d.pk)
        double = next(d for d in deliveries if d.lines.count() >= 2)
        others = self.rng.sample([d for d in deliveries if d != double], 5)
        stories = ("requested", "approved", "rejected", "restocked", "replaced")
        for story, delivery in zip(stories, others, strict=True):
            self.one_return(story, delivery)
        self.one_return("credited", double)

    def one_return(self, story: str, delivery: Delivery) -> None:
        seller = delivery.customer.salesperson
        delivery_lines = list(delivery.lines.select_related("product").order_by("sequence", "id"))[: 2 if story == "credited" else 1]
        reasons = ("Wrong colour delivered", "Damaged in transit", "Does not work", "Ordered by mistake")
        lines = [
            {"product": line.product, "quantity": min(line.quantity, Decimal(self.rng.randint(1, 2))), "reason": self.rng.choice(reasons)}
            for line in delivery_lines
        ]
        request = fulfilment.return_create(
            company=self.company, actor=seller, membership=self.membership(seller), customer=delivery.customer, delivery=delivery,
            lines=lines, reason="Customer called about the delivery.", date=self.days_ago(self.rng.randint(1, 6)),
        )  # fmt: skip
        if story == "requested":
            return
        decider = self.decider(seller)
        if story == "rejected":
            fulfilment.return_reject(
                request=request, actor=decider, membership=self.membership(decider), reason="Used goods; outside the 14-day return window."
            )
            return
        fulfilment.return_approve(request=request, actor=decider, membership=self.membership(decider), reason="Goodwill for a regular.")
        if story == "approved":
            return
        outcomes = {"restocked": ["restock"], "replaced": ["replace"], "credited": ["restock", "scrap"]}[story]
        received = [{"id": line.pk, "outcome": outcome} for line, outcome in zip(request.lines.order_by("id"), outcomes, strict=True)]
        request = fulfilment.return_receive(request=request, actor=self.clerk, lines=received)
        if story == "credited":
            billing.return_credit(request=request, actor=self.accountant)
        elif story == "replaced":
            replacement = request.replacements.get()
            if all(self.free(line.product) >= line.quantity for line in replacement.lines.select_related("product")):
                self.ship(replacement, deliver=False)

    # ------------------------------------------------------------------ disputes

    def disputes(self) -> None:
        current = list(
            Invoice.objects.filter(
                company=self.company, kind=Invoice.Kind.INVOICE, status=Invoice.Status.POSTED, amount_paid=0, amount_credited=0,
                disputed=False, sales_order__isnull=False, next_due_date__gt=self.today, total_amount__gte=100,
            ).order_by("id")
        )  # fmt: skip
        actor = self.accountant
        stories = (
            ("quantity", Decimal("0.25"), None, "One box of three missing on arrival; checking the signed delivery note."),
            ("price", Decimal("0.10"), "credit_note", "The agreed 10 % discount was left off: credited."),
            ("quality", Decimal("0.05"), "write_off", "Small scratch on one item; not worth a return."),
            ("not_received", None, "collect", "The signed delivery note shows the goods arrived; the customer will pay."),
        )
        for invoice, (reason, share, outcome, note) in zip(self.rng.sample(current, len(stories)), stories, strict=True):
            amount = (invoice.amount_due * share).quantize(Decimal("0.01")) if share else None
            dispute = billing.dispute_open(invoice=invoice, actor=actor, reason=reason, amount=amount, note=note if not outcome else "")
            if outcome:
                billing.dispute_resolve(dispute=dispute, actor=actor, outcome=outcome, note=note)
