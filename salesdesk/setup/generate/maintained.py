"""The maintained rows behind the generated history: counters, stock levels, balances, customer figures.

The generator sums them while it makes the rows and writes them once at the end, starting
from what the company already had, so a second run (more history for one customer) adds to
the first exactly as posting would have.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import CustomerAccount
from salesdesk.inventory.models import StockLevel
from salesdesk.ledger.models import AccountBalance

ZERO = Decimal("0")


@dataclass
class State:
    company_id: int
    warehouse_id: int
    counters: dict[tuple[str, int], int] = field(default_factory=dict)
    on_hand: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    reserved: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    value: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    touched: set[int] = field(default_factory=set)
    # Changes to add to what is stored.
    balances: dict[int, list[Decimal]] = field(default_factory=dict)
    receivable: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    open_orders: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    oldest_due: dict[int, date] = field(default_factory=dict)

    @classmethod
    def load(cls, master) -> "State":
        state = cls(company_id=master.company.pk, warehouse_id=master.warehouse_id)
        for series, year, last in NumberCounter.objects.filter(company_id=state.company_id).values_list("series", "year", "last_value"):
            state.counters[(series, year)] = last
        for pid, on_hand, reserved, value in StockLevel.objects.filter(
            company_id=state.company_id, warehouse_id=state.warehouse_id
        ).values_list("product_id", "on_hand", "reserved", "value"):
            # Generated stock is in whole units.
            state.on_hand[pid], state.reserved[pid], state.value[pid] = int(on_hand), int(reserved), value
        return state

    def next_number(self, series: str, year: int) -> int:
        key = (series, year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def book(self, account_id: int, debit: Decimal, credit: Decimal) -> None:
        sums = self.balances.setdefault(account_id, [ZERO, ZERO])
        sums[0] += debit
        sums[1] += credit

    def stock_in(self, product_id: int, quantity: int, value: Decimal) -> None:
        self.on_hand[product_id] += quantity
        self.value[product_id] += value
        self.touched.add(product_id)

    def stock_out(self, product_id: int, quantity: int, value: Decimal) -> None:
        self.on_hand[product_id] -= quantity
        self.value[product_id] -= value
        self.touched.add(product_id)

    def overdue(self, customer_id: int, due: date) -> None:
        """An invoice left open: the customer's oldest open due date is the earliest of them."""
        current = self.oldest_due.get(customer_id)
        if current is None or due < current:
            self.oldest_due[customer_id] = due

    def save(self) -> None:
        self._save_counters()
        self._save_stock()
        self._save_balances()
        self._save_customers()

    def _save_counters(self) -> None:
        stored = {(c.series, c.year): c for c in NumberCounter.objects.filter(company_id=self.company_id)}
        changed, new = [], []
        for (series, year), last in self.counters.items():
            counter = stored.get((series, year))
            if counter is None:
                new.append(NumberCounter(company_id=self.company_id, series=series, year=year, last_value=last))
            elif counter.last_value != last:
                counter.last_value = last
                changed.append(counter)
        NumberCounter.objects.bulk_create(new)
        NumberCounter.objects.bulk_update(changed, ["last_value"])

    def _save_stock(self) -> None:
        stored = {
            level.product_id: level
            for level in _only(
                StockLevel.objects.filter(company_id=self.company_id, warehouse_id=self.warehouse_id),
                "product_id",
                self.touched | set(self.reserved),
            )
        }
        changed, new = [], []
        for pid in self.touched | {p for p, r in self.reserved.items() if r}:
            on_hand, reserved = self.on_hand[pid], self.reserved[pid]
            values = {"on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved, "value": self.value[pid]}
            level = stored.get(pid)
            if level is None:
                new.append(StockLevel(company_id=self.company_id, warehouse_id=self.warehouse_id, product_id=pid, **values))
            else:
                for name, value in values.items():
                    setattr(level, name, value)
                changed.append(level)
        StockLevel.objects.bulk_create(new, batch_size=2000)
        StockLevel.objects.bulk_update(changed, ["on_hand", "reserved", "available", "value"], batch_size=2000)

    def _save_balances(self) -> None:
        stored = {b.account_id: b for b in AccountBalance.objects.filter(company_id=self.company_id)}
        for account_id, (debit, credit) in self.balances.items():
            balance = stored.get(account_id)
            if balance is None:
                AccountBalance.objects.create(company_id=self.company_id, account_id=account_id, debit=debit, credit=credit)
            else:
                balance.debit += debit
                balance.credit += credit
                balance.save(update_fields=["debit", "credit"])

    def _save_customers(self) -> None:
        ids = set(self.receivable) | set(self.open_orders) | set(self.oldest_due)
        changed = []
        for account in _only(CustomerAccount.objects.filter(company_id=self.company_id), "customer_id", ids):
            cid = account.customer_id
            account.receivable += self.receivable.get(cid, ZERO)
            account.open_orders += self.open_orders.get(cid, ZERO)
            due = self.oldest_due.get(cid)
            if due is not None and (account.oldest_overdue_due_date is None or due < account.oldest_overdue_due_date):
                account.oldest_overdue_due_date = due
            changed.append(account)
        CustomerAccount.objects.bulk_update(changed, ["receivable", "open_orders", "oldest_overdue_due_date"], batch_size=2000)


def _only(queryset, column: str, ids: set[int]):
    """The rows for `ids`; past a few hundred ids, the whole company's rows (a long IN list costs more)."""
    return queryset.filter(**{f"{column}__in": ids}) if len(ids) <= 500 else queryset
