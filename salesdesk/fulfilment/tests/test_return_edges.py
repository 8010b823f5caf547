"""Returns against the documents they name: the invoice must bill the order named, and a
delivery whose order's goods a return asks back cannot then be refused at the door."""

from decimal import Decimal as D

import pytest

from salesdesk.billing import services as billing
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery, ReturnRequest

pytestmark = pytest.mark.django_db


def _ship(goods, order):
    admin, member = goods["admin"], goods["membership"]
    return fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=member), actor=admin)


def _shipped_and_invoiced(goods, quantity="3"):
    goods["receive"](quantity, "60")
    order = goods["order"](quantity)
    delivery = _ship(goods, order)
    draft = billing.invoice_from_order(order=order, actor=goods["admin"], membership=goods["membership"], delivery=delivery)
    return order, delivery, billing.invoice_post(invoice=draft, actor=goods["admin"])


def test_a_return_naming_an_invoice_of_another_order_is_refused(company, goods, chair):
    _order_a, delivery_a, _invoice_a = _shipped_and_invoiced(goods)
    _order_b, _delivery_b, invoice_b = _shipped_and_invoiced(goods)
    with pytest.raises(Invalid) as refused:
        fulfilment.return_create(
            company=company,
            actor=goods["admin"],
            membership=goods["membership"],
            customer=goods["customer"],
            lines=[{"product": chair, "quantity": D("1")}],
            delivery=delivery_a,
            invoice=invoice_b,
        )
    assert "invoice" in refused.value.details
    assert not ReturnRequest.objects.exists()


def test_a_delivery_whose_orders_goods_are_asked_back_cannot_be_refused(company, goods, chair):
    goods["receive"]("6", "60")
    order_a, order_b = goods["order"]("3"), goods["order"]("3")
    delivery_a = _ship(goods, order_a)
    _ship(goods, order_b)
    fulfilment.return_create(
        company=company,
        actor=goods["admin"],
        membership=goods["membership"],
        customer=goods["customer"],
        sales_order=order_a,
        lines=[{"product": chair, "quantity": D("3"), "reason": "wrong model"}],
    )
    with pytest.raises(InvalidTransition):
        billing.delivery_refuse(delivery=delivery_a, actor=goods["admin"], reason="door closed")
    assert Delivery.objects.get(pk=delivery_a.pk).status == Delivery.Status.SHIPPED
    assert fulfilment.returnable(customer=goods["customer"], product_id=chair.pk, sales_order=order_a) == D("0")


def _receive_all(goods, request, outcome="restock"):
    admin, member = goods["admin"], goods["membership"]
    fulfilment.return_approve(request=request, actor=admin, membership=member)
    lines = [{"id": line.pk, "outcome": outcome} for line in request.lines.order_by("id")]
    return fulfilment.return_receive(request=request, actor=admin, lines=lines)


def test_two_return_lines_of_one_product_are_credited_across_the_invoices(company, goods, chair):
    admin, member = goods["admin"], goods["membership"]
    goods["receive"]("3", "60")
    order = goods["order"]("3")
    line = order.lines.get()
    for quantity in ("2", "1"):  # two deliveries, each invoiced
        delivery = fulfilment.delivery_create(
            order=order, actor=admin, membership=member, lines=[{"order_line": line.pk, "quantity": D(quantity)}]
        )
        delivery = fulfilment.delivery_ship(delivery=delivery, actor=admin)
        billing.invoice_post(
            invoice=billing.invoice_from_order(order=order, actor=admin, membership=member, delivery=delivery), actor=admin
        )
    request = fulfilment.return_create(
        company=company,
        actor=admin,
        membership=member,
        customer=goods["customer"],
        sales_order=order,
        lines=[{"product": chair, "quantity": D("1"), "reason": "scratched"}, {"product": chair, "quantity": D("1"), "reason": "broken"}],
    )
    request, notes = billing.return_credit(request=_receive_all(goods, request), actor=admin)
    assert request.status == "credited"
    assert sum(line.quantity for note in notes for line in note.lines.all()) == D("2")
    assert sorted(request.lines.values_list("credited_quantity", flat=True)) == [D("1"), D("1")]


def test_several_lines_of_one_product_come_back_at_exactly_what_they_left_at(company, goods, chair):
    admin, member = goods["admin"], goods["membership"]
    goods["receive"]("3", "33.3367")  # 3 chairs worth 100.01
    order = goods["order"]("3")
    delivery = _ship(goods, order)
    assert delivery.cost_amount == D("100.01")
    request = fulfilment.return_create(
        company=company,
        actor=admin,
        membership=member,
        customer=goods["customer"],
        delivery=delivery,
        lines=[{"product": chair, "quantity": D("1"), "reason": reason} for reason in ("scratched", "wrong colour", "broken leg")],
    )
    request = _receive_all(goods, request)
    assert sum(request.lines.values_list("cost", flat=True)) == D("100.01")
