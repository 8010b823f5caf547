"""Demo sales orders: a story for each state an order can be in today.

Confirmed and amended orders, prices below the floor approved, pending and refused, drafts,
cancellations, and orders drawn on a contract, dated over the last three months and
confirmed in date order, so the numbers follow the dates. The stories are methods of the
demo's sales loader (`demo_sales`), whose helpers pick customers, products and lines.
"""

import contextlib
from datetime import date, timedelta
from decimal import Decimal

from salesdesk.sales import services
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked, PriceApprovalRequired
from salesdesk.sales.models import PriceApproval, SalesOrder
from salesdesk.sales.services import lines as line_service

# story, how many, how many days ago (fewest, most)
ORDERS = (
    ("confirmed", 30, (1, 90)),
    ("amended", 2, (10, 80)),
    ("approved", 4, (5, 85)),
    ("pending", 4, (1, 10)),
    ("refused_fixed", 1, (15, 60)),
    ("refused_draft", 1, (2, 12)),
    ("draft", 5, (0, 10)),
    ("cancelled_confirmed", 3, (20, 85)),
    ("cancelled_draft", 1, (10, 40)),
    ("cancelled_pending", 1, (10, 40)),
    ("contract", 4, (3, 70)),
    ("contract_expiring", 1, (5, 40)),
)
# Stories with a line deliberately below the floor, and the salespeople they rotate through.
BELOW_FLOOR = {"approved", "pending", "refused_fixed", "refused_draft", "cancelled_pending"}
SELLERS = ("sales", "sales2", "sales3")
APPROVAL_REASONS = (
    "Matching a competitor's offer to keep the account.",
    "Volume order; the margin is still acceptable.",
    "First order of a new account: introductory price.",
    "Clearing old stock of this model.",
)
APPROVAL_REFUSALS = (
    "Too deep: 10 % off list is the most we can give on this product.",
    "Not for a single order; offer a framework contract instead.",
)
ORDER_CANCEL_REASONS = (
    "The customer cancelled the purchase order.",
    "Entered twice by mistake.",
    "Customer went with another supplier.",
    "Project cancelled by the customer.",
)
AMEND_REASONS = ("The customer added items by phone.", "Quantity increased on the customer's request.")


class OrderStories:
    """The order stories of `demo_sales._SalesLoader`."""

    def load_orders(self) -> None:
        plan = []
        rotation = 0
        for story, count, span in ORDERS:
            for _ in range(count):
                seller = None
                if story in BELOW_FLOOR:
                    seller, rotation = SELLERS[rotation % len(SELLERS)], rotation + 1
                plan.append((self.days_ago(span), story, seller))
        plan.sort(key=lambda row: row[0])  # confirmed in date order: the numbers follow the dates
        for on, story, seller in plan:
            getattr(self, f"order_{story}")(on, seller)

    def create_order(self, on: date, customer, lines, *, fit: bool = True, **extra) -> SalesOrder:
        seller = customer.salesperson
        extra.setdefault("requested_date", on + timedelta(days=self.rng.choice((3, 5, 7, 10, 14))) if self.rng.random() < 0.5 else None)
        extra.setdefault("customer_reference", f"PO-{self.rng.randint(10000, 99999)}" if self.rng.random() < 0.6 else "")
        order = services.order_create(
            company=self.company, actor=seller, membership=self.membership(seller), customer=customer, lines=lines, date=on, **extra
        )
        return self.fit_floors(order) if fit else order

    def fit_floors(self, order: SalesOrder) -> SalesOrder:
        """An ordinary order stays within the seller's authority: lines a price list puts below a floor are dropped."""
        seller = order.salesperson
        lines = list(order.lines.select_related("product", "tax"))
        below = {b.key for b in line_service.breaches(lines, self.membership(seller))}
        if not below:
            return order
        keep = [self.as_raw(line, id=None) for i, line in enumerate(lines) if i not in below]
        if not keep:
            product = self.rng.choice(self.free_products)
            keep = [{"product": product, "quantity": self.quantity(product)}]
        return services.order_update(order=order, actor=seller, membership=self.membership(seller), values={}, lines=keep)

    def confirm(self, order: SalesOrder, *, approve: bool = True) -> SalesOrder:
        """The salesperson confirms; below the floor, the approver approves (if `approve`) and the salesperson confirms again.

        An order held for credit is released by the approver, as a manager would for a known customer."""
        seller = order.salesperson
        try:
            return self.confirm_or_release(order)
        except PriceApprovalRequired as refusal:
            if not approve:
                return SalesOrder.objects.get(pk=order.pk)
            approval = PriceApproval.objects.get(pk=refusal.details["price_approval"])
        decider = self.approver(seller)
        services.approval_approve(
            approval=approval, actor=decider, membership=self.membership(decider), reason=self.rng.choice(APPROVAL_REASONS)
        )
        return self.confirm_or_release(order)

    def confirm_or_release(self, order: SalesOrder) -> SalesOrder:
        seller = order.salesperson
        try:
            return services.order_confirm(order=order, actor=seller, membership=self.membership(seller))
        except (CreditLimitExceeded, CustomerBlocked):
            decider = self.approver(seller)
            return services.order_release_credit(
                order=order, actor=decider, membership=self.membership(decider), reason="long-standing customer, paying on time"
            )

    def refuse(self, order: SalesOrder) -> SalesOrder:
        """Confirm below the floor; the approver refuses, and the order is back in draft."""
        order = self.confirm(order, approve=False)
        approval = order.price_approvals.get(status=PriceApproval.Status.PENDING)
        decider = self.approver(order.salesperson)
        services.approval_reject(
            approval=approval, actor=decider, membership=self.membership(decider), reason=self.rng.choice(APPROVAL_REFUSALS)
        )
        return SalesOrder.objects.get(pk=order.pk)

    def order_confirmed(self, on: date, seller=None) -> SalesOrder:
        return self.confirm(self.create_order(on, self.pick_customer(self.active), self.raw_lines()))

    def order_draft(self, on: date, seller=None) -> SalesOrder:
        return self.create_order(on, self.pick_customer(self.active), self.raw_lines())

    def order_amended(self, on: date, seller=None) -> None:
        order = self.confirm(self.create_order(on, self.pick_customer(self.list_price_customers), self.raw_lines(self.free_products)))
        seller = order.salesperson
        lines = list(order.lines.select_related("product", "tax"))
        changed = [self.as_raw(line) for line in lines]
        changed[0]["quantity"] = lines[0].quantity + max(1, (lines[0].quantity / 2).to_integral_value())
        if len(changed) < 6:
            known = {line.product_id for line in lines}
            product = self.rng.choice([p for p in self.free_products if p.pk not in known])
            changed.append({"product": product, "quantity": self.quantity(product)})
        # The customer's limit may refuse the larger order: it then stays as confirmed.
        with contextlib.suppress(CreditLimitExceeded):
            services.order_amend(
                order=order, actor=seller, membership=self.membership(seller), lines=changed, reason=self.rng.choice(AMEND_REASONS)
            )

    def order_approved(self, on: date, seller: str) -> None:
        self.confirm(self.create_order(on, self.pick_customer(self.list_price_customers, seller), self.below_floor_lines(), fit=False))

    def order_pending(self, on: date, seller: str) -> None:
        self.confirm(
            self.create_order(on, self.pick_customer(self.list_price_customers, seller), self.below_floor_lines(), fit=False), approve=False
        )

    def order_refused_draft(self, on: date, seller: str) -> None:
        self.refuse(self.create_order(on, self.pick_customer(self.list_price_customers, seller), self.below_floor_lines(), fit=False))

    def order_refused_fixed(self, on: date, seller: str) -> None:
        """Refused, then the salesperson brings the line back to 10 % off (within the floor) and confirms."""
        order = self.refuse(
            self.create_order(on, self.pick_customer(self.list_price_customers, seller), self.below_floor_lines(), fit=False)
        )
        owner = order.salesperson
        lines = [
            self.as_raw(line, id=None, discount_percent=min(line.discount_percent, Decimal(10)))
            for line in order.lines.select_related("product", "tax")
        ]
        order = services.order_update(order=order, actor=owner, membership=self.membership(owner), values={}, lines=lines)
        self.confirm(order, approve=False)

    def order_cancelled_confirmed(self, on: date, seller=None) -> None:
        order = self.order_confirmed(on)
        services.order_cancel(order=order, actor=order.salesperson, reason=self.rng.choice(ORDER_CANCEL_REASONS))

    def order_cancelled_draft(self, on: date, seller=None) -> None:
        order = self.order_draft(on)
        services.order_cancel(order=order, actor=order.salesperson, reason=self.rng.choice(ORDER_CANCEL_REASONS))

    def order_cancelled_pending(self, on: date, seller: str) -> None:
        """Waiting for approval when the customer cancelled: the request is closed with the order."""
        order = self.create_order(on, self.pick_customer(self.list_price_customers, seller), self.below_floor_lines(), fit=False)
        order = self.confirm(order, approve=False)
        services.order_cancel(order=order, actor=order.salesperson, reason="The customer would not wait for the price decision.")

    def order_contract(self, on: date, seller=None, key: str = "active") -> None:
        contract = self.contracts[key]
        on = max(on, contract.valid_from)
        items = list(contract.items.select_related("product__unit"))
        lines = []
        for item in self.rng.sample(items, self.rng.randint(1, min(3, len(items)))):
            share = item.quantity / 10
            lines.append({"product": item.product, "quantity": Decimal(self.rng.randint(1, 2)) * share.to_integral_value()})
        if self.rng.random() < 0.4:
            lines += self.raw_lines(self.free_products, 1)
        self.confirm(self.create_order(on, contract.customer, lines, notes=f"Under contract {contract.number}."))

    def order_contract_expiring(self, on: date, seller=None) -> None:
        self.order_contract(on, key="expiring")
