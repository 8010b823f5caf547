"""Two years of sales history for the generated company, written as the services would have.

Each order lives out a fate chosen by its age: the oldest are delivered, invoiced, paid and
closed (a few stay unpaid or were cancelled); recent ones are invoiced but open, shipped but
not invoiced, or confirmed and waiting with their goods reserved; the newest few are drafts.
For each step the same rows the services write are made: the order, its lines and events,
the delivery with its stock moves and cost entry, the posted invoice with its lines,
instalment, entry and (left unpaid) open item, the payment with its allocation and entry. Legal numbers come from the
company's counters, gapless per series and year. Stock comes in through receipts (a `REC`
document, its moves and an entry) whenever the orders of a batch need more than is on hand.

The maintained rows (stock levels, account balances, customer accounts, number counters)
are summed here while the rows are made and written once at the end (`finish`), so they
equal what the history adds up to; the consistency tests rebuild them to check.
Standard costs never change, so the moving average cost is the product's cost throughout.
"""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from salesdesk.billing.models import Invoice, InvoiceInstalment, InvoiceLine, OpenItem, Payment, PaymentAllocation
from salesdesk.core.models import DocumentEvent
from salesdesk.core.numbering import format_number
from salesdesk.fulfilment.models import Delivery, DeliveryLine
from salesdesk.inventory.models import Reservation, StockAdjustment, StockAdjustmentLine, StockMove
from salesdesk.ledger.models import Account, JournalEntry, JournalLine
from salesdesk.sales.models import SalesOrder, SalesOrderLine
from salesdesk.sales.totals import LineInput, document_totals
from salesdesk.setup.generate import maintained
from salesdesk.setup.generate.followups import Followups
from salesdesk.setup.generate.master import Master
from salesdesk.setup.generate.rows import RowWriter

ZERO = Decimal("0")
SPAN_DAYS = 730
DISCOUNTS = (ZERO, ZERO, ZERO, Decimal("5"), Decimal("10"))
ROLE = Account.Role

# The tables written, with the columns given for each row (the order of the tuples below).
TABLES = {
    "orders": (
        SalesOrder,
        "id company_id number customer_id salesperson_id currency_id date notes untaxed_amount tax_amount total_amount created_by_id created_at status series year sequence customer_reference confirmed_at revision open_amount invoiced_amount paid_amount delivery_state invoice_state payment_state credit_release_reason warehouse_id",
    ),
    "order_lines": (
        SalesOrderLine,
        "id company_id sequence product_id description quantity unit_price discount_percent tax_id amount list_price price_source price_explanation order_id delivered_quantity invoiced_quantity",
    ),
    "events": (DocumentEvent, "id company_id content_type_id object_id from_status to_status actor_id at note"),
    "deliveries": (
        Delivery,
        "id company_id number status customer_id sales_order_id warehouse_id date carrier tracking_number shipping_address notes picked_at shipped_at delivered_at refusal_reason cost_amount journal_entry_id created_by_id created_at",
    ),
    "delivery_lines": (DeliveryLine, "id company_id delivery_id sequence order_line_id product_id description quantity cost move_id"),
    "moves": (StockMove, "id company_id product_id warehouse_id kind quantity unit_cost value date reason reference actor_id created_at"),
    "reservations": (Reservation, "id company_id product_id warehouse_id order_line_id reference wanted reserved priority"),
    "adjustments": (StockAdjustment, "id company_id number kind warehouse_id date reason journal_entry_id created_by_id created_at"),
    "adjustment_lines": (StockAdjustmentLine, "id company_id adjustment_id product_id quantity move_id"),
    "entries": (JournalEntry, "id company_id number date memo content_type_id object_id created_by_id created_at"),
    "entry_lines": (JournalLine, "id company_id entry_id account_id customer_id debit credit memo"),
    "invoices": (
        Invoice,
        "id company_id kind status number series year sequence customer_id salesperson_id sales_order_id delivery_id currency_id rate issue_date due_date payment_term_id customer_reference reason notes untaxed_amount tax_amount total_amount amount_paid amount_credited amount_written_off amount_due next_due_date dunning_level disputed disputed_amount posted_at posted_by_id journal_entry_id sent_to created_by_id created_at",
    ),
    "invoice_lines": (
        InvoiceLine,
        "id company_id invoice_id sequence order_line_id product_id description quantity unit_price discount_percent tax_id tax_rate tax_included amount credited_quantity",
    ),
    "instalments": (InvoiceInstalment, "id company_id invoice_id sequence due_date amount"),
    "payments": (
        Payment,
        "id company_id number customer_id status date amount currency_id rate method reference allocated_amount unallocated_amount journal_entry_id reversal_reason created_by_id created_at",
    ),
    "allocations": (PaymentAllocation, "id company_id payment_id invoice_id amount date"),
    "open_items": (OpenItem, "id company_id customer_id invoice_id due_date amount"),
}


def _moment(aware: bool):
    """A moment in the working day (08:00 plus `minute`) in UTC, as Django stores it: naive on SQLite."""
    tz = UTC if aware else None

    def at(day: date, minute: int) -> datetime:
        return datetime.combine(day, time(8), tzinfo=tz) + timedelta(minutes=minute)

    return at


class History(Followups):
    """One generation run: the writer, the simulated state and the running sums."""

    def __init__(self, master: Master, *, seed: int, today: date):
        self.m = master
        self.company_id = master.company.pk
        self.rng = random.Random(seed)
        self.today = today
        w = self.w = RowWriter()
        for name, (model, columns) in TABLES.items():
            setattr(self, name, w.table(model, columns.split()))
        self.state = maintained.State.load(master)
        ct = ContentType.objects.get_for_model
        self.ct = {
            name: ct(model).pk
            for name, model in (
                ("order", SalesOrder),
                ("delivery", Delivery),
                ("invoice", Invoice),
                ("payment", Payment),
                ("adjustment", StockAdjustment),
            )
        }
        self.account = dict(Account.objects.filter(company_id=self.company_id).exclude(role="").values_list("role", "id"))
        self.admin_id = master.admin.pk
        self._at = _moment(aware=self.w.vendor == "postgresql")
        self.products = [(pid, price, cost.quantize(Decimal("0.01")), tax_id, rate) for pid, price, cost, tax_id, rate in master.products]
        self.names = {pid: f"P{i + 1:07d}" for i, (pid, *_) in enumerate(master.products)}

    # -- the pieces every document shares -------------------------------------------------

    def take(self, series: str, day: date) -> tuple[int, str]:
        sequence = self.state.next_number(series, day.year)
        return sequence, format_number(series=series, year=day.year, sequence=sequence)

    def event(self, kind: str, object_id: int, before: str, after: str, at: datetime, actor: int | None, note: str = "") -> None:
        self.events.add((self.events.next_id(), self.company_id, self.ct[kind], object_id, before, after, actor, at, note))

    def entry(self, day: date, memo: str, source: str | None, object_id: int | None, at: datetime, lines) -> int:
        """A balanced journal entry; `lines` are (role, customer id, debit, credit)."""
        entry_id = self.entries.next_id()
        _, number = self.take("JE", day)
        self.entries.add((entry_id, self.company_id, number, day, memo, self.ct[source] if source else None, object_id, self.admin_id, at))
        for role, customer_id, debit, credit in lines:
            account_id = self.account[role]
            self.entry_lines.add((self.entry_lines.next_id(), self.company_id, entry_id, account_id, customer_id, debit, credit, memo))
            self.state.book(account_id, debit, credit)
            if role == ROLE.RECEIVABLE:
                self.state.receivable[customer_id] += debit - credit
        return entry_id

    # -- stock coming in --------------------------------------------------------------------

    def stock_move(self, pid: int, kind: str, quantity, cost, value, day: date, reason: str, reference: str, at: datetime) -> int:
        """A stock move row in the main warehouse, by the administrator; returns its id."""
        move_id = self.moves.next_id()
        self.moves.add(
            (move_id, self.company_id, pid, self.m.warehouse_id, kind, quantity, cost, value, day, reason, reference, self.admin_id, at)
        )
        return move_id

    def receive(self, day: date, needs: dict[int, int]) -> None:
        """One receipt document for every product whose free stock falls short of what the batch needs."""
        short = []
        for index, need in sorted(needs.items()):
            pid = self.products[index][0]
            free = self.state.on_hand[pid] - self.state.reserved[pid]
            if free < need:
                short.append((index, need - free + self.rng.randint(20, 120)))
        if not short:
            return
        at = self._at(day, 0)
        adjustment_id = self.adjustments.next_id()
        _, number = self.take("REC", day)
        total = ZERO
        for index, quantity in short:
            pid, _, cost, _, _ = self.products[index]
            value = cost * quantity
            total += value
            move_id = self.stock_move(pid, "receipt", quantity, cost, value, day, "supplier delivery", number, at)
            self.adjustment_lines.add((self.adjustment_lines.next_id(), self.company_id, adjustment_id, pid, quantity, move_id))
            self.state.stock_in(pid, quantity, value)
        entry_id = self.entry(
            day, number, "adjustment", adjustment_id, at, [(ROLE.INVENTORY, None, total, ZERO), (ROLE.GOODS_RECEIVED, None, ZERO, total)]
        )
        self.adjustments.add(
            (adjustment_id, self.company_id, number, "receipt", self.m.warehouse_id, day, "supplier delivery", entry_id, self.admin_id, at)
        )

    # -- one order and what followed it ---------------------------------------------------

    def fate(self, day: date) -> str:
        age = (self.today - day).days
        roll = self.rng.random()
        if age <= 2 and roll < 0.1:
            return "draft"
        if age > 2 and roll < 0.02:
            return "cancelled"
        if age <= 4:
            return "open"
        if age <= 10:
            return "shipped"
        if age <= 60:
            return "invoiced" if roll < 0.5 else "paid"
        return "invoiced" if roll < 0.04 else "paid"

    def plan(self, day: date, customer: tuple[int, int], lines: int, fate: str | None = None) -> dict:
        """An order's lines and fate, before anything is written (the batch sums stock needs first)."""
        picks = self.rng.sample(range(len(self.products)), min(lines, len(self.products)))
        return {
            "day": day,
            "customer": customer,
            "fate": fate or self.fate(day),
            "lines": [(index, self.rng.randint(1, 12), self.rng.choice(DISCOUNTS)) for index in picks],
        }

    def write_order(self, plan: dict) -> None:
        day, (customer_id, salesperson_id), fate = plan["day"], plan["customer"], plan["fate"]
        minute = self.rng.randint(0, 540)
        created = self._at(day, minute)
        inputs = [
            LineInput(quantity=Decimal(q), unit_price=self.products[i][1], discount_percent=d, tax_rate=self.products[i][4])
            for i, q, d in plan["lines"]
        ]
        totals = document_totals(inputs)
        order_id = self.orders.next_id()
        line_ids = []
        for seq, ((index, quantity, discount), amount) in enumerate(zip(plan["lines"], totals.line_amounts, strict=True), start=1):
            pid, price, _, tax_id, _ = self.products[index]
            line_id = self.order_lines.next_id()
            line_ids.append(line_id)
            done = quantity if fate in ("shipped", "invoiced", "paid") else 0
            billed = quantity if fate in ("invoiced", "paid") else 0
            self.order_lines.add(
                (
                    line_id,
                    self.company_id,
                    seq,
                    pid,
                    self.names[pid],
                    quantity,
                    price,
                    discount,
                    tax_id,
                    amount,
                    price,
                    "list",
                    "[]",
                    order_id,
                    done,
                    billed,
                )
            )
        number, sequence, year, confirmed_at = "", None, None, None
        if fate != "draft":
            confirmed_at = created + timedelta(minutes=5)
            sequence, number = self.take("SO", day)
            year = day.year
            self.event("order", order_id, "draft", "confirmed", confirmed_at, salesperson_id)
        status, open_amount, delivery_state, invoice_state, payment_state = "confirmed", ZERO, "none", "none", "none"
        invoiced_amount = paid_amount = ZERO
        if fate == "draft":
            status = "draft"
        elif fate == "cancelled":
            status = "cancelled"
            self.event(
                "order", order_id, "confirmed", "cancelled", confirmed_at + timedelta(hours=2), salesperson_id, "customer changed plans"
            )
        elif fate == "open":
            open_amount = totals.total
            for line_id, (index, quantity, _) in zip(line_ids, plan["lines"], strict=True):
                pid = self.products[index][0]
                self.reservations.add(
                    (
                        self.reservations.next_id(),
                        self.company_id,
                        pid,
                        self.m.warehouse_id,
                        line_id,
                        number,
                        quantity,
                        quantity,
                        confirmed_at,
                    )
                )
                self.state.reserved[pid] += quantity
        else:
            delivery_state = "delivered"
            shipped_day = min(day + timedelta(days=self.rng.randint(0, 3)), self.today)
            delivery_id = self.write_delivery(plan, order_id, line_ids, shipped_day, fate)
            if fate == "shipped":
                open_amount = totals.total
            else:
                invoice_state, invoiced_amount = "invoiced", totals.total
                issue_day = min(shipped_day + timedelta(days=self.rng.randint(0, 2)), self.today)
                paid_day = None
                if fate == "paid":
                    paid_day = min(issue_day + timedelta(days=self.rng.randint(3, 45)), self.today)
                    payment_state, paid_amount, status = "paid", totals.total, "closed"
                self.write_invoice(plan, order_id, delivery_id, line_ids, totals, issue_day, paid_day, salesperson_id)
                if paid_day:
                    self.event("order", order_id, "confirmed", "closed", self._at(paid_day, 600), self.admin_id)
        self.state.open_orders[customer_id] += open_amount
        self.orders.add(
            (
                order_id,
                self.company_id,
                number,
                customer_id,
                salesperson_id,
                self.m.currency_id,
                day,
                "",
                totals.untaxed,
                totals.tax,
                totals.total,
                salesperson_id,
                created,
                status,
                "SO",
                year,
                sequence,
                "",
                confirmed_at,
                0,
                open_amount,
                invoiced_amount,
                paid_amount,
                delivery_state,
                invoice_state,
                payment_state,
                "",
                self.m.warehouse_id,
            )
        )

    # -- batches --------------------------------------------------------------------------

    def write_batch(self, plans: list[dict]) -> None:
        """Receive what the batch needs, write its orders and flush it, in one transaction."""
        needs: dict[int, int] = defaultdict(int)
        for plan in plans:
            if plan["fate"] not in ("draft", "cancelled"):
                for index, quantity, _ in plan["lines"]:
                    needs[index] += quantity
        with transaction.atomic():
            if plans:
                self.receive(plans[0]["day"], needs)
            for plan in plans:
                self.write_order(plan)
            self.w.flush()

    def finish(self) -> dict[str, int]:
        with transaction.atomic():
            self.w.flush()
            self.state.save()
            self.w.reset_sequences()
        return self.w.counts()
