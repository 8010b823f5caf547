"""A delivery refused at the door, one action: the goods come back at exactly the cost they left at,
cost of goods sold is reversed, the order owes the goods again (reserved for it), and whatever was
invoiced for that delivery is credited by a credit note posted in the same transaction."""

from decimal import Decimal as D

import pytest

from salesdesk.billing import services
from salesdesk.billing.models import Invoice, InvoiceLine
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery
from salesdesk.fulfilment.tests import conftest as goods_fixtures
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.inventory.models import Reservation, StockLevel, StockMove
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import Account, AccountBalance, JournalEntry
from salesdesk.sales import services as sales_services
from salesdesk.sales.models import SalesOrder, SalesOrderLine

# The goods fixtures of the fulfilment tests (a warehouse, a chair, `goods` with receive() and order()).
warehouse, chair, goods = goods_fixtures.warehouse, goods_fixtures.chair, goods_fixtures.goods
ROLE = Account.Role


def balance(company, role) -> D:
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0.00")


def snapshot(company) -> dict:
    return {
        "deliveries": sorted(Delivery.objects.filter(company=company).values_list("pk", "status", "refusal_reason")),
        "moves": StockMove.objects.filter(company=company).count(),
        "levels": sorted(StockLevel.objects.filter(company=company).values_list("product_id", "on_hand", "reserved", "value")),
        "claims": sorted(Reservation.objects.filter(company=company).values_list("order_line_id", "wanted", "reserved")),
        "order_lines": sorted(SalesOrderLine.objects.filter(company=company).values_list("pk", "delivered_quantity", "invoiced_quantity")),
        "orders": sorted(SalesOrder.objects.filter(company=company).values_list("pk", "status", "delivery_state", "invoice_state")),
        "entries": JournalEntry.objects.filter(company=company).count(),
        "invoices": sorted(Invoice.objects.filter(company=company).values_list("pk", "status", "amount_due")),
        "counters": sorted(NumberCounter.objects.filter(company=company).values_list("series", "last_value")),
    }


@pytest.fixture
def admin(goods):
    return goods["admin"]


@pytest.fixture
def ship(goods, admin):
    """`ship(order, quantity=None)`: a delivery of the order (everything outstanding by default), shipped."""

    def run(order, quantity=None):
        lines = None if quantity is None else [{"order_line": order.lines.get().pk, "quantity": D(quantity)}]
        delivery = fulfilment.delivery_create(order=order, actor=admin, membership=goods["membership"], lines=lines)
        return fulfilment.delivery_ship(delivery=delivery, actor=admin)

    return run


@pytest.fixture
def bill(goods, admin):
    """`bill(order, delivery=None)`: a posted invoice of the order (of that delivery's goods when given)."""

    def run(order, delivery=None):
        draft = services.invoice_from_order(order=order, actor=admin, membership=goods["membership"], delivery=delivery)
        return services.invoice_post(invoice=draft, actor=admin)

    return run


def claim_of(order) -> list[tuple]:
    return list(Reservation.objects.filter(order_line_id=order.lines.get().pk).values_list("wanted", "reserved"))


def test_refused_goods_come_back_at_exactly_the_cost_they_left_at(company, goods, chair, ship, admin):
    goods["receive"]("3", "60.3333")  # 181.00
    order = goods["order"]("2")
    delivery = ship(order)
    assert delivery.cost_amount == D("120.67")  # 181.00 * 2 / 3
    goods["receive"]("4", "70")  # the average moves on: 60.33 + 280.00 for 5
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("340.33"), D("120.67"))
    delivery, notes = services.delivery_refuse(delivery=delivery, actor=admin, reason="wrong colour")
    assert notes == []
    assert (delivery.status, delivery.refusal_reason) == ("refused", "wrong colour") and delivery.refused_at is not None
    move = StockMove.objects.get(kind="refusal")
    assert (move.quantity, move.value, move.reference, move.reason) == (D("2"), D("120.67"), delivery.number, "wrong colour")
    assert StockLevel.objects.values_list("on_hand", "value").get(product=chair) == (D("7"), D("461.00"))
    # Cost of goods sold is back to nothing and inventory holds every cent again.
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("461.00"), D("0.00"))
    assert JournalEntry.objects.filter(reverses=delivery.journal_entry).count() == 1
    assert stock_selectors.level_mismatches(company) == []
    assert ledger_selectors.maintained_balances(company) == ledger_selectors.balances_from_entries(company)


def test_the_order_owes_the_refused_goods_again_and_they_are_reserved_for_it(company, goods, chair, ship, admin):
    goods["receive"]("3", "60")
    order = goods["order"]("3")
    delivery = ship(order)
    later = goods["order"]("2")  # waits: nothing is free
    assert claim_of(order) == [] and claim_of(later) == [(D("2"), D("0"))]
    order.refresh_from_db()
    assert order.delivery_state == "delivered"
    services.delivery_refuse(delivery=delivery, actor=admin, reason="no one home")
    order.refresh_from_db()
    assert (order.delivery_state, order.lines.get().delivered_quantity) == ("none", D("0"))
    assert claim_of(order) == [(D("3"), D("3"))]  # back to the refusing order first, not to the later one
    assert claim_of(later) == [(D("2"), D("0"))]
    assert StockLevel.objects.values_list("on_hand", "reserved", "available").get(product=chair) == (D("3"), D("3"), D("0"))


def test_refusing_part_of_what_an_order_got_leaves_it_partly_delivered(goods, ship, admin):
    goods["receive"]("5", "60")
    order = goods["order"]("5")
    ship(order, "3")
    second = ship(order, "2")
    services.delivery_refuse(delivery=second, actor=admin, reason="late")
    order.refresh_from_db()
    assert (order.delivery_state, order.lines.get().delivered_quantity) == ("partial", D("3"))
    assert claim_of(order) == [(D("2"), D("2"))]


def test_refusing_an_invoiced_delivery_credits_exactly_its_goods_in_the_same_action(company, goods, ship, bill, admin):
    goods["receive"]("2", "60")
    order = goods["order"]("2")
    delivery = ship(order)
    invoice = bill(order, delivery)
    assert invoice.total_amount == D("242.00")
    assert (balance(company, ROLE.RECEIVABLE), balance(company, ROLE.REVENUE), balance(company, ROLE.TAX_PAYABLE)) == (
        D("242.00"),
        D("-200.00"),
        D("-42.00"),
    )
    delivery, [note] = services.delivery_refuse(delivery=delivery, actor=admin, reason="damaged")
    assert (note.kind, note.status, note.delivery, note.original_invoice) == ("credit_note", "paid", delivery, invoice)
    assert (note.untaxed_amount, note.tax_amount, note.total_amount) == (D("200.00"), D("42.00"), D("242.00"))
    assert list(note.lines.values_list("quantity", "unit_price", "order_line")) == [(D("2"), D("100.0000"), order.lines.get().pk)]
    assert note.number.startswith("CN-")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D("0.00"))
    assert (balance(company, ROLE.RECEIVABLE), balance(company, ROLE.REVENUE), balance(company, ROLE.TAX_PAYABLE)) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("120.00"), D("0.00"))
    order.refresh_from_db()
    assert (order.delivery_state, order.invoice_state, order.lines.get().invoiced_quantity) == ("none", "none", D("0"))
    tb = ledger_selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit


def test_refusing_one_of_two_deliveries_credits_only_what_was_billed_for_it(company, goods, ship, bill, admin):
    goods["receive"]("5", "60")
    order = goods["order"]("5")
    first = ship(order, "3")
    second = ship(order, "2")
    invoice_first = bill(order, first)
    assert invoice_first.total_amount == D("363.00")
    _, notes = services.delivery_refuse(delivery=second, actor=admin, reason="late")
    assert notes == []  # nothing billed for the second delivery: nothing to credit
    invoice_first.refresh_from_db()
    assert invoice_first.amount_due == D("363.00")


def test_refusing_the_invoiced_delivery_credits_its_goods_even_when_another_shipment_is_not_billed_yet(
    company,
    goods,
    ship,
    bill,
    admin,
):
    """The first delivery (3) is invoiced, the second (2) is not. Refusing the first credits its 3
    chairs, and the second delivery can then be billed on its own."""
    goods["receive"]("5", "60")
    order = goods["order"]("5")
    first = ship(order, "3")
    second = ship(order, "2")
    invoice_first = bill(order, first)
    _, [note] = services.delivery_refuse(delivery=first, actor=admin, reason="damaged")
    assert (note.total_amount, list(note.lines.values_list("quantity", flat=True))) == (D("363.00"), [D("3")])
    invoice_first.refresh_from_db()
    assert invoice_first.amount_due == D("0.00")
    invoice_second = bill(order, second)
    assert (invoice_second.delivery, invoice_second.total_amount) == (second, D("242.00"))
    assert balance(company, ROLE.RECEIVABLE) == D("242.00")


def test_a_refusal_whose_credit_fails_undoes_the_goods_side_too(company, goods, ship, bill, admin, monkeypatch):
    goods["receive"]("2", "60")
    order = goods["order"]("2")
    delivery = ship(order)
    bill(order, delivery)
    before = snapshot(company)

    def broken(**kwargs):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr("salesdesk.billing.services.goods.invoice_credit", broken)
    with pytest.raises(RuntimeError):
        services.delivery_refuse(delivery=delivery, actor=admin, reason="damaged")
    assert snapshot(company) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_refusal_needs_a_reason_and_nothing_is_saved_without_one(company, goods, ship, admin, reason):
    goods["receive"]("1", "60")
    delivery = ship(goods["order"]("1"))
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        services.delivery_refuse(delivery=delivery, actor=admin, reason=reason)
    assert "reason" in refused.value.details
    assert snapshot(company) == before


@pytest.mark.parametrize("state", ["draft", "picked", "cancelled", "delivered", "refused"])
def test_only_a_shipped_delivery_can_be_refused_and_a_refused_call_saves_nothing(company, goods, ship, admin, state):
    goods["receive"]("1", "60")
    order = goods["order"]("1")
    if state in ("delivered", "refused"):
        delivery = ship(order)
        if state == "delivered":
            fulfilment.delivery_deliver(delivery=delivery, actor=admin)
        else:
            services.delivery_refuse(delivery=delivery, actor=admin, reason="first time")
    else:
        delivery = fulfilment.delivery_create(order=order, actor=admin, membership=goods["membership"])
        if state == "picked":
            fulfilment.delivery_pick(delivery=delivery, actor=admin)
        elif state == "cancelled":
            fulfilment.delivery_cancel(delivery=delivery, actor=admin)
    before = snapshot(company)
    with pytest.raises(InvalidTransition) as refused:
        services.delivery_refuse(delivery=delivery, actor=admin, reason="changed my mind")
    assert refused.value.code == "invalid_transition" and refused.value.details["from_status"] == state
    assert snapshot(company) == before


def test_under_on_order_invoicing_the_refused_goods_are_credited_and_billed_again_later(company, goods, customer_of, chair, admin):
    upfront = customer_of("sales", "UPF", status="active", invoice_policy="on_order")
    goods["receive"]("5", "60")
    order = sales_services.order_create(
        company=company, actor=admin, membership=goods["membership"], customer=upfront, lines=[{"product": chair, "quantity": D("5")}]
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=goods["membership"])
    invoice = services.invoice_post(
        invoice=services.invoice_from_order(order=order, actor=admin, membership=goods["membership"]), actor=admin
    )
    assert invoice.total_amount == D("605.00")
    line = order.lines.get()
    first = fulfilment.delivery_ship(
        delivery=fulfilment.delivery_create(
            order=order, actor=admin, membership=goods["membership"], lines=[{"order_line": line.pk, "quantity": D("3")}]
        ),
        actor=admin,
    )
    fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=goods["membership"]), actor=admin)
    _, [note] = services.delivery_refuse(delivery=first, actor=admin, reason="damaged")
    assert (note.total_amount, list(note.lines.values_list("quantity", flat=True))) == (D("363.00"), [D("3")])
    invoice.refresh_from_db()
    assert invoice.amount_due == D("242.00")
    order.refresh_from_db()
    line.refresh_from_db()
    assert (line.delivered_quantity, line.invoiced_quantity, order.invoice_state, order.delivery_state) == (
        D("2"),
        D("2"),
        "partial",
        "partial",
    )
    # On order, what was credited is billable again at once.
    again = services.invoice_post(
        invoice=services.invoice_from_order(order=order, actor=admin, membership=goods["membership"]), actor=admin
    )
    assert again.total_amount == D("363.00")
    assert balance(company, ROLE.RECEIVABLE) == D("605.00")


def test_re_delivering_after_a_refusal_bills_again_on_delivery(company, goods, ship, bill, admin):
    goods["receive"]("2", "60")
    order = goods["order"]("2")
    first = ship(order)
    bill(order, first)
    services.delivery_refuse(delivery=first, actor=admin, reason="damaged")
    second = ship(order)
    assert second.cost_amount == D("120.00")
    invoice = bill(order, second)
    assert (invoice.delivery, invoice.total_amount) == (second, D("242.00"))
    order.refresh_from_db()
    assert (order.delivery_state, order.invoice_state) == ("delivered", "invoiced")
    with pytest.raises(Invalid):
        bill(order, first)  # the refused delivery is not billable
    assert (balance(company, ROLE.RECEIVABLE), balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (
        D("242.00"),
        D("0.00"),
        D("120.00"),
    )
    assert InvoiceLine.objects.filter(invoice__kind="credit_note").count() == 1


def test_refusing_the_delivery_of_a_closed_order_reopens_it(company, goods, ship, bill, admin):
    goods["receive"]("1", "60")
    order = goods["order"]("1")
    delivery = ship(order)
    invoice = bill(order, delivery)
    services.payment_create(
        company=company,
        actor=admin,
        customer=goods["customer"],
        amount=D("121.00"),
        allocations=[{"invoice": invoice, "amount": D("121.00")}],
    )
    order.refresh_from_db()
    assert order.status == "closed"
    _, [note] = services.delivery_refuse(delivery=delivery, actor=admin, reason="broken")
    order.refresh_from_db()
    assert (order.status, order.delivery_state) == ("confirmed", "none")
    # The invoice was paid: the credit note stays open as the customer's credit.
    assert (note.total_amount, note.amount_due, note.status) == (D("121.00"), D("121.00"), "posted")
    assert balance(company, ROLE.RECEIVABLE) == D("-121.00")


def test_a_draft_invoice_of_the_refused_delivery_cannot_bill_the_refused_goods(company, goods, ship, admin):
    goods["receive"]("2", "60")
    order = goods["order"]("2")
    delivery = ship(order)
    draft = services.invoice_from_order(order=order, actor=admin, membership=goods["membership"], delivery=delivery)
    services.delivery_refuse(delivery=delivery, actor=admin, reason="damaged")
    draft.refresh_from_db()
    assert draft.status == "cancelled"
    with pytest.raises(InvalidTransition):
        services.invoice_post(invoice=draft, actor=admin)
    assert balance(company, ROLE.RECEIVABLE) == D("0.00")
    order.refresh_from_db()
    assert order.invoice_state == "none"


def test_a_delivery_with_goods_on_a_return_cannot_also_be_refused(company, goods, chair, ship, admin):
    goods["receive"]("3", "60")
    order = goods["order"]("3")
    delivery = ship(order)
    request = fulfilment.return_create(
        company=company,
        actor=admin,
        membership=goods["membership"],
        customer=goods["customer"],
        delivery=delivery,
        lines=[{"product": chair, "quantity": D("1")}],
    )
    fulfilment.return_approve(request=request, actor=admin, membership=goods["membership"])
    fulfilment.return_receive(request=request, actor=admin, lines=[{"id": request.lines.get().pk, "outcome": "restock"}])
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        services.delivery_refuse(delivery=delivery, actor=admin, reason="changed my mind")
    assert snapshot(company) == before
    assert StockLevel.objects.values_list("on_hand", "value").get(product=chair) == (D("1"), D("60.00"))


def test_a_draft_order_invoice_made_before_a_refusal_cannot_bill_the_refused_goods(company, goods, ship, admin):
    from salesdesk.sales.errors import OverInvoicing

    goods["receive"]("2", "60")
    order = goods["order"]("2")
    delivery = ship(order)
    draft = services.invoice_from_order(order=order, actor=admin, membership=goods["membership"])  # no delivery named
    services.delivery_refuse(delivery=delivery, actor=admin, reason="damaged")
    before = snapshot(company)
    with pytest.raises(OverInvoicing):
        services.invoice_post(invoice=draft, actor=admin)
    assert snapshot(company) == before
