"""The reference point: the same quote-to-cash cycle written as plain SQL, and the engine's figure as a ratio of it.

One transaction per order, through the DB-API cursor of Django's connection with parameter
lists. It writes the rows the services write, step by step (quotation, acceptance, order,
confirmation with the credit check on the locked account row and stock reserved, delivery,
shipment at moving-average cost, invoice, posting, payment and allocation), each step the way
a careful hand-written program would: one statement per row change it needs, multi-row
INSERTs for lines, no no-op updates and no re-reads of rows it has just written. Maintained
figures move with `x = ROUND(x + delta, places)` as in the engine, so SQLite keeps them exact.

Shortcuts, all outside the timed part or leaving the rows the same:
- prices, taxes and price explanations of the products are computed once beforehand with the
  engine's own pricing (a generated company has no price lists: the list price applies), and
  the totals with the engine's pure `document_totals`;
- the stock is received beforehand (as for the engine); a cycle that finds too little stock,
  or a customer over the credit limit, stops with an error instead of backordering or holding;
- the company's currency only (rate 1); the customer's payment term splits the instalments.
Every maintained figure stays consistent (stock levels with their moves, account balances
with their entries, customer accounts with their documents); the tests check that, and that
one order writes the same rows in every table as the services do.
"""

import json
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from bench import affinity, cycle
from bench.plain_tables import OLDEST_DUE, insert, plus
from bench.stats import median, row, timed

LINES = cycle.LINES
ZERO = Decimal("0.00")


class Plain:
    """Ids and per-product figures read once; `order()` then runs one cycle in one transaction."""

    def __init__(self, stage: cycle.Stage):
        from django.contrib.contenttypes.models import ContentType

        from salesdesk.billing.models import Invoice, Payment
        from salesdesk.core.models import NumberCounter
        from salesdesk.fulfilment.models import Delivery
        from salesdesk.ledger.models import Account, AccountBalance
        from salesdesk.sales.models import Quotation, SalesOrder
        from salesdesk.sales.selectors import sales_settings

        self.stage, self.company = stage, stage.company
        self.c, self.actor, self.warehouse = stage.company.pk, stage.admin.pk, stage.warehouse.pk
        self.lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
        models = {"quotation": Quotation, "order": SalesOrder, "delivery": Delivery, "invoice": Invoice, "payment": Payment}
        self.ct = {name: ContentType.objects.get_for_model(model).pk for name, model in models.items()}
        by_role = dict(Account.objects.filter(company=self.company).exclude(role="").values_list("role", "id"))
        role = Account.Role
        names = {"cash": role.CASH, "receivable": role.RECEIVABLE, "inventory": role.INVENTORY, "revenue": role.REVENUE}
        names |= {"tax": role.TAX_PAYABLE, "cogs": role.COST_OF_GOODS_SOLD}
        self.account = {name: by_role[r] for name, r in names.items()}
        for account_id in self.account.values():
            AccountBalance.objects.get_or_create(company=self.company, account_id=account_id)
        self.year = timezone.localdate().year
        self.counter = {}
        for series in ("QUO", "SO", "DL", "INV", "JE", "PAY"):
            found, _ = NumberCounter.objects.get_or_create(company=self.company, series=series, year=self.year, defaults={"last_value": 0})
            self.counter[series] = found.pk
        self.validity = timedelta(days=sales_settings(self.company).quotation_validity_days)
        self.products, self.customers, self.levels = {}, {}, {}

    def prepare(self, orders: int) -> list[tuple]:
        """The next `orders` orders of the stage as (customer, lines), their products priced beforehand."""
        from salesdesk.catalog.models import Currency
        from salesdesk.inventory.models import StockLevel
        from salesdesk.sales.services import lines as line_service

        planned = [self.stage.next_order() for _ in range(orders)]
        base = Currency.objects.get(company=self.company, code=self.company.base_currency)
        for customer, lines in planned:
            if customer.pk not in self.customers:
                if (customer.currency_id or base.pk) != base.pk:
                    raise RuntimeError("the plain cycle bills in the company's currency only")
                terms = list(customer.payment_term.lines.values_list("percent", "days")) if customer.payment_term_id else []
                self.customers[customer.pk] = {"salesperson": customer.salesperson_id or self.actor, "currency": base, "terms": terms}
            for line in lines:
                product = line["product"]
                if product.pk not in self.products:
                    raw = [{"product": product, "quantity": Decimal(1)}]
                    on = timezone.localdate()
                    [priced] = line_service.build(company=self.company, customer=customer, currency=base.code, on=on, raw_lines=raw)
                    self.products[product.pk] = priced
        levels = StockLevel.objects.filter(company=self.company, warehouse_id=self.warehouse, product_id__in=list(self.products))
        self.levels = dict(levels.values_list("product_id", "id"))
        return planned

    # --- pieces every step uses ----------------------------------------------------------------

    def _number(self, cur, series: str) -> tuple[int, str]:
        cur.execute("UPDATE core_numbercounter SET last_value = last_value + 1 WHERE id = %s RETURNING last_value", [self.counter[series]])
        sequence = cur.fetchone()[0]
        return sequence, f"{series}-{self.year}-{sequence:05d}"

    def _now(self):
        return connection.ops.adapt_datetimefield_value(timezone.now())

    def _event(self, cur, kind: str, pk: int, before: str, after: str, note: str = "", actor=True, audit: str | None = None) -> None:
        """A document event, and for a status change its audit row, as `core.workflow.transition` writes them."""
        actor_id, now = (self.actor if actor else None), self._now()
        insert(cur, "core_documentevent", [(self.c, self.ct[kind], pk, before, after, actor_id, now, note)])
        if audit is not None:
            insert(cur, "core_auditentry", [(self.c, actor_id, now, self.ct[kind], pk, audit, "status", "status", before, after)])

    def _entry(self, cur, *, on, memo: str, kind: str, pk: int, lines: list[tuple]) -> int:
        """A journal entry with its lines (account, customer, debit, credit, memo) and the balances it moves."""
        _, number = self._number(cur, "JE")
        [(entry_id,)] = insert(cur, "ledger_journalentry", [(self.c, number, on, memo, self.ct[kind], pk, self.actor, self._now())], "id")
        insert(cur, "ledger_journalline", [(self.c, entry_id, *line) for line in lines])
        for account, _customer, debit, credit, _memo in sorted(lines):
            cur.execute(
                f"UPDATE ledger_accountbalance SET {plus('debit')}, {plus('credit')} WHERE company_id = %s AND account_id = %s",  # noqa: S608
                [debit, credit, self.c, account],
            )
        return entry_id

    def _lines(self, cur, table: str, parent_id: int, priced, amounts, note: str | None = None) -> list[int]:
        """A quotation's or order's lines, priced as the engine prices them; their ids in line order."""
        rows = []
        for i, ((p, quantity), amount) in enumerate(zip(priced, amounts, strict=True)):
            explanation = json.dumps([*p.price_explanation, note] if note else p.price_explanation)
            tax = p.tax.pk if p.tax else None
            values = (self.c, i, p.product.pk, p.description, quantity, p.unit_price, p.discount_percent, tax, amount)
            values += (p.list_price, p.floor_price, p.price_source, explanation, parent_id)
            rows.append(values + ((0, 0) if table == "sales_salesorderline" else ()))
        by_sequence = {seq: pk for pk, seq in insert(cur, table, rows, "id, sequence")}
        return [by_sequence[i] for i in range(len(rows))]

    def _credit_check(self, cur, customer, amount: Decimal, on) -> None:
        """The engine's credit rule on the customer's account row, locked for the rest of the transaction."""
        from salesdesk.sales import credit

        sql = "SELECT receivable, open_orders, unapplied_deposits, oldest_overdue_due_date FROM customers_customeraccount"
        cur.execute(sql + " WHERE company_id = %s AND customer_id = %s" + self.lock, [self.c, customer.pk])
        receivable, open_orders, deposits, oldest = cur.fetchone()
        figures = {"receivable": receivable, "open_orders": open_orders, "unapplied_deposits": deposits}
        decision = credit.decide(
            credit_limit=customer.credit_limit,
            **{name: Decimal(str(value)) for name, value in figures.items()},
            order_amount=amount,
            oldest_due_date=parse_date(oldest) if isinstance(oldest, str) else oldest,
            overdue_block_days=customer.overdue_block_days,
            today=on,
        )
        if decision.refusal:
            raise RuntimeError(f"plain cycle refused by credit control: {decision.refusal}")

    # --- one cycle -----------------------------------------------------------------------------

    def order(self, customer, lines) -> tuple[int, int]:
        """Quotation to paid invoice and closed order, in one transaction; returns (order id, invoice id)."""
        from salesdesk.sales.totals import LineInput, document_totals

        info, c, on = self.customers[customer.pk], self.c, timezone.localdate()
        priced = [(self.products[line["product"].pk], line["quantity"]) for line in lines]
        inputs = [
            LineInput(q, p.unit_price, p.discount_percent, p.tax.rate if p.tax else None, bool(p.tax and p.tax.included_in_price))
            for p, q in priced
        ]
        totals = document_totals(inputs, places=info["currency"].decimal_places)
        who = (customer.pk, info["salesperson"], info["currency"].pk, on, "")
        header = (*who, totals.untaxed, totals.tax, totals.total, self.actor, self._now())
        with transaction.atomic(), connection.cursor() as cur:
            # The quotation, accepted.
            _, quo_number = self._number(cur, "QUO")
            [(quo_id,)] = insert(cur, "sales_quotation", [(c, quo_number, *header, "draft", on + self.validity, 1, "", "")], "id")
            self._lines(cur, "sales_quotationline", quo_id, priced, totals.line_amounts)
            cur.execute("UPDATE sales_quotation SET status = 'accepted' WHERE id = %s", [quo_id])
            self._event(cur, "quotation", quo_id, "draft", "accepted", audit=quo_number)

            # The order from it, confirmed: credit check on the locked account row, number, stock reserved.
            state = ("draft", "SO", quo_id, "", 0, 0, 0, 0, "none", "none", "none", "")
            [(order_id,)] = insert(cur, "sales_salesorder", [(c, "", *header, *state)], "id")
            note = f"from quotation {quo_number}"
            order_lines = self._lines(cur, "sales_salesorderline", order_id, priced, totals.line_amounts, note)
            self._event(cur, "order", order_id, "draft", "draft", note=f"created {note}")
            self._credit_check(cur, customer, totals.total, on)
            sequence, so_number = self._number(cur, "SO")
            confirmed_at = self._now()
            cur.execute(
                "UPDATE sales_salesorder SET number = %s, year = %s, sequence = %s, confirmed_at = %s, open_amount = %s, status = 'confirmed',"
                " warehouse_id = %s WHERE id = %s",
                [so_number, self.year, sequence, confirmed_at, totals.total, self.warehouse, order_id],
            )
            cur.execute(
                f"UPDATE customers_customeraccount SET {plus('open_orders')} WHERE company_id = %s AND customer_id = %s",  # noqa: S608
                [totals.total, c, customer.pk],
            )
            self._event(cur, "order", order_id, "draft", "confirmed", audit=so_number)
            for p, quantity in priced:
                cur.execute(
                    f"UPDATE inventory_stocklevel SET {plus('reserved', 4)}, {plus('available', 4, '-')} WHERE id = %s AND available >= %s",  # noqa: S608
                    [quantity, quantity, self.levels[p.product.pk], quantity],
                )
                if cur.rowcount != 1:
                    raise RuntimeError("plain cycle: not enough stock to reserve")
            claims = [
                (c, p.product.pk, self.warehouse, line_id, so_number, q, q, confirmed_at)
                for (p, q), line_id in zip(priced, order_lines, strict=True)
            ]
            insert(cur, "inventory_reservation", claims)
            self._deliver(cur, customer, order_id, so_number, priced, order_lines, on)
            invoice_id = self._invoice_and_pay(cur, customer, order_id, so_number, priced, order_lines, totals, on)
        return order_id, invoice_id

    def _deliver(self, cur, customer, order_id, so_number, priced, order_lines, on) -> None:
        """The delivery of everything: made, shipped (stock out at moving average, cost booked) and delivered."""
        from salesdesk.core.money import round_money

        c = self.c
        _, number = self._number(cur, "DL")
        delivery = (c, number, "draft", customer.pk, order_id, self.warehouse, on, "", "", customer.shipping_address)
        delivery += ("", "", 0, self.actor, self._now())
        [(delivery_id,)] = insert(cur, "fulfilment_delivery", [delivery], "id")
        rows = [
            (c, delivery_id, i, line_id, p.product.pk, p.description or p.product.name, q, 0)
            for i, ((p, q), line_id) in enumerate(zip(priced, order_lines, strict=True))
        ]
        delivery_lines = {line_id: pk for pk, line_id in insert(cur, "fulfilment_deliveryline", rows, "id, order_line_id")}
        self._event(cur, "delivery", delivery_id, "draft", "draft", note=f"created from order {so_number}")

        # Shipping: the levels locked and read for their moving-average cost, then taken from.
        level_ids = [self.levels[p.product.pk] for p, _ in priced]
        marks = ", ".join(["%s"] * len(level_ids))
        cur.execute(f"SELECT id, on_hand, value FROM inventory_stocklevel WHERE id IN ({marks}) ORDER BY id" + self.lock, level_ids)  # noqa: S608
        levels = {pk: (Decimal(str(on_hand)), Decimal(str(value))) for pk, on_hand, value in cur.fetchall()}
        moves, now, total = [], self._now(), Decimal(0)
        for (p, quantity), level_id in zip(priced, level_ids, strict=True):
            on_hand, value = levels[level_id]
            taken = value if quantity >= on_hand else min(round_money(value * quantity / on_hand), value)
            cur.execute(
                f"UPDATE inventory_stocklevel SET {plus('on_hand', 4, '-')}, {plus('reserved', 4, '-')}, {plus('value', 2, '-')}"  # noqa: S608
                " WHERE id = %s AND on_hand >= %s AND reserved >= %s",
                [quantity, quantity, taken, level_id, quantity, quantity],
            )
            if cur.rowcount != 1:
                raise RuntimeError("plain cycle: not enough stock to ship")
            unit_cost = (taken / quantity).quantize(Decimal("0.0001"))
            moves.append((c, p.product.pk, self.warehouse, "delivery", -quantity, unit_cost, -taken, on, "", number, self.actor, now))
            total += taken
        marks = ", ".join(["%s"] * len(order_lines))
        cur.execute(f"DELETE FROM inventory_reservation WHERE company_id = %s AND order_line_id IN ({marks})", [c, *order_lines])  # noqa: S608
        move_ids = {product: pk for pk, product in insert(cur, "inventory_stockmove", moves, "id, product_id")}
        cur.executemany(
            "UPDATE fulfilment_deliveryline SET cost = %s, move_id = %s WHERE id = %s",
            [(-move[6], move_ids[move[1]], delivery_lines[line_id]) for move, line_id in zip(moves, order_lines, strict=True)],
        )
        entry_id = None
        if total > 0:
            lines = [(self.account["cogs"], None, total, ZERO, ""), (self.account["inventory"], None, ZERO, total, "")]
            entry_id = self._entry(cur, on=on, memo=f"cost of goods shipped {number}", kind="delivery", pk=delivery_id, lines=lines)
        cur.execute(
            "UPDATE fulfilment_delivery SET status = 'shipped', shipped_at = %s, cost_amount = %s, journal_entry_id = %s WHERE id = %s",
            [self._now(), total, entry_id, delivery_id],
        )
        self._event(cur, "delivery", delivery_id, "draft", "shipped", audit=number)
        cur.execute("UPDATE sales_salesorderline SET delivered_quantity = quantity WHERE order_id = %s", [order_id])
        cur.execute("UPDATE sales_salesorder SET delivery_state = 'delivered' WHERE id = %s", [order_id])
        cur.execute("UPDATE fulfilment_delivery SET status = 'delivered', delivered_at = %s WHERE id = %s", [self._now(), delivery_id])
        self._event(cur, "delivery", delivery_id, "shipped", "delivered", audit=number)

    def _invoice_and_pay(self, cur, customer, order_id, so_number, priced, order_lines, totals, on) -> int:
        """The invoice from the order, posted (number, instalments, entry, order billed), then paid in full."""
        from salesdesk.core.money import split

        c, info, total = self.c, self.customers[customer.pk], totals.total
        money = (totals.untaxed, totals.tax, total, 0, 0, 0, 0, 0, False, 0, "", self.actor, self._now())
        invoice = (c, "invoice", "draft", "", "", customer.pk, info["salesperson"], order_id, info["currency"].pk, 1, on)
        invoice += (customer.payment_term_id,)
        [(invoice_id,)] = insert(cur, "billing_invoice", [(*invoice, "", "", "", *money)], "id")
        taxes = [(p.tax.pk if p.tax else None, False, amount, 0) for (p, _), amount in zip(priced, totals.line_amounts, strict=True)]
        rows = [
            (c, invoice_id, i, line_id, p.product.pk, p.description or p.product.name, q, p.unit_price, p.discount_percent, *tail)
            for i, ((p, q), line_id, tail) in enumerate(zip(priced, order_lines, taxes, strict=True))
        ]
        invoice_lines = {seq: pk for pk, seq in insert(cur, "billing_invoiceline", rows, "id, sequence")}
        self._event(cur, "invoice", invoice_id, "draft", "draft", note=f"created from order {so_number}")

        # Posting: number, tax rates frozen on the lines, instalments, the entry, the order billed.
        sequence, number = self._number(cur, "INV")
        frozen = [
            (p.tax.rate if p.tax else None, bool(p.tax and p.tax.included_in_price), invoice_lines[i]) for i, (p, _) in enumerate(priced)
        ]
        cur.executemany("UPDATE billing_invoiceline SET tax_rate = %s, tax_included = %s WHERE id = %s", frozen)
        terms = info["terms"] or [(Decimal(100), 0)]
        parts = split(total, [percent for percent, _ in terms], info["currency"].decimal_places) if info["terms"] else [total]
        instalments = [
            (c, invoice_id, i, on + timedelta(days=days), part) for i, ((_, days), part) in enumerate(zip(terms, parts, strict=True))
        ]
        insert(cur, "billing_invoiceinstalment", instalments)
        lines = [
            (self.account["receivable"], customer.pk, total, ZERO, number),
            (self.account["revenue"], None, ZERO, totals.untaxed, number),
        ]
        if totals.tax > 0:
            lines.append((self.account["tax"], None, ZERO, totals.tax, number))
        entry_id = self._entry(cur, on=on, memo=number, kind="invoice", pk=invoice_id, lines=lines)
        due = [i[3] for i in instalments]
        cur.execute(
            "UPDATE billing_invoice SET status = 'posted', number = %s, series = 'INV', year = %s, sequence = %s, due_date = %s,"
            " next_due_date = %s, amount_due = %s, posted_at = %s, posted_by_id = %s, journal_entry_id = %s WHERE id = %s",
            [number, self.year, sequence, max(due), min(due), total, self._now(), self.actor, entry_id, invoice_id],
        )
        self._event(cur, "invoice", invoice_id, "draft", "posted", audit=number)
        cur.execute("UPDATE sales_salesorderline SET invoiced_quantity = quantity WHERE order_id = %s", [order_id])
        cur.execute(
            "UPDATE sales_salesorder SET invoiced_amount = %s, open_amount = 0, invoice_state = 'invoiced' WHERE id = %s", [total, order_id]
        )
        cur.execute(
            f"UPDATE customers_customeraccount SET {plus('receivable')}, {plus('open_orders', 2, '-')}, {OLDEST_DUE}"  # noqa: S608
            " WHERE company_id = %s AND customer_id = %s",
            [total, total, c, customer.pk, c, customer.pk],
        )

        # The payment, allocated to the invoice: the invoice is paid, the order closes.
        _, pay_number = self._number(cur, "PAY")
        payment = (c, pay_number, customer.pk, "posted", on, total, info["currency"].pk, 1, "bank_transfer", "", total, 0, "")
        payment += (self.actor, self._now())
        [(payment_id,)] = insert(cur, "billing_payment", [payment], "id")
        lines = [(self.account["cash"], None, total, ZERO, pay_number), (self.account["receivable"], customer.pk, ZERO, total, pay_number)]
        entry_id = self._entry(cur, on=on, memo=pay_number, kind="payment", pk=payment_id, lines=lines)
        cur.execute("UPDATE billing_payment SET journal_entry_id = %s WHERE id = %s", [entry_id, payment_id])
        self._event(cur, "payment", payment_id, "posted", "posted", note=f"received {total} {info['currency'].code}")
        cur.execute(
            f"UPDATE billing_invoice SET {plus('amount_paid')}, {plus('amount_due', 2, '-')}, next_due_date = NULL, status = 'paid'"  # noqa: S608
            " WHERE id = %s AND amount_due >= %s",
            [total, total, invoice_id, total],
        )
        if cur.rowcount != 1:
            raise RuntimeError("plain cycle: the invoice could not take the payment")
        self._event(cur, "invoice", invoice_id, "posted", "paid", audit=number)
        cur.execute(
            "UPDATE sales_salesorder SET paid_amount = %s, payment_state = 'paid', status = 'closed' WHERE id = %s", [total, order_id]
        )
        self._event(cur, "order", order_id, "confirmed", "closed", note="delivered, invoiced and paid", actor=False, audit=so_number)
        cur.execute(
            f"UPDATE customers_customeraccount SET {plus('receivable', 2, '-')}, {OLDEST_DUE} WHERE company_id = %s AND customer_id = %s",  # noqa: S608
            [total, c, customer.pk, c, customer.pk],
        )
        insert(cur, "billing_paymentallocation", [(c, payment_id, invoice_id, total, on)])
        return invoice_id


def plain_rate(plain: Plain, orders: int) -> float:
    """Lines per second of `orders` plain cycles back to back (their outcome checked afterwards)."""
    planned = plain.prepare(orders)
    seconds, pairs = timed(lambda: [plain.order(customer, lines) for customer, lines in planned])
    cycle.check_closed(pairs)
    return orders * LINES / seconds


def run(ctx) -> list[dict]:
    """Engine and plain SQL on the same number of orders, alternating, in the same process."""
    repeats, per_repeat = cycle.sizes(ctx)
    warm = cycle.warm_up_orders(ctx)
    stage = cycle.stage(ctx.company_code, orders=2 * (repeats * per_repeat + warm))
    plain = Plain(stage)
    for _ in range(warm):  # warm-up of both paths, untimed
        cycle.one_cycle(stage)
    plain_rate(plain, warm)
    cycle.read_database_file()
    engine_rates, plain_rates = [], []
    # Both the same way as the cycle's figure: on PostgreSQL on one CPU with the server process.
    for _ in range(repeats):
        with affinity.one_cpu() as pinned:
            engine_rates.append(cycle.engine_rate(stage, per_repeat)[0])
            plain_rates.append(plain_rate(plain, per_repeat))
    engine, reference = median(engine_rates), median(plain_rates)
    note = f"median of {repeats} runs of {per_repeat} orders each, engine and plain SQL alternating"
    if pinned:
        note += ", the bench's process and its server process on one CPU"
    return [
        row("plain-sql", "lines_per_s", round(reference, 1), "lines/s", None, None, "the cycle as plain SQL, one transaction per order"),
        row("plain-sql", "engine_lines_per_s", round(engine, 1), "lines/s", None, None, note),
        row("plain-sql", "engine_vs_plain", engine / reference, "ratio", None, None, "engine lines/s divided by plain SQL lines/s"),
    ]
