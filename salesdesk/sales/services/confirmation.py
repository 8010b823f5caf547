"""Booking a confirmation: the gapless number, frozen totals, the contract drawn and the credit figures.

Shared by `order_confirm` (when every check passes) and the credit release of a held order.
"""

from decimal import Decimal

from django.utils import timezone

from salesdesk.catalog import pricing
from salesdesk.core import arithmetic, workflow
from salesdesk.core.money import round_money
from salesdesk.customers import services as customer_services
from salesdesk.sales import prices, reads
from salesdesk.sales.errors import ContractExhausted
from salesdesk.sales.models import ContractItem, SalesOrder
from salesdesk.sales.services import common
from salesdesk.sales.services import lines as line_service

Status = SalesOrder.Status


def locked(order: SalesOrder) -> SalesOrder:
    return reads.locked_order(order)


def consume_contract(order: SalesOrder, sign: int, lines=None) -> None:
    """Record (sign=1) or give back (sign=-1) what the order's contract lines draw from the contract
    (`lines`: the order's lines, when the caller has them already)."""
    if lines is None:
        lines = order.lines.filter(contract_item__isnull=False).select_related("contract_item__contract")
    for line in lines:
        if line.contract_item_id is None:
            continue
        limit = {}
        if sign > 0 and not line.contract_item.contract.allow_over_commitment:
            limit = {"room": {"consumed_quantity": "quantity"}}
        change = {"consumed_quantity": sign * line.quantity}
        if not arithmetic.bump(ContractItem, where={"id": line.contract_item_id}, add=change, places=arithmetic.QUANTITY_PLACES, **limit):
            raise ContractExhausted(product=line.product_id, contract=line.contract_item.contract.number)


def in_base(order: SalesOrder, amount: Decimal) -> Decimal:
    """Credit figures are kept in the company's currency, at the rate of the order date."""
    base = order.company.base_currency
    if order.currency.code == base:
        return amount
    converted = pricing.convert(
        amount,
        from_currency=order.currency.code,
        to_currency=base,
        base_currency=base,
        on=order.date,
        rate=prices.rate_lookup(order.company),
    )
    return round_money(converted, 2)


def book_confirmation(order: SalesOrder, *, actor, note: str = "", lines=None) -> None:
    """Number the order, freeze its totals, draw on its contract and add it to the customer's open orders.

    `lines`: the order's lines with product and tax, when the caller has just read them."""
    if lines is None:
        lines = list(order.lines.select_related("product", "tax").order_by("sequence", "id"))
    on = order.date
    order.year = on.year
    order.sequence, order.number = common.take_number(company=order.company, series=order.series, on=on)
    common.freeze_totals(order, line_service.apply_totals(lines, order.currency.decimal_places))
    order.confirmed_at = timezone.now()
    order.open_amount = in_base(order, order.total_amount)
    consume_contract(order, +1, lines)
    customer_services.account_add(customer_id=order.customer_id, company_id=order.company_id, open_orders=order.open_amount)
    frozen = ("year", "sequence", "number", "confirmed_at", "untaxed_amount", "tax_amount", "total_amount", "open_amount")
    # Imported here: the goods module reads settings and stock, and the credit release uses this too.
    from salesdesk.sales.services.goods import default_warehouse, reserve_order, settings_for

    settings = settings_for(order.company)
    if order.warehouse_id is None:
        # The goods go from the default warehouse unless the order names one: saved with the confirmation.
        order.warehouse = default_warehouse(order.company, settings)
        if order.warehouse_id is not None:
            frozen += ("warehouse",)
    workflow.transition(order, to=Status.CONFIRMED, actor=actor, note=note, extra_fields=frozen)
    reserve_order(order, actor=actor, lines=lines, settings=settings)
