"""Demo sales: quotations, sales orders, price approvals and contracts in every status reachable today.

Everything goes through the sales services from the demo's seeded random source. The
customer's salesperson writes and confirms the documents; the team's manager (`manager` for
the North; `admin` for the South, which has no manager) decides on prices below the floor;
`manager` and `admin` draw up the contracts. Documents are dated over the last three months;
what a service dates today by itself (a new revision, an order converted from a quotation)
is dated today.

Quotations still open (sent, accepted) are sent through the service, PDF and all, into
Django's in-memory mail box: loading the demo never sends real mail. Those whose story is
over (rejected, expired, cancelled) are marked sent through the workflow function with the
note the service writes, without rendering a PDF, to keep the load fast.

An order the credit check holds is released by the salesperson's approver, as a manager
would for a known customer; the billing part of the demo leaves two held orders waiting in
the queue. Orders close themselves later, in the goods part of the demo, once delivered,
invoiced and paid.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.core import mail
from django.test.utils import override_settings

from salesdesk.catalog.models import Product
from salesdesk.core import workflow
from salesdesk.customers.models import Customer
from salesdesk.sales import services
from salesdesk.sales.models import Contract, PriceApproval, Quotation, SalesOrder
from salesdesk.setup.demo_orders import OrderStories

# status, how many, how many days ago (fewest, most); quotations are valid for VALIDITY_DAYS.
# "sent" and "accepted" ones are recent enough to be still valid; "expired" ones are not.
QUOTATIONS = (
    ("draft", 5, (0, 12)),
    ("sent", 7, (1, 25)),
    ("accepted", 8, (3, 26)),
    ("rejected", 7, (10, 90)),
    ("expired", 6, (35, 90)),
    ("cancelled", 5, (5, 80)),
)
VALIDITY_DAYS = 30
CONVERTED = 5  # accepted quotations turned into orders; all but the last one confirmed

BELOW_FLOOR_DISCOUNTS = (18, 20, 22, 25)

REJECTION_REASONS = (
    "A competitor offered the same chairs 12 % cheaper.",
    "Project postponed to next year's budget.",
    "Delivery time too long for their office opening.",
    "They chose a different model after the showroom visit.",
    "Budget not approved by their board.",
    "Bought through the regional purchasing framework instead.",
    "Quantity too small to be worth the delivery cost for them.",
)
QUOTATION_CANCEL_REASONS = (
    "Duplicate of another quotation.",
    "The customer withdrew the request.",
    "Replaced by a new request with other products.",
)
# Weights of 1 to 6 lines per document.
LINE_COUNTS = ((1, 2, 3, 4, 5, 6), (20, 25, 25, 15, 10, 5))


def load_sales(demo) -> None:
    loader = _SalesLoader(demo)
    loader.load_contracts()
    with mail_kept_in_memory():
        loader.load_quotations()
    loader.load_orders()
    loader.convert_quotations()


def summary(company) -> list[str]:
    """The lines of the load command's output about sales documents."""

    def by_status(model) -> str:
        counts = Counter(model.objects.filter(company=company).values_list("status", flat=True))
        return f"{sum(counts.values())} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"

    amended = SalesOrder.objects.filter(company=company, revision__gt=0).count()
    revised = Quotation.objects.filter(company=company, revision__gt=1).count()
    return [
        f"Quotations: {by_status(Quotation)}; revisions: {revised}",
        f"Sales orders: {by_status(SalesOrder)}; amended: {amended}",
        f"Price approvals: {by_status(PriceApproval)}; contracts: {by_status(Contract)}",
    ]


@contextmanager
def mail_kept_in_memory() -> Iterator[None]:
    """Send through Django's locmem backend and then drop the messages (the PDFs are not kept)."""
    had_outbox = hasattr(mail, "outbox")
    before = getattr(mail, "outbox", None)
    mail.outbox = []
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        if had_outbox:
            mail.outbox = before
        else:
            del mail.outbox


class _SalesLoader(OrderStories):
    def __init__(self, demo) -> None:
        self.demo = demo
        self.rng = demo.rng
        self.company = demo.company
        self.today: date = demo.today
        self.memberships: dict[int, object] = {}
        self.products = [p for p in demo.products if p.active]
        # Products nothing limits (no floor, maximum discount or minimum margin): safe at any list price.
        self.free_products = [
            p for p in self.products if p.floor_price is None and p.max_discount_percent is None and p.min_margin_percent is None
        ]
        self.floor_products = [p for p in self.products if p.floor_price is not None]
        customers = [c for c in demo.customers if c.status != Customer.Status.BLOCKED]
        self.quotable = customers
        self.active = [c for c in customers if c.status == Customer.Status.ACTIVE]
        # Customers who buy at list price (no price list of their own or of their group), in EUR.
        self.list_price_customers = [
            c
            for c in self.active
            if c.price_list_id is None
            and (c.group is None or c.group.price_list_id is None)
            and c.currency.code == self.company.base_currency
        ]
        self.contracts: dict[str, Contract] = {}
        self.accepted: list[Quotation] = []

    # ------------------------------------------------------------------ helpers

    def membership(self, user):
        if user.pk not in self.memberships:
            self.memberships[user.pk] = user.memberships.get(company=self.company)
        return self.memberships[user.pk]

    def approver(self, seller):
        """Who decides on this salesperson's prices: the team's manager, else the administrator."""
        team = self.membership(seller).team
        manager = team.manager if team is not None else None
        return manager if manager is not None and manager.pk != seller.pk else self.demo.admin

    def days_ago(self, span: tuple[int, int]) -> date:
        fewest, most = span
        return self.today - timedelta(days=self.rng.randint(fewest, most))

    def quantity(self, product: Product) -> Decimal:
        unit = product.unit.code
        if unit == "h":
            return Decimal(self.rng.choice((2, 3, 4, 6, 8, 8, 12, 16, 24)))
        if unit == "kg":
            return Decimal(self.rng.choice((2, 3, 5, 10, 20)))
        price = product.list_price
        if price >= 500:
            return Decimal(self.rng.randint(1, 8))
        if price >= 100:
            return Decimal(self.rng.randint(1, 15))
        if price >= 20:
            return Decimal(self.rng.choice((2, 3, 4, 5, 6, 10, 12, 20, 25)))
        return Decimal(self.rng.choice((5, 10, 10, 20, 25, 40, 50, 100)))

    def raw_lines(self, products=None, count: int | None = None) -> list[dict]:
        count = count or self.rng.choices(*LINE_COUNTS)[0]
        lines = []
        for product in self.rng.sample(products or self.products, count):
            line = {"product": product, "quantity": self.quantity(product)}
            if self.rng.random() < 0.15:
                line["discount_percent"] = Decimal(self.rng.choice((2, 3, 5)))
            lines.append(line)
        return lines

    def below_floor_lines(self) -> list[dict]:
        """Ordinary lines and one line discounted below its product's floor (85 % of list)."""
        others = self.rng.choices(*LINE_COUNTS)[0] - 1
        lines = self.raw_lines(self.free_products, others) if others else []
        product = self.rng.choice(self.floor_products)
        deep = {"product": product, "quantity": self.quantity(product), "discount_percent": Decimal(self.rng.choice(BELOW_FLOOR_DISCOUNTS))}
        lines.insert(self.rng.randint(0, len(lines)), deep)
        return lines

    @staticmethod
    def as_raw(line, **changes) -> dict:
        raw = {
            "id": line.pk,
            "product": line.product,
            "quantity": line.quantity,
            "unit_price": line.unit_price if line.price_source == "manual" else None,
            "discount_percent": line.discount_percent,
            "description": line.description,
            "tax": line.tax,
        }
        raw.update(changes)
        return raw

    def pick_customer(self, pool, seller: str | None = None):
        if seller is not None:
            pool = [c for c in pool if c.salesperson.username == seller]
        return self.rng.choice(pool)

    # ------------------------------------------------------------------ contracts

    def load_contracts(self) -> None:
        """One active contract with orders against it, one ending within 30 days, one draft for next month."""
        admin, manager = self.demo.admin, self.demo.users["manager"]
        wholesale = [
            c for c in self.active if c.group is not None and c.group.name == "Wholesale" and c.currency.code == self.company.base_currency
        ]
        # Agreed prices 10 % below list on products no floor limits (a floor would send every order to approval).
        goods = [p for p in self.free_products if p.kind == Product.Kind.GOODS and p.list_price < 400]
        specs = (
            ("active", "sales", manager, self.today - timedelta(days=75), self.today + timedelta(days=290), 4, False),
            ("expiring", "sales2", manager, self.today - timedelta(days=340), self.today + timedelta(days=18), 3, True),
            ("draft", "sales3", admin, _first_of_next_month(self.today), _first_of_next_month(self.today) + timedelta(days=364), 3, False),
        )
        for key, seller, actor, valid_from, valid_to, count, over in specs:
            customer = self.pick_customer(wholesale, seller)
            items = [
                {
                    "product": p,
                    "price": (p.list_price * Decimal("0.90")).quantize(Decimal("0.01")),
                    "quantity": Decimal(self.rng.choice((100, 150, 200, 300)) if p.list_price < 100 else self.rng.choice((20, 30, 40, 50))),
                }
                for p in self.rng.sample(goods, count)
            ]
            contract = services.contract_create(
                company=self.company,
                actor=actor,
                customer=customer,
                valid_from=valid_from,
                valid_to=valid_to,
                items=items,
                allow_over_commitment=over,
                notes="Framework agreement: agreed prices for the committed quantities, delivery within 5 working days.",
            )
            if key != "draft":
                contract = services.contract_activate(contract=contract, actor=actor)
            self.contracts[key] = contract
        # Other orders of these customers would draw on their contracts: keep them out of the random picks.
        taken = {c.customer_id for c in self.contracts.values()}
        self.quotable = [c for c in self.quotable if c.pk not in taken]
        self.active = [c for c in self.active if c.pk not in taken]
        self.list_price_customers = [c for c in self.list_price_customers if c.pk not in taken]

    # ------------------------------------------------------------------ quotations

    def load_quotations(self) -> None:
        plan = [(status, self.days_ago(span)) for status, count, span in QUOTATIONS for _ in range(count)]
        plan.sort(key=lambda row: row[1])  # numbered in date order
        first_rejected = first_expired = None
        cancels = 0
        for status, on in plan:
            customer = self.pick_customer(self.quotable)
            seller = customer.salesperson
            quotation = services.quotation_create(
                company=self.company,
                actor=seller,
                membership=self.membership(seller),
                customer=customer,
                lines=self.raw_lines(),
                date=on,
                valid_until=on + timedelta(days=VALIDITY_DAYS),
            )
            if status == "draft":
                continue
            if status == "cancelled" and cancels % 2 == 0:  # half are cancelled before being sent
                cancels += 1
                services.quotation_cancel(quotation=quotation, actor=seller, reason=self.rng.choice(QUOTATION_CANCEL_REASONS))
                continue
            signed_on_the_spot = status == "accepted" and not self.accepted
            if not signed_on_the_spot:
                quotation = self.send(quotation, with_pdf=status in ("sent", "accepted"))
            if status == "accepted":
                self.accepted.append(services.quotation_accept(quotation=quotation, actor=seller))
            elif status == "rejected":
                quotation = services.quotation_reject(quotation=quotation, actor=seller, reason=self.rng.choice(REJECTION_REASONS))
                first_rejected = first_rejected or quotation
            elif status == "cancelled":
                cancels += 1
                services.quotation_cancel(quotation=quotation, actor=seller, reason=self.rng.choice(QUOTATION_CANCEL_REASONS))
            elif status == "expired":
                first_expired = first_expired or quotation
        # Sent ones past their validity date expire, as the daily job does.
        services.quotations_expire(company=self.company, today=self.today)
        # Revisions: a rejected quotation revised at a better price, sent again and accepted;
        # an expired one revised and still being reworked (a draft).
        for previous, then_accept in ((first_rejected, True), (first_expired, False)):
            seller = previous.salesperson
            revision = services.quotation_revise(quotation=previous, actor=seller)
            if then_accept:
                lines = [self.as_raw(line, discount_percent=Decimal(5)) for line in revision.lines.select_related("product", "tax")]
                for line in lines:
                    del line["id"]
                revision = services.quotation_update(
                    quotation=revision, actor=seller, membership=self.membership(seller), values={}, lines=lines
                )
                revision = self.send(revision, with_pdf=True)
                self.accepted.append(services.quotation_accept(quotation=revision, actor=seller))

    def send(self, quotation: Quotation, *, with_pdf: bool) -> Quotation:
        """Send through the service (the PDF goes to the in-memory mail box), or, for quotations
        whose story is over (rejected, expired, cancelled), record the sending as the service
        does without rendering a PDF nobody will read: WeasyPrint takes about 0.4 s a document."""
        seller = quotation.salesperson
        if with_pdf:
            return services.quotation_send(quotation=quotation, actor=seller)
        quotation.sent_to = quotation.customer.email
        return workflow.transition(
            quotation, to=Quotation.Status.SENT, actor=seller, note=f"sent to {quotation.sent_to}", extra_fields=("sent_to",)
        )

    def convert_quotations(self) -> None:
        """The oldest accepted quotations become orders (dated today by the service); all but one confirmed."""
        converting = sorted(self.accepted, key=lambda q: (q.date, q.pk))[:CONVERTED]
        for i, quotation in enumerate(converting):
            seller = quotation.salesperson
            order = services.quotation_convert(quotation=quotation, actor=seller, membership=self.membership(seller))
            if i < len(converting) - 1:
                self.confirm(order)


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
