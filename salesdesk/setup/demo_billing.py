"""Demo billing: six months of invoices, payments, deposits, credit notes, a write-off and dunning.

Everything goes through the billing services, as the demo `accountant`, from the demo's
seeded random source and its fixed today, after the sales story:

- Goods are billed from the confirmed orders (policy on order) a day or two after each order.
  The newest orders are not billed yet: two have draft invoices, one carries a deposit held,
  and one is billed today, its deposit applied automatically as the invoice posts.
  Today's manual draft has a cancelled twin, entered twice by mistake.
- Service work (installation, maintenance, training) is billed by hand from the technicians'
  hours: these manual invoices go back six months.
- Most customers pay each instalment around its due date, some a few days late; one pays a
  round sum and keeps the rest as credit; one card payment is charged back.
- A few customers tell the receivables story, one per ageing bucket: more than 90 days
  overdue (and so, past their overdue block, their new order waits in credit hold), half paid
  and 61-90 days overdue, 31-60 and 1-30 days overdue. One invoice is partly paid and the
  rest written off; one is fully credited; another gets a partial credit note. A customer
  near their credit limit has a new order waiting in the release queue.

Documents are handled in date order (a timeline), so invoice, payment and deposit numbers
follow their dates. What the services date today by themselves (credit notes, the write-off,
the refund, the chargeback) comes last. The dunning run emails its letters into Django's
in-memory mail box, as the quotations do: loading the demo never sends real mail.
"""

import heapq
import itertools
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from salesdesk.billing import services as billing
from salesdesk.billing.models import Deposit, DunningLetter, Invoice, InvoiceLine, Payment
from salesdesk.billing.services.open_items import unpaid_parts
from salesdesk.catalog.models import Product
from salesdesk.customers.models import Customer
from salesdesk.sales import services as sales
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked
from salesdesk.sales.models import SalesOrder
from salesdesk.setup import demo_history
from salesdesk.setup.demo_sales import mail_kept_in_memory

SETTINGS = {
    "invoice_policy": "on_order",
    "apply_deposits_automatically": True,
    "dunning_level_1_days": 7,
    "dunning_level_2_days": 30,
    "dunning_level_3_days": 60,
}
# Same-day order on the timeline: money received before the invoice it pays, invoices before payments.
DEPOSIT, POST, PAY = 0, 1, 2
HISTORY = 10  # manual service invoices for customers who pay on time, over the last six months
HOURS = (2, 3, 4, 6, 8, 12, 16, 24)

# The receivables story: case, issued how many days ago, about how much (tax included), what the
# customer paid (share, how many days ago). These customers pay 30 days net, so an invoice
# issued N days ago is N - 30 days overdue.
CASES = (
    ("overdue_blocked", 140, 2400, None),  # over 90 days overdue, past the customer's overdue block
    ("overdue_blocked", 100, 1300, None),  # 61-90 days
    ("written_off", 178, 3100, (Decimal("0.40"), 150)),  # 40 % paid 150 days ago; the rest written off today
    ("half_paid", 105, 3600, (Decimal("0.50"), 60)),  # 61-90 days overdue, half paid
    ("late_31_60", 78, 2200, None),
    ("late_1_30", 50, 1500, None),
    ("credited", 15, 900, None),  # issued by mistake: fully credited today
)
WRITE_OFF_REASON = "Customer in insolvency proceedings: the administrator confirmed that nothing more will be paid."
CREDIT_REASON = "Service visit billed twice: this invoice duplicates an earlier one."
PARTIAL_CREDIT_REASON = "One unit arrived damaged and was returned."
CHARGEBACK_REASON = "Card payment disputed by the cardholder (chargeback)."
REFUND_REASON = "Showroom fit-out called off by the customer: advance paid back."


def load_billing(demo) -> None:
    _BillingLoader(demo).load()


def summary(company) -> list[str]:
    """The lines of the load command's output about billing."""

    def counts(qs, field: str = "status") -> str:
        found = Counter(qs.values_list(field, flat=True))
        return f"{sum(found.values())} ({', '.join(f'{k} {v}' for k, v in sorted(found.items()))})"

    invoices = Invoice.objects.filter(company=company)
    return [
        f"Invoices: {counts(invoices.filter(kind=Invoice.Kind.INVOICE))}; "
        f"credit notes: {invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).count()}",
        f"Payments: {counts(Payment.objects.filter(company=company))}; deposits: {counts(Deposit.objects.filter(company=company))}; "
        f"dunning letters by level: {counts(DunningLetter.objects.filter(company=company), 'level')}",
    ]


class _BillingLoader:
    def __init__(self, demo) -> None:
        self.demo, self.company, self.rng, self.today = demo, demo.company, demo.rng, demo.today
        self.accountant = demo.users["accountant"]
        self.membership = self.accountant.memberships.get(company=self.company)
        self.services = [p for p in demo.products if p.active and p.kind == Product.Kind.SERVICE]
        self.goods = [
            p
            for p in demo.products
            if p.active and p.kind == Product.Kind.GOODS and p.floor_price is None and p.max_discount_percent is None
            and p.min_margin_percent is None
        ]  # fmt: skip
        self.events: list[tuple] = []
        self.sequence = itertools.count()
        self.paying: dict[tuple[date, int], dict[int, list]] = {}  # (day, customer) -> {invoice id: [invoice, amount]}
        self.profiles: dict[int, str] = {}  # customer id -> "prompt" / "late"
        self.overpaid: set[tuple[date, int]] = set()
        self.by_card: set[tuple[date, int]] = set()
        self.invoices: dict[str, Invoice] = {}  # story invoices kept for today's steps
        self.charged_back: Payment | None = None
        self.refunded: Deposit | None = None

    # ------------------------------------------------------------------ the plan

    def load(self) -> None:
        billing.billing_settings_update(company=self.company, actor=self.demo.admin, values=SETTINGS)
        cast = self.cast()
        self.plan_orders()
        self.plan_services(cast)
        self.run()
        self.today_steps(cast)

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def at(self, day: date, rank: int, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, (day, rank, next(self.sequence), action))

    def run(self) -> None:
        while self.events:
            *_, action = heapq.heappop(self.events)
            action()

    def cast(self) -> dict[str, Customer]:
        """The customers of the story: active, in euros, with no recent orders (their open history is all
        here; the settled two-year history before it leaves nothing open)."""
        recent = SalesOrder.objects.filter(company=self.company, date__gte=self.days_ago(demo_history.RECENT_DAYS))
        with_orders = set(recent.values_list("customer_id", flat=True))
        quiet = [
            c
            for c in self.demo.customers
            if c.status == Customer.Status.ACTIVE and c.currency.code == self.company.base_currency and c.pk not in with_orders
        ]
        net30 = [c for c in quiet if c.payment_term_id == self.demo.terms["30 days"].pk]
        cast = {"overdue_blocked": self.rng.choice([c for c in net30 if c.overdue_block_days])}
        others = [c for c in net30 if not c.overdue_block_days]
        for key, customer in zip(
            ("written_off", "half_paid", "late_31_60", "late_1_30", "credited"), self.rng.sample(others, 5), strict=True
        ):
            cast[key] = customer
        taken = {c.pk for c in cast.values()}
        cast["near_limit"] = self.rng.choice(
            [c for c in quiet if c.pk not in taken and c.credit_limit and 5000 <= c.credit_limit <= 15000 and not c.overdue_block_days]
        )
        taken.add(cast["near_limit"].pk)
        rest = [c for c in quiet if c.pk not in taken]
        for key, customer in zip(("refund", "manual_draft"), self.rng.sample(rest, 2), strict=True):
            cast[key] = customer
        taken |= {c.pk for c in cast.values()}
        self.history = self.rng.sample([c for c in rest if c.pk not in taken], HISTORY)
        return cast

    def plan_orders(self) -> None:
        """Bill every confirmed order but the newest few, a day or two after it was confirmed."""
        orders = list(
            SalesOrder.objects.filter(company=self.company, status=SalesOrder.Status.CONFIRMED)
            .select_related("customer__payment_term", "currency")
            .order_by("date", "id")
        )
        newest = [o for o in reversed(orders[-6:]) if o.currency.code == self.company.base_currency]
        by_size = sorted(newest, key=lambda o: -o.total_amount)
        held, applied = by_size[0], by_size[1]
        self.draft_orders = [o for o in newest if o not in (held, applied)][:2]
        self.at(held.date, DEPOSIT, lambda: self.deposit(held, Decimal("0.30")))
        self.at(applied.date, DEPOSIT, lambda: self.deposit(applied, Decimal("0.40")))
        self.at(self.today, POST, lambda: self.bill(applied, self.today, "unpaid"))
        billable = [o for o in orders if o not in (held, applied, *self.draft_orders)]
        # A card payment charged back later: the newest order at least six days old, due in 30 or 60 days.
        single = (self.demo.terms["30 days"].pk, self.demo.terms["60 days"].pk)
        card = next(o for o in reversed(billable) if o.date <= self.days_ago(6) and o.customer.payment_term_id in single)
        for i, order in enumerate(billable):
            issued = min(order.date + timedelta(days=self.rng.randint(0, 2)), self.today)
            profile = "overpay" if i == 0 else "card" if order == card else self.profile(order.customer)
            self.at(issued, POST, lambda o=order, d=issued, p=profile: self.bill(o, d, p))

    def plan_services(self, cast: dict[str, Customer]) -> None:
        for customer in self.history:
            issued = self.days_ago(self.rng.randint(20, 185))
            self.at(issued, POST, lambda c=customer, d=issued: self.manual(c, d, self.service_lines(), self.profile(c)))
        for key, days, gross, paid in CASES:
            issued = self.days_ago(days)
            self.at(
                issued, POST, lambda k=key, d=issued, g=gross, p=paid: self.manual(cast[k], d, self.lines_worth(g), p or "unpaid", key=k)
            )
        near = cast["near_limit"]
        issued = self.days_ago(12)  # not yet due: the exposure is current, only the limit holds the next order
        self.at(issued, POST, lambda: self.manual(near, issued, self.lines_worth(near.credit_limit * Decimal("0.85")), "unpaid"))
        refund = cast["refund"]
        self.at(self.days_ago(40), DEPOSIT, lambda: self.customer_deposit(refund, self.days_ago(40)))

    def profile(self, customer: Customer) -> str:
        if customer.pk not in self.profiles:
            self.profiles[customer.pk] = "late" if self.rng.random() < 0.25 else "prompt"
        return self.profiles[customer.pk]

    # ------------------------------------------------------------------ documents

    def service_lines(self) -> list[dict]:
        return [{"product": p, "quantity": Decimal(self.rng.choice(HOURS))} for p in self.rng.sample(self.services, self.rng.randint(1, 3))]

    def lines_worth(self, gross: Decimal) -> list[dict]:
        """Hours of two taxed services adding up to about `gross`, tax included."""
        taxed = [p for p in self.services if p.tax is not None and p.tax.rate > 0]
        lines = []
        for product in self.rng.sample(taxed, 2):
            hours = (Decimal(gross) / 2 / (product.list_price * (1 + product.tax.rate / 100))).to_integral_value(ROUND_FLOOR)
            lines.append({"product": product, "quantity": hours})
        return lines

    def bill(self, order: SalesOrder, issued: date, profile) -> None:
        invoice = billing.invoice_from_order(order=order, actor=self.accountant, membership=self.membership, issue_date=issued)
        self.post(invoice, profile)

    def manual(self, customer: Customer, issued: date, lines: list[dict], profile, key: str | None = None) -> None:
        invoice = billing.invoice_create(
            company=self.company, actor=self.accountant, membership=self.membership, customer=customer, lines=lines, issue_date=issued
        )
        invoice = self.post(invoice, profile)
        if key:
            self.invoices.setdefault(key, invoice)

    def post(self, invoice: Invoice, profile) -> Invoice:
        invoice = billing.invoice_post(invoice=invoice, actor=self.accountant)
        self.plan_payments(invoice, profile)
        return invoice

    def deposit(self, order: SalesOrder, share: Decimal) -> None:
        amount = ((order.total_amount * share / 10).to_integral_value(ROUND_FLOOR) * 10).quantize(Decimal("0.01"))
        billing.deposit_create(
            company=self.company, actor=self.accountant, customer=order.customer, amount=amount, date=order.date, sales_order=order,
            reference=f"Deposit {order.number}",
        )  # fmt: skip

    def customer_deposit(self, customer: Customer, day: date) -> None:
        self.refunded = billing.deposit_create(
            company=self.company, actor=self.accountant, customer=customer, amount=Decimal("1500.00"), date=day,
            reference="Advance for the showroom fit-out",
        )  # fmt: skip

    # ------------------------------------------------------------------ payments

    def plan_payments(self, invoice: Invoice, profile) -> None:
        """Each open instalment paid around its due date (by the profile), if that day has come."""
        if profile == "unpaid":
            return
        if isinstance(profile, tuple):  # (share paid, how many days ago)
            share, days = profile
            self.pay(self.days_ago(days), invoice, (invoice.amount_due * share).quantize(Decimal("0.01")))
            return
        instalments = list(invoice.instalments.values_list("due_date", "amount"))
        parts = unpaid_parts(instalments, invoice.total_amount - invoice.amount_due)
        for i, (due, amount) in enumerate(parts):
            if profile == "card":
                day = invoice.issue_date + timedelta(days=self.rng.randint(1, 3))
            elif profile == "late":
                day = due + timedelta(days=self.rng.randint(1, 6))
            else:
                day = max(due - timedelta(days=self.rng.randint(0, 5)), invoice.issue_date)
            key = self.pay(day, invoice, invoice.amount_due if profile == "card" else amount)
            if key and profile == "overpay" and i == len(parts) - 1:
                self.overpaid.add(key)
            if key and profile == "card":
                self.by_card.add(key)
                return

    def pay(self, day: date, invoice: Invoice, amount: Decimal) -> tuple[date, int] | None:
        """Plan `amount` for `invoice` on `day`; a customer's parts due the same day go in one transfer."""
        if day > self.today:
            return None
        key = (day, invoice.customer_id)
        if key not in self.paying:
            self.paying[key] = {}
            self.at(day, PAY, lambda: self.receive(key))
        self.paying[key].setdefault(invoice.pk, [invoice, Decimal(0)])[1] += amount
        return key

    def receive(self, key: tuple[date, int]) -> None:
        day, _ = key
        allocations = [{"invoice": invoice, "amount": amount} for invoice, amount in self.paying.pop(key).values()]
        total = sum((a["amount"] for a in allocations), Decimal(0))
        if key in self.overpaid:  # a round sum: what is left over stays as the customer's credit
            total = ((total / 100 + Decimal("0.01")).to_integral_value(ROUND_CEILING) * 100).quantize(Decimal("0.01"))
        card = key in self.by_card
        payment = billing.payment_create(
            company=self.company, actor=self.accountant, customer=allocations[0]["invoice"].customer, amount=total, date=day,
            method="card" if card else "bank_transfer", reference=f"{'CARD' if card else 'TRF'} {day:%Y%m%d} {allocations[0]['invoice'].customer.code}",
            allocations=allocations,
        )  # fmt: skip
        if card:
            self.charged_back = payment

    # ------------------------------------------------------------------ today

    def today_steps(self, cast: dict[str, Customer]) -> None:
        actor = self.accountant
        billing.invoice_write_off(invoice=self.invoices["written_off"], actor=actor, reason=WRITE_OFF_REASON)
        billing.invoice_credit(invoice=self.invoices["credited"], actor=actor, reason=CREDIT_REASON)
        line = (
            InvoiceLine.objects.filter(
                invoice__company=self.company, invoice__status=Invoice.Status.POSTED, invoice__sales_order__isnull=False,
                invoice__amount_paid=0, invoice__next_due_date__gt=self.today, quantity__gte=2,
            )
            .order_by("-unit_price", "invoice_id", "sequence")
            .first()
        )  # fmt: skip
        billing.invoice_credit(
            invoice=line.invoice, actor=actor, lines=[{"invoice_line": line.pk, "quantity": Decimal(1)}], reason=PARTIAL_CREDIT_REASON
        )
        billing.payment_reverse(payment=self.charged_back, actor=actor, reason=CHARGEBACK_REASON)
        billing.deposit_refund(deposit=self.refunded, actor=actor, reason=REFUND_REASON)
        for order in self.draft_orders:
            billing.invoice_from_order(order=order, actor=actor, membership=self.membership)
        billing.invoice_create(
            company=self.company, actor=actor, membership=self.membership, customer=cast["manual_draft"], lines=self.service_lines()
        )
        duplicate = billing.invoice_create(
            company=self.company, actor=actor, membership=self.membership, customer=cast["manual_draft"], lines=self.service_lines()
        )
        billing.invoice_cancel(invoice=duplicate, actor=actor, reason="Entered twice by mistake.")
        self.held_order_for(cast["overdue_blocked"], Decimal("600"))
        self.held_order_for(cast["near_limit"], cast["near_limit"].credit_limit * Decimal("0.30"))
        with mail_kept_in_memory():
            billing.dunning_run(company=self.company, actor=actor, send=True)

    def held_order_for(self, customer: Customer, gross: Decimal) -> None:
        """The salesperson confirms a new order; the credit check holds it (not released: it waits in the queue)."""
        seller = customer.salesperson
        membership = seller.memberships.get(company=self.company)
        product = self.rng.choice(self.goods)
        quantity = max(Decimal(1), (gross / (product.list_price * Decimal("1.21"))).to_integral_value(ROUND_CEILING))
        order = sales.order_create(
            company=self.company, actor=seller, membership=membership, customer=customer,
            lines=[{"product": product, "quantity": quantity}], date=self.today,
        )  # fmt: skip
        try:
            sales.order_confirm(order=order, actor=seller, membership=membership)
        except (CreditLimitExceeded, CustomerBlocked):
            return
        raise RuntimeError(f"demo: the order for {customer.code} should have been held for credit")
