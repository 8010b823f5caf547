"""An order through amendments, credit holds and revisions ends where a user expects: the payment
state follows what is still owed, a delivered or billed line keeps what it sold, a refused
change saves nothing, and a superseded quotation revision stays read-only."""

from decimal import Decimal as D

import pytest
from django.core import mail

from salesdesk.billing import services as billing
from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import CustomerAccount
from salesdesk.fulfilment import services as fulfilment
from salesdesk.inventory.models import Reservation, StockLevel, Warehouse
from salesdesk.sales import services as sales
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked, Superseded
from salesdesk.sales.models import Quotation, SalesOrder, SalesOrderLine

pytestmark = pytest.mark.django_db


class Desk:
    """A company with a warehouse, two goods and a service, worked by its administrator."""

    def __init__(self, company, users, customer_of, unit_pc, vat21):
        self.company, self.admin = company, users["admin"]
        self.member = self.admin.memberships.get(company=company)
        self.warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
        make = Product.objects.create
        self.chair = make(company=company, sku="CH", name="Chair", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=vat21)
        self.table = make(company=company, sku="TB", name="Table", unit=unit_pc, list_price=D("200.00"), cost=D("120"), tax=vat21)
        self.fee = make(
            company=company, sku="FEE", name="Setup", unit=unit_pc, list_price=D("50.00"), cost=D("0"), tax=vat21, kind="service"
        )
        self.customer_of = customer_of

    def customer(self, code, policy="on_delivery", **values):
        return self.customer_of("sales", code, status="active", invoice_policy=policy, **values)

    def receive(self, quantity, product=None):
        line = {"product": product or self.chair, "quantity": D(quantity), "unit_cost": D("60")}
        fulfilment.stock_adjust(
            company=self.company, actor=self.admin, warehouse=self.warehouse, reason="supplier", lines=[line], kind="receipt"
        )

    def order(self, customer, lines, confirm=True):
        raw = [{"product": p, "quantity": D(q), **({"unit_price": D(price)} if price else {})} for p, q, price in lines]
        order = sales.order_create(company=self.company, actor=self.admin, membership=self.member, customer=customer, lines=raw)
        return sales.order_confirm(order=order, actor=self.admin, membership=self.member) if confirm else order

    def ship(self, order, lines=None):
        delivery = fulfilment.delivery_create(order=order, actor=self.admin, membership=self.member, lines=lines)
        return fulfilment.delivery_ship(delivery=delivery, actor=self.admin)

    def bill(self, order, delivery=None, lines=None, post=True):
        draft = billing.invoice_from_order(order=order, actor=self.admin, membership=self.member, delivery=delivery, lines=lines)
        return billing.invoice_post(invoice=draft, actor=self.admin) if post else draft

    def pay(self, customer, invoice):
        allocation = {"invoice": invoice, "amount": invoice.amount_due}
        billing.payment_create(
            company=self.company, actor=self.admin, customer=customer, amount=invoice.amount_due, allocations=[allocation]
        )

    def amend(self, order, lines):
        return sales.order_amend(order=SalesOrder.objects.get(pk=order.pk), actor=self.admin, membership=self.member, lines=lines)

    def level(self, product=None):
        return (
            StockLevel.objects.filter(product=product or self.chair, warehouse=self.warehouse)
            .values_list("on_hand", "reserved", "available")
            .get()
        )


def states(order) -> tuple:
    order = SalesOrder.objects.get(pk=order.pk)
    return order.status, order.delivery_state, order.invoice_state, order.payment_state


@pytest.fixture
def desk(company, users, customer_of, unit_pc, vat21):
    return Desk(company, users, customer_of, unit_pc, vat21)


def test_removing_the_last_open_line_of_a_paid_order_closes_it(desk):
    buyer = desk.customer("C1")
    desk.receive("2")
    order = desk.order(buyer, [(desk.chair, "2", None), (desk.table, "1", None)])
    chairs = order.lines.get(product=desk.chair)
    desk.pay(buyer, desk.bill(order, desk.ship(order, [{"order_line": chairs.pk, "quantity": D("2")}])))
    assert states(order) == ("confirmed", "partial", "partial", "partial")
    desk.amend(order, [{"id": chairs.pk, "product": desk.chair, "quantity": D("2"), "unit_price": chairs.unit_price}])
    assert states(order) == ("closed", "delivered", "invoiced", "paid")


def test_a_line_added_to_a_paid_order_leaves_it_partly_paid(desk):
    buyer = desk.customer("C2", policy="on_order")
    order = desk.order(buyer, [(desk.chair, "1", None)])
    desk.pay(buyer, desk.bill(order))
    chair = order.lines.get()
    desk.amend(
        order,
        [
            {"id": chair.pk, "product": desk.chair, "quantity": D("1"), "unit_price": chair.unit_price},
            {"product": desk.table, "quantity": D("1")},
        ],
    )
    assert states(order)[2:] == ("partial", "partial")


def _unchanged(order):
    order = SalesOrder.objects.get(pk=order.pk)
    return order.revision, order.total_amount, list(order.lines.order_by("id").values_list("product_id", "quantity", "unit_price"))


def test_a_delivered_line_keeps_its_product(desk):
    buyer = desk.customer("C3")
    desk.receive("2")
    desk.receive("5", product=desk.table)
    order = desk.order(buyer, [(desk.chair, "2", None)])
    desk.ship(order)
    before, tables = _unchanged(order), desk.level(desk.table)
    with pytest.raises(Invalid) as refused:
        desk.amend(order, [{"id": order.lines.get().pk, "product": desk.table, "quantity": D("2")}])
    assert "cannot change" in str(refused.value.details["lines"][0])
    assert _unchanged(order) == before and desk.level(desk.table) == tables


def test_an_invoiced_line_keeps_its_price_but_may_grow(desk):
    buyer = desk.customer("C4", policy="on_order")
    order = desk.order(buyer, [(desk.chair, "10", "10.00")])
    desk.bill(order)
    line = order.lines.get()
    before = _unchanged(order)
    with pytest.raises(Invalid):
        desk.amend(order, [{"id": line.pk, "product": desk.chair, "quantity": D("10"), "unit_price": D("5.00")}])
    assert _unchanged(order) == before
    desk.amend(order, [{"id": line.pk, "product": desk.chair, "quantity": D("12"), "unit_price": D("10.00")}])
    assert SalesOrderLine.objects.get(pk=line.pk).quantity == D("12")


def test_removing_a_line_on_a_draft_delivery_or_invoice_is_refused_and_saves_nothing(desk):
    buyer = desk.customer("C5", policy="on_order")
    desk.receive("2")
    desk.receive("1", product=desk.table)
    order = desk.order(buyer, [(desk.chair, "2", None), (desk.table, "1", None)])
    delivery = fulfilment.delivery_create(order=order, actor=desk.admin, membership=desk.member)
    chairs = order.lines.get(product=desk.chair)
    before, tables = _unchanged(order), desk.level(desk.table)
    with pytest.raises(Invalid) as refused:
        desk.amend(order, [{"id": chairs.pk, "product": desk.chair, "quantity": D("2")}])
    assert f"is on delivery {delivery.number}: cancel that document first" in str(refused.value.details["lines"][0])
    assert _unchanged(order) == before and desk.level(desk.table) == tables


def test_goods_changed_into_a_service_give_their_stock_back(desk):
    desk.receive("2")
    order = desk.order(desk.customer("C6"), [(desk.chair, "2", None)])
    assert desk.level() == (D("2"), D("2"), D("0"))
    desk.amend(order, [{"id": order.lines.get().pk, "product": desk.fee, "quantity": D("2")}])
    assert desk.level() == (D("2"), D("0"), D("2"))
    assert not Reservation.objects.filter(order_line_id__in=order.lines.values("pk")).exists()
    later = desk.order(desk.customer("C6b"), [(desk.chair, "2", None)])
    assert Reservation.objects.get(order_line_id__in=later.lines.values("pk")).reserved == D("2")


def test_a_free_order_closes_once_delivered_and_invoiced(desk):
    buyer = desk.customer("C7")
    desk.receive("1")
    order = desk.order(buyer, [(desk.chair, "1", "0.00")])
    invoice = desk.bill(order, desk.ship(order))
    assert invoice.total_amount == D("0.00")
    assert states(order) == ("closed", "delivered", "invoiced", "paid")


def test_a_blocked_customers_order_is_not_released_from_credit_hold(desk):
    buyer = desk.customer("C8", credit_limit=D("10"))
    order = desk.order(buyer, [(desk.chair, "1", None)], confirm=False)
    with pytest.raises(CreditLimitExceeded):
        sales.order_confirm(order=order, actor=desk.admin, membership=desk.member)
    assert SalesOrder.objects.get(pk=order.pk).status == SalesOrder.Status.CREDIT_HOLD
    customer_services.customer_set_status(customer=buyer, actor=desk.admin, status="blocked", note="fraud")
    with pytest.raises(CustomerBlocked):
        sales.order_release_credit(order=order, actor=desk.admin, membership=desk.member, reason="known customer")
    held = SalesOrder.objects.get(pk=order.pk)
    assert held.status == SalesOrder.Status.CREDIT_HOLD and held.credit_release_reason == ""


def test_a_superseded_quotation_revision_is_read_only(desk):
    buyer = desk.customer("Q1", email="q@example.com")
    first = sales.quotation_create(
        company=desk.company, actor=desk.admin, membership=desk.member, customer=buyer, lines=[{"product": desk.chair, "quantity": D("1")}]
    )
    sales.quotation_send(quotation=first, actor=desk.admin)
    sales.quotation_revise(quotation=first, actor=desk.admin)
    sent = len(mail.outbox)
    for act in (
        lambda q: sales.quotation_send(quotation=q, actor=desk.admin),
        lambda q: sales.quotation_reject(quotation=q, actor=desk.admin, reason="too dear"),
        lambda q: sales.quotation_cancel(quotation=q, actor=desk.admin),
    ):
        with pytest.raises(Superseded):
            act(Quotation.objects.get(pk=first.pk))
    assert len(mail.outbox) == sent
    assert Quotation.objects.get(pk=first.pk).status == Quotation.Status.SENT


def test_a_paid_delivery_refused_leaves_its_money_as_credit_not_on_the_order(desk):
    buyer = desk.customer("R1")
    desk.receive("1")
    order = desk.order(buyer, [(desk.chair, "1", None)])
    delivery = desk.ship(order)
    desk.pay(buyer, desk.bill(order, delivery))
    assert states(order)[0] == "closed"
    _, [note] = billing.delivery_refuse(delivery=delivery, actor=desk.admin, reason="broken on arrival")
    assert note.amount_due == D("121.00")  # the money paid is the customer's credit now
    assert SalesOrder.objects.get(pk=order.pk).paid_amount == D("0.00")
    again = desk.bill(order, desk.ship(order))
    assert states(order) == ("confirmed", "delivered", "invoiced", "none")
    billing.credit_note_apply(credit_note=note, invoice=again, amount=D("121.00"), actor=desk.admin)
    order = SalesOrder.objects.get(pk=order.pk)
    assert order.paid_amount == D("121.00") and order.status == SalesOrder.Status.CLOSED


def test_refused_goods_go_back_to_the_order_that_refused_them_first(desk):
    older, newer = desk.customer("A"), desk.customer("B")
    desk.receive("5")
    first = desk.order(older, [(desk.chair, "5", None)])
    desk.ship(first)
    second = desk.order(newer, [(desk.chair, "5", None)])
    desk.receive("5")
    refused = desk.ship(second)
    line = first.lines.get()
    desk.amend(first, [{"id": line.pk, "product": desk.chair, "quantity": D("10"), "unit_price": line.unit_price}])  # now waits for 5
    billing.delivery_refuse(delivery=refused, actor=desk.admin, reason="nobody home")
    claims = dict(Reservation.objects.filter(product=desk.chair).values_list("order_line_id", "reserved"))
    assert claims[second.lines.get().pk] == D("5")
    assert claims[line.pk] == D("0")
    assert desk.level() == (D("5"), D("5"), D("0"))


def test_an_order_billed_on_order_and_wholly_credited_can_be_cancelled(desk):
    buyer = desk.customer("X1", policy="on_order")
    desk.receive("2")
    order = desk.order(buyer, [(desk.chair, "2", None)])
    invoice = desk.bill(order)
    billing.invoice_credit(invoice=invoice, actor=desk.admin, reason="customer called the order off")
    assert desk.level() == (D("2"), D("2"), D("0"))
    sales.order_cancel(order=SalesOrder.objects.get(pk=order.pk), actor=desk.admin, reason="called off")
    assert states(order)[0] == "cancelled"
    assert desk.level() == (D("2"), D("0"), D("2"))  # the reserved chairs are free again
    assert CustomerAccount.objects.get(customer=buyer).open_orders == D("0.00")


def test_an_order_still_partly_billed_cannot_be_cancelled(desk):
    buyer = desk.customer("X2", policy="on_order")
    desk.receive("2")
    order = desk.order(buyer, [(desk.chair, "2", None)])
    invoice = desk.bill(order)
    billing.invoice_credit(invoice=invoice, actor=desk.admin, lines=[{"invoice_line": invoice.lines.get().pk, "quantity": D("1")}])
    with pytest.raises(InvalidTransition):
        sales.order_cancel(order=SalesOrder.objects.get(pk=order.pk), actor=desk.admin, reason="called off")
    assert states(order)[0] == "confirmed"
    assert desk.level() == (D("2"), D("2"), D("0"))


@pytest.mark.parametrize("change", ["cancel", "amend"])
def test_an_orders_stock_levels_are_locked_in_product_order_before_any_change(desk, monkeypatch, change):
    """Lines in the reverse of product order: cancelling or amending still locks the levels
    lowest product first, all before the first change, as confirming and shipping do (so two
    such changes at once cannot each hold one level and wait for the other)."""
    from salesdesk.inventory import services as stock

    buyer = desk.customer("L1")
    desk.receive("5", desk.table)
    desk.receive("5", desk.chair)
    order = desk.order(buyer, [(desk.table, "1", None), (desk.chair, "1", None)])
    assert desk.chair.pk < desk.table.pk
    taken = []
    real = stock.locked_levels
    monkeypatch.setattr(stock, "locked_levels", lambda **kw: taken.append(sorted(kw["product_ids"])) or real(**kw))
    order = SalesOrder.objects.get(pk=order.pk)
    if change == "cancel":
        sales.order_cancel(order=order, actor=desk.admin, reason="called off")
    else:
        table, chair = order.lines.order_by("id")
        desk.amend(
            order, [{"id": line.pk, "product": line.product, "quantity": D("2"), "unit_price": line.unit_price} for line in (table, chair)]
        )
    assert taken[0] == [desk.chair.pk, desk.table.pk]


def test_ordering_less_than_was_delivered_says_how_much_was_delivered(desk):
    buyer = desk.customer("Q1")
    desk.receive("10")
    order = desk.order(buyer, [(desk.chair, "10", None)])
    desk.ship(order)
    line = order.lines.get()
    with pytest.raises(Invalid) as refused:
        desk.amend(order, [{"id": line.pk, "product": desk.chair, "quantity": D("5"), "unit_price": line.unit_price}])
    assert refused.value.details["lines"] == ["Line 1 (Chair): cannot order less than was delivered or invoiced (10)."]
