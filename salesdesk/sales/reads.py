"""The lookups of quotations and orders that every step of the cycle repeats, composed once
(`core.prepared`): locking the document with the parents its rules read, and reading its lines.

One locked read serves every step (confirm, deliver, invoice, record a payment), so it joins
every parent one of them needs; a join by key costs the database microseconds, composing a
different statement for each caller cost the ORM a millisecond.
"""

from datetime import date

from django.db.models import prefetch_related_objects

from salesdesk.core.prepared import Prepared
from salesdesk.customers.models import CustomerAccount
from salesdesk.sales.models import Contract, Quotation, QuotationLine, SalesOrder, SalesOrderLine, SalesSettings

ORDER_PARENTS = ("currency", "customer", "company", "contract", "warehouse")

_order_locked = Prepared(
    lambda pk, company: SalesOrder.objects.select_for_update(of=("self",)).select_related(*ORDER_PARENTS).filter(pk=pk, company_id=company),
    int,
    int,
)
# What billing's reports to the order read: the order's figures, and its currency and company
# to bring an amount into the company's currency (not the customer's 40 columns).
_order_figures_locked = Prepared(
    lambda pk, company: (
        SalesOrder.objects.select_for_update(of=("self",)).select_related("currency", "company").filter(pk=pk, company_id=company)
    ),
    int,
    int,
)
_order_shown = Prepared(
    lambda pk, company: SalesOrder.objects.select_related("customer", "salesperson", "currency").filter(pk=pk, company_id=company),
    int,
    int,
)
_order_lines = Prepared(lambda order: SalesOrderLine.objects.filter(order_id=order).select_related("product", "tax"), int)
_order_lines_plain = Prepared(lambda order: SalesOrderLine.objects.filter(order_id=order), int)
_line_progress = Prepared(
    lambda order: SalesOrderLine.objects.filter(order_id=order).values_list("pk", "quantity", "delivered_quantity", "invoiced_quantity"),
    int,
    rows="tuples",
)
_quotation_locked = Prepared(
    lambda pk, company: (
        Quotation.objects.select_for_update(of=("self",))
        .select_related("currency", "customer", "company")
        .filter(pk=pk, company_id=company)
    ),
    int,
    int,
)
_quotation_lines = Prepared(lambda quotation: QuotationLine.objects.filter(quotation_id=quotation), int)
_account = Prepared(
    lambda company, customer: (
        CustomerAccount.objects.select_for_update().filter(company_id=company, customer_id=customer).order_by("pk")[:1]
    ),
    int,
    int,
)
# Newest first (the models' order), as `.first()` answered before.
_live_order = Prepared(
    lambda quotation: SalesOrder.objects.filter(quotation_id=quotation).exclude(status=SalesOrder.Status.CANCELLED).values_list("pk")[:1],
    int,
    rows="tuples",
)
_later_revision = Prepared(lambda quotation: Quotation.objects.filter(previous_id=quotation).values_list("pk")[:1], int, rows="tuples")
_active_contract = Prepared(
    lambda company, customer, on: Contract.objects.filter(
        company_id=company, customer_id=customer, status=Contract.Status.ACTIVE, valid_from__lte=on, valid_to__gte=on
    ).order_by("-valid_from")[:1],
    int,
    int,
    date,
)
_settings = Prepared(
    lambda company: SalesSettings.objects.filter(company_id=company).select_related("default_warehouse").order_by("pk")[:1], int
)


def locked_order(order: SalesOrder) -> SalesOrder:
    """The order, locked until the transaction ends and read after the lock."""
    return _order_locked.get(order.pk, order.company_id)


def locked_order_figures(order: SalesOrder) -> SalesOrder:
    """The order locked and read after the lock, with its currency and company only."""
    return _order_figures_locked.get(order.pk, order.company_id)


def order_by_key(pk: int, company_id: int) -> SalesOrder | None:
    """The order with this id in the company, with customer, salesperson and currency."""
    return _order_shown.first(pk, company_id)


def order_as_shown(order: SalesOrder) -> SalesOrder:
    """The order as the API answers with it: customer, salesperson and currency joined, and its
    lines in the place `prefetch_related("lines")` leaves them."""
    shown = _order_shown.get(order.pk, order.company_id)
    lines = SalesOrderLine.objects.filter(order=shown)
    lines._result_cache, lines._prefetch_done = _order_lines_plain.all(shown.pk, attach={"order": shown}), True
    shown._prefetched_objects_cache = {"lines": lines}
    return shown


def order_lines(order: SalesOrder) -> list[SalesOrderLine]:
    """The order's lines in their order, with product and tax, each knowing its order."""
    return _order_lines.all(order.pk, attach={"order": order})


def line_progress(order: SalesOrder) -> list[tuple]:
    """(id, quantity, delivered, invoiced) of each line of the order."""
    return _line_progress.all(order.pk)


def locked_quotation(quotation: Quotation) -> Quotation:
    return _quotation_locked.get(quotation.pk, quotation.company_id)


def quotation_lines(quotation: Quotation) -> list[QuotationLine]:
    return _quotation_lines.all(quotation.pk, attach={"quotation": quotation})


def saved_settings(company_id: int) -> SalesSettings | None:
    """The company's saved sales settings with their default warehouse, or None."""
    return _settings.first(company_id)


def locked_account(company_id: int, customer_id: int) -> CustomerAccount | None:
    """The customer's credit row, locked until the transaction ends (None when it has none yet)."""
    return _account.first(company_id, customer_id)


def live_order_of(quotation: Quotation) -> int | None:
    """The id of an order made from the quotation and not cancelled, if there is one."""
    found = _live_order.all(quotation.pk)
    return found[0][0] if found else None


def later_revision_of(quotation: Quotation) -> int | None:
    found = _later_revision.all(quotation.pk)
    return found[0][0] if found else None


def active_contract(company_id: int, customer_id: int, on: date) -> Contract | None:
    """The customer's contract in force on `on` (the latest to start), with its items read."""
    found = _active_contract.first(company_id, customer_id, on)
    if found is not None:
        prefetch_related_objects([found], "items")
    return found
