"""Reads of customer files, always within the user's record scope."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from salesdesk.accounts.selectors import scope_by_salesperson, visible_salesperson_ids
from salesdesk.core.prepared import Prepared
from salesdesk.customers.models import Customer, CustomerAccount


def customers_visible(company, membership) -> QuerySet:
    """The customers this member may see: their own, their team's, or the company's."""
    qs = Customer.objects.filter(company=company)
    return scope_by_salesperson(qs, membership)


# With its currency: the document written next takes it (one statement, not a second read).
_BY_KEY = Prepared(lambda pk, company: Customer.objects.filter(pk=pk, company_id=company).select_related("currency"), int, int)


def visible_customer(company, membership, pk: int) -> Customer | None:
    """The customer with this id when this member may see it (the rule of `customers_visible`,
    applied to one row read by its key: every order and quotation written checks it)."""
    found = _BY_KEY.first(pk, company.pk)
    return found if found is not None and in_scope(membership, found) else None


def in_scope(membership, customer: Customer) -> bool:
    """The rule of `customers_visible` for a customer row already read (of the member's company)."""
    seen = visible_salesperson_ids(membership)
    return seen is None or customer.salesperson_id in seen


def customer_list(company, membership) -> QuerySet:
    return customers_visible(company, membership).select_related("group", "region", "salesperson", "currency", "payment_term", "price_list")


@dataclass(frozen=True)
class Credit:
    credit_limit: Decimal | None
    receivable: Decimal
    open_orders: Decimal
    unapplied_deposits: Decimal

    @property
    def exposure(self) -> Decimal:
        """What the customer owes or has ordered, less money held for them."""
        return self.receivable + self.open_orders - self.unapplied_deposits

    @property
    def available(self) -> Decimal | None:
        """Credit still available; None when the customer has no limit."""
        if self.credit_limit is None:
            return None
        return self.credit_limit - self.exposure


def customer_credit(customer: Customer) -> Credit:
    """The credit figures from the maintained account row: one row read, whatever the history."""
    account = CustomerAccount.objects.filter(company_id=customer.company_id, customer=customer).first()
    zero = Decimal("0.00")
    return Credit(
        credit_limit=customer.credit_limit,
        receivable=account.receivable if account else zero,
        open_orders=account.open_orders if account else zero,
        unapplied_deposits=account.unapplied_deposits if account else zero,
    )


def filing_salespeople(company) -> set[int | None]:
    """The salespeople the company's customers are filed under (None when some have none).

    Read as a walk of the (company, salesperson) index from one salesperson to the next, a
    probe per salesperson whatever the number of customers; a DISTINCT would read them all."""
    table = Customer._meta.db_table
    sql = (
        f"WITH RECURSIVE walk(id) AS (SELECT MIN(salesperson_id) FROM {table} WHERE company_id = %s AND salesperson_id IS NOT NULL "  # noqa: S608 - names are ours
        f"UNION ALL SELECT (SELECT MIN(salesperson_id) FROM {table} WHERE company_id = %s AND salesperson_id > walk.id) "
        "FROM walk WHERE walk.id IS NOT NULL) SELECT id FROM walk WHERE id IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company.pk, company.pk])
        found: set[int | None] = {row[0] for row in cursor.fetchall()}
    if Customer.objects.filter(company=company, salesperson__isnull=True).exists():
        found.add(None)
    return found
