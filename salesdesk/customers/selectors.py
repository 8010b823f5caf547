"""Reads of customer files, always within the user's record scope."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from salesdesk.accounts.selectors import scope_by_salesperson
from salesdesk.customers.models import Customer, CustomerAccount


def customers_visible(company, membership) -> QuerySet:
    """The customers this member may see: their own, their team's, or the company's."""
    qs = Customer.objects.filter(company=company)
    return scope_by_salesperson(qs, membership)


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
