"""An amendment and the deliveries of its order: a line on a delivery not yet shipped keeps
what it sells (the delivery ships that), and a line whose delivery was cancelled or refused
can be removed (those keep their own copy of what they were)."""

from decimal import Decimal as D

import pytest

from salesdesk.billing import services as billing
from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import DeliveryLine
from salesdesk.inventory.models import Reservation, StockLevel
from salesdesk.sales import services as sales
from salesdesk.sales.models import SalesOrder, SalesOrderLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(company, unit_pc, vat21):
    return Product.objects.create(company=company, sku="TB", name="Table", unit=unit_pc, list_price=D("300.00"), cost=D("150"), tax=vat21)


def _amend(goods, order, lines):
    order = SalesOrder.objects.get(pk=order.pk)
    return sales.order_amend(order=order, actor=goods["admin"], membership=goods["membership"], lines=lines)


def _two_line_order(company, goods, chair, table):
    made = sales.order_create(
        company=company,
        actor=goods["admin"],
        membership=goods["membership"],
        customer=goods["customer"],
        lines=[{"product": chair, "quantity": D("2")}, {"product": table, "quantity": D("1")}],
    )
    return sales.order_confirm(order=made, actor=goods["admin"], membership=goods["membership"])


@pytest.mark.parametrize("picked", [False, True])
def test_a_line_on_a_delivery_not_yet_shipped_keeps_its_product(goods, chair, table, picked):
    goods["receive"]("5", "60")
    goods["receive"]("5", "150", product=table)
    order = goods["order"]("5")
    delivery = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"])
    if picked:
        delivery = fulfilment.delivery_pick(delivery=delivery, actor=goods["admin"])
    line = order.lines.get()
    with pytest.raises(Invalid) as refused:
        _amend(goods, order, [{"id": line.pk, "product": table, "quantity": D("5"), "unit_price": D("300.00")}])
    assert delivery.number in str(refused.value.details)
    assert SalesOrderLine.objects.get(pk=line.pk).product_id == chair.pk
    assert StockLevel.objects.get(product=table).reserved == 0
    # Shipping then moves what the order counts delivered, and nothing stays reserved.
    fulfilment.delivery_ship(delivery=delivery, actor=goods["admin"])
    assert SalesOrderLine.objects.get(pk=line.pk).delivered_quantity == D("5")
    assert not Reservation.objects.filter(order_line_id=line.pk, reserved__gt=0).exists()


@pytest.mark.parametrize("end", ["cancelled", "refused"])
def test_a_line_whose_delivery_was_cancelled_or_refused_can_be_removed(company, goods, chair, table, end):
    goods["receive"]("5", "60")
    goods["receive"]("5", "150", product=table)
    order = _two_line_order(company, goods, chair, table)
    delivery = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"])
    if end == "cancelled":
        fulfilment.delivery_cancel(delivery=delivery, actor=goods["admin"], reason="wrong address")
    else:
        delivery = fulfilment.delivery_ship(delivery=delivery, actor=goods["admin"])
        billing.delivery_refuse(delivery=delivery, actor=goods["admin"], reason="nobody home")
    chair_line, table_line = order.lines.get(product=chair), order.lines.get(product=table)
    _amend(goods, order, [{"id": chair_line.pk, "product": chair, "quantity": D("2"), "unit_price": chair_line.unit_price}])
    assert list(SalesOrderLine.objects.filter(order=order).values_list("product_id", flat=True)) == [chair.pk]
    # The delivery still shows the table it was for.
    kept = DeliveryLine.objects.get(delivery=delivery, product=table)
    assert (kept.quantity, kept.order_line_id) == (D("1"), None)
    assert not Reservation.objects.filter(order_line_id=table_line.pk).exists()
    assert StockLevel.objects.get(product=table).reserved == 0


def test_a_line_on_a_draft_invoice_keeps_its_price(company, goods, chair):
    goods["customer"].invoice_policy = "on_order"  # billed before anything ships
    goods["customer"].save(update_fields=["invoice_policy"])
    order = goods["order"]("2")
    draft = billing.invoice_from_order(order=order, actor=goods["admin"], membership=goods["membership"])
    line = order.lines.get()
    with pytest.raises(Invalid):
        _amend(goods, order, [{"id": line.pk, "product": chair, "quantity": D("2"), "unit_price": D("90.00")}])
    assert SalesOrderLine.objects.get(pk=line.pk).unit_price == line.unit_price
    billing.invoice_cancel(invoice=draft, actor=goods["admin"])
    _amend(goods, order, [{"id": line.pk, "product": chair, "quantity": D("2"), "unit_price": D("90.00")}])
    assert SalesOrderLine.objects.get(pk=line.pk).unit_price == D("90.00")
