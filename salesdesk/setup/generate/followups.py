"""What followed a generated order: its delivery, its posted invoice and the payment that settled it.

Each writes the rows and entries the matching service writes (see `history` for the whole picture).
"""

from datetime import date, timedelta
from decimal import Decimal

from salesdesk.ledger.models import Account
from salesdesk.setup.generate.master import TERM_DAYS

ZERO = Decimal("0")
ROLE = Account.Role


class Followups:
    """Mixed into `History`, whose tables, state and helpers these use."""

    def write_delivery(self, plan: dict, order_id: int, line_ids: list[int], day: date, fate: str) -> int:
        delivery_id = self.deliveries.next_id()
        _, number = self.take("DL", day)
        shipped_at = self._at(day, 120)
        delivered = fate != "shipped" or self.rng.random() < 0.5
        delivered_at = shipped_at + timedelta(hours=20) if delivered else None
        customer_id = plan["customer"][0]
        cost_total = ZERO
        for seq, (line_id, (index, quantity, _)) in enumerate(zip(line_ids, plan["lines"], strict=True), start=1):
            pid, _, cost, _, _ = self.products[index]
            value = cost * quantity
            cost_total += value
            move_id = self.stock_move(pid, "delivery", -quantity, cost, -value, day, "", number, shipped_at)
            self.delivery_lines.add(
                (self.delivery_lines.next_id(), self.company_id, delivery_id, seq, line_id, pid, self.names[pid], quantity, value, move_id)
            )
            self.state.stock_out(pid, quantity, value)
        entry_id = self.entry(
            day,
            number,
            "delivery",
            delivery_id,
            shipped_at,
            [(ROLE.COST_OF_GOODS_SOLD, None, cost_total, ZERO), (ROLE.INVENTORY, None, ZERO, cost_total)],
        )
        self.deliveries.add(
            (
                delivery_id,
                self.company_id,
                number,
                "delivered" if delivered else "shipped",
                customer_id,
                order_id,
                self.m.warehouse_id,
                day,
                "Carrier Express",
                f"TRK{delivery_id:010d}",
                "",
                "",
                shipped_at - timedelta(hours=1),
                shipped_at,
                delivered_at,
                "",
                cost_total,
                entry_id,
                self.admin_id,
                shipped_at - timedelta(hours=2),
            )
        )
        self.event("delivery", delivery_id, "draft", "shipped", shipped_at, self.admin_id)
        if delivered:
            self.event("delivery", delivery_id, "shipped", "delivered", delivered_at, self.admin_id)
        return delivery_id

    def write_invoice(self, plan, order_id, delivery_id, line_ids, totals, day: date, paid_day: date | None, salesperson_id) -> None:
        customer_id = plan["customer"][0]
        invoice_id = self.invoices.next_id()
        sequence, number = self.take("INV", day)
        posted_at = self._at(day, 300)
        due = day + timedelta(days=TERM_DAYS)
        total = totals.total
        for seq, (line_id, (index, quantity, discount), amount) in enumerate(
            zip(line_ids, plan["lines"], totals.line_amounts, strict=True), start=1
        ):
            pid, price, _, tax_id, rate = self.products[index]
            self.invoice_lines.add(
                (
                    self.invoice_lines.next_id(),
                    self.company_id,
                    invoice_id,
                    seq,
                    line_id,
                    pid,
                    self.names[pid],
                    quantity,
                    price,
                    discount,
                    tax_id,
                    rate,
                    False,
                    amount,
                    0,
                )
            )
        self.instalments.add((self.instalments.next_id(), self.company_id, invoice_id, 1, due, total))
        entry_id = self.entry(
            day,
            number,
            "invoice",
            invoice_id,
            posted_at,
            [
                (ROLE.RECEIVABLE, customer_id, total, ZERO),
                (ROLE.REVENUE, None, ZERO, totals.untaxed),
                *([(ROLE.TAX_PAYABLE, None, ZERO, totals.tax)] if totals.tax > 0 else []),
            ],
        )
        self.event("invoice", invoice_id, "draft", "posted", posted_at, self.admin_id)
        paid = total if paid_day else ZERO
        if paid_day:
            self.write_payment(customer_id, invoice_id, number, total, paid_day)
            self.event("invoice", invoice_id, "posted", "paid", self._at(paid_day, 420), self.admin_id)
        else:
            self.state.overdue(customer_id, due)
            self.open_items.add((self.open_items.next_id(), self.company_id, customer_id, invoice_id, due, total))
        self.invoices.add(
            (
                invoice_id,
                self.company_id,
                "invoice",
                "paid" if paid_day else "posted",
                number,
                "INV",
                day.year,
                sequence,
                customer_id,
                salesperson_id,
                order_id,
                delivery_id,
                self.m.currency_id,
                Decimal(1),
                day,
                due,
                self.m.term_id,
                "",
                "",
                "",
                totals.untaxed,
                totals.tax,
                total,
                paid,
                ZERO,
                ZERO,
                total - paid,
                None if paid_day else due,
                0,
                False,
                ZERO,
                posted_at,
                self.admin_id,
                entry_id,
                "",
                self.admin_id,
                posted_at - timedelta(minutes=10),
            )
        )

    def write_payment(self, customer_id: int, invoice_id: int, invoice_number: str, amount: Decimal, day: date) -> None:
        payment_id = self.payments.next_id()
        _, number = self.take("PAY", day)
        at = self._at(day, 420)
        entry_id = self.entry(
            day, number, "payment", payment_id, at, [(ROLE.CASH, None, amount, ZERO), (ROLE.RECEIVABLE, customer_id, ZERO, amount)]
        )
        self.payments.add(
            (
                payment_id,
                self.company_id,
                number,
                customer_id,
                "posted",
                day,
                amount,
                self.m.currency_id,
                Decimal(1),
                "bank_transfer",
                invoice_number,
                amount,
                ZERO,
                entry_id,
                "",
                self.admin_id,
                at,
            )
        )
        self.allocations.add((self.allocations.next_id(), self.company_id, payment_id, invoice_id, amount, day))
        self.event("payment", payment_id, "", "posted", at, self.admin_id, f"received {amount} EUR")
