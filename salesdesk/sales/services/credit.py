"""Credit control at confirmation and amendment, and the release of held orders.

The check reads the customer's maintained account row only, locked for the rest of the
transaction: its cost does not grow with the customer's history, and two orders confirmed
at the same moment are checked one after the other, so they cannot both slip under the limit.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.core import audit, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.customers.models import Customer, CustomerAccount
from salesdesk.sales import credit, reads
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked, NotAllowedToRelease
from salesdesk.sales.models import SalesOrder
from salesdesk.sales.services.confirmation import book_confirmation, locked

Status = SalesOrder.Status
RELEASERS = (roles.SALES_MANAGER, roles.ACCOUNTANT, roles.ADMINISTRATOR)


def locked_account(company_id: int, customer_id: int) -> CustomerAccount:
    """The customer's credit row, locked until the transaction ends (created if missing)."""
    account = reads.locked_account(company_id, customer_id)
    if account is None:
        CustomerAccount.objects.get_or_create(company_id=company_id, customer_id=customer_id)
        account = CustomerAccount.objects.select_for_update().get(company_id=company_id, customer_id=customer_id)
    return account


def refusal_for(*, customer: Customer, order_amount: Decimal) -> CreditLimitExceeded | CustomerBlocked | None:
    """The refusal an order of `order_amount` (company currency) would get now, or None.

    Must run in the transaction that then books the order, which keeps the lock."""
    if customer.status == Customer.Status.BLOCKED:
        return CustomerBlocked(reason="customer_blocked")
    account = locked_account(customer.company_id, customer.pk)
    decision = credit.decide(
        credit_limit=customer.credit_limit,
        receivable=account.receivable,
        open_orders=account.open_orders,
        unapplied_deposits=account.unapplied_deposits,
        order_amount=order_amount,
        oldest_due_date=account.oldest_overdue_due_date,
        overdue_block_days=customer.overdue_block_days,
        today=timezone.localdate(),
    )
    if decision.refusal == credit.LIMIT_EXCEEDED:
        return CreditLimitExceeded(**decision.details)
    if decision.refusal == credit.BLOCKED:
        return CustomerBlocked(**decision.details)
    return None


def order_release_credit(*, order: SalesOrder, actor, membership, reason: str) -> SalesOrder:
    """Confirm an order held for credit on a manager's or accountant's word, with the reason on record."""
    if not membership.has_role(*RELEASERS):
        raise NotAllowedToRelease()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": ["Say why the order may go through."]})
    with transaction.atomic():
        order = locked(order)
        if order.status != Status.CREDIT_HOLD:
            raise InvalidTransition(from_status=order.status, to_status=Status.CONFIRMED, allowed=sorted(workflow.allowed_targets(order)))
        locked_account(order.company_id, order.customer_id)
        if order.customer.status == Customer.Status.BLOCKED:
            # A release overrides the credit limit, not a blocked file: unblock the customer first.
            raise CustomerBlocked(reason="customer_blocked")
        order.credit_released_by, order.credit_release_reason = actor, reason
        order.save(update_fields=["credit_released_by", "credit_release_reason"])
        book_confirmation(order, actor=actor, note=f"credit released: {reason}")
        audit.record(
            instance=order,
            actor=actor,
            action="update",
            before={"status": Status.CREDIT_HOLD},
            after={"status": Status.CONFIRMED, "credit_release_reason": reason},
        )
    return order
