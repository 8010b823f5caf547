"""The credit rule applied when an order is confirmed or amended (pure: figures in, decision out).

Exposure is what the customer owes and has ordered, less the money held for them:
receivable + confirmed orders not yet invoiced - unapplied deposits, all including tax and in
the company's currency. An order passes when exposure plus the order stays within the
credit limit: reaching the limit exactly is allowed. A customer with an invoice overdue longer
than `overdue_block_days` is blocked whatever the amounts.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LIMIT_EXCEEDED = "credit_limit_exceeded"
BLOCKED = "customer_blocked"


@dataclass(frozen=True)
class CreditDecision:
    refusal: str | None  # None when the order may go through
    details: dict = field(default_factory=dict)


def decide(
    *,
    credit_limit: Decimal | None,
    receivable: Decimal,
    open_orders: Decimal,
    unapplied_deposits: Decimal,
    order_amount: Decimal,
    oldest_due_date: date | None,
    overdue_block_days: int | None,
    today: date,
) -> CreditDecision:
    if overdue_block_days is not None and oldest_due_date is not None:
        days_overdue = (today - oldest_due_date).days
        if days_overdue > overdue_block_days:
            return CreditDecision(
                BLOCKED,
                {
                    "reason": "overdue",
                    "oldest_due_date": oldest_due_date.isoformat(),
                    "days_overdue": days_overdue,
                    "overdue_block_days": overdue_block_days,
                },
            )
    if credit_limit is None or order_amount <= 0:
        return CreditDecision(None)
    exposure = receivable + open_orders - unapplied_deposits
    if exposure + order_amount > credit_limit:
        return CreditDecision(
            LIMIT_EXCEEDED, {"credit_limit": str(credit_limit), "exposure": str(exposure), "order_amount": str(order_amount)}
        )
    return CreditDecision(None)
