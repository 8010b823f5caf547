"""What billing tells an order: quantities and amounts invoiced, and money received against it.

Billing (an upper app) calls these in its posting transaction; the order's invoicing and
payment states are derived here from the maintained figures, never set by hand.
"""

from decimal import Decimal

from salesdesk.core import arithmetic
from salesdesk.core.money import ZERO
from salesdesk.customers import services as customer_services
from salesdesk.sales import progress, reads
from salesdesk.sales.errors import OverInvoicing
from salesdesk.sales.models import SalesOrder, SalesOrderLine
from salesdesk.sales.services.confirmation import in_base
from salesdesk.sales.services.goods import close_if_done

Status = SalesOrder.Status


def billable_quantities(order: SalesOrder, *, on_delivery: bool, lines=None) -> dict[int, Decimal]:
    """Per order line, what is left to bill: ordered (policy on order) or shipped (on delivery), less what was billed.

    `lines`: the order's lines, when the caller has just read them."""
    result = {}
    for line in order.lines.all() if lines is None else lines:
        basis = line.delivered_quantity if on_delivery else line.quantity
        left = basis - line.invoiced_quantity
        if left > 0:
            result[line.pk] = left
    return result


def money_states(order: SalesOrder, lines=None) -> None:
    """Invoice and payment states from the lines' (quantity, invoiced) pairs (read here unless given)."""
    if lines is None:
        lines = [(quantity, billed) for _, quantity, _, billed in reads.line_progress(order)]
    order.invoice_state = progress.invoice_state(lines)
    # Once everything is billed, what is owed is what was billed (credit notes lower it);
    # nothing owed on a fully billed order (free goods, all credited) is nothing left to pay.
    owed = order.invoiced_amount if order.invoice_state == "invoiced" else order.total_amount
    if order.invoice_state == "invoiced" and owed <= 0:
        order.payment_state = "paid"
    else:
        order.payment_state = progress.payment_state(owed, order.paid_amount)


def order_record_invoice(*, order: SalesOrder, quantities: dict[int, Decimal], amount: Decimal) -> SalesOrder:
    """An invoice for this order was posted: bill `quantities` per order line and `amount` (order currency).

    A line is never billed beyond its ordered quantity: the update is conditional and a
    refusal (409 `over_invoicing`) undoes the whole posting."""
    order = reads.locked_order_figures(order)
    if order.status not in (Status.CONFIRMED, Status.CLOSED):
        raise OverInvoicing(reason="the order is not confirmed", order=order.pk)
    # The order is locked, so its lines' progress read here is current: every line is checked
    # before anything is written, then the lines move in one call (the conditions back it up).
    lines = {pk: [quantity, billed] for pk, quantity, _, billed in reads.line_progress(order)}
    for line_id in sorted(quantities):
        line = lines.get(line_id)
        if line is None or line[1] + quantities[line_id] > line[0]:
            raise OverInvoicing(order_line=line_id, quantity=str(quantities[line_id]))
        line[1] += quantities[line_id]
    changes = [{"where": {"id": pk, "order": order.pk}, "add": {"invoiced_quantity": q}} for pk, q in sorted(quantities.items())]
    if arithmetic.bump_each(SalesOrderLine, changes, places=arithmetic.QUANTITY_PLACES, room={"invoiced_quantity": "quantity"}) != len(
        changes
    ):
        raise OverInvoicing(order_lines=sorted(quantities))
    order.invoiced_amount += amount
    money_states(order, [(quantity, billed) for quantity, billed in lines.values()])
    # The customer's open orders drop by what is now billed; the last invoice takes the rest.
    reduction = order.open_amount if order.invoice_state == "invoiced" else min(order.open_amount, in_base(order, amount))
    if reduction:
        customer_services.account_add(customer_id=order.customer_id, company_id=order.company_id, open_orders=-reduction)
    order.open_amount -= reduction
    close_if_done(order, changed=("invoiced_amount", "open_amount", "invoice_state", "payment_state"))
    return order


def order_record_credit(*, order: SalesOrder, amount: Decimal, quantities: dict[int, Decimal] | None = None) -> SalesOrder:
    """A credit note on this order's invoice was posted: the order owes `amount` less (order currency).

    When the credit note is for goods the customer refused (`quantities` per order line), those
    quantities are no longer billed: the goods are owed again, and billed again when they ship."""
    order = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("company", "currency")
        .get(pk=order.pk, company_id=order.company_id)
    )
    for line_id in sorted(quantities or {}):
        quantity = quantities[line_id]
        updated = arithmetic.bump(
            SalesOrderLine,
            where={"id": line_id, "order": order.pk},
            add={"invoiced_quantity": -quantity},
            places=arithmetic.QUANTITY_PLACES,
            at_least={"invoiced_quantity": quantity},
        )
        if not updated:
            raise OverInvoicing(order_line=line_id, quantity=str(-quantity))
    order.invoiced_amount = max(order.invoiced_amount - amount, ZERO)
    money_states(order)
    if quantities:
        # The refused goods are owed again: their value is back on the customer's open orders until billed again.
        back = in_base(order, amount)
        customer_services.account_add(customer_id=order.customer_id, company_id=order.company_id, open_orders=back)
        order.open_amount += back
    close_if_done(order, changed=("invoiced_amount", "open_amount", "invoice_state", "payment_state"))
    return order


def order_record_payment(*, order: SalesOrder, amount: Decimal) -> SalesOrder:
    """Money was settled on (or, negative, taken back from) this order's invoices (order currency)."""
    order = reads.locked_order_figures(order)
    order.paid_amount += amount
    money_states(order)
    close_if_done(order, changed=("paid_amount", "invoice_state", "payment_state"))
    return order
