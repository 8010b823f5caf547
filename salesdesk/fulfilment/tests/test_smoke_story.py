from decimal import Decimal as D

from salesdesk.billing import services as billing
from salesdesk.fulfilment import services as fulfilment
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.inventory.models import StockLevel
from salesdesk.ledger.models import Account, AccountBalance


def balance(company, role):
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0")


def test_story(company, goods, chair):
    admin, membership = goods["admin"], goods["membership"]
    goods["receive"]("3", "60")
    order = goods["order"]("5")
    level = StockLevel.objects.get(product=chair)
    assert (level.on_hand, level.reserved, level.available) == (D("3"), D("3"), D("0"))
    d1 = fulfilment.delivery_create(
        order=order, actor=admin, membership=membership, lines=[{"order_line": order.lines.first().pk, "quantity": D("3")}]
    )
    fulfilment.delivery_pick(delivery=d1, actor=admin)
    fulfilment.delivery_ship(delivery=d1, actor=admin)
    order.refresh_from_db()
    assert order.delivery_state == "partial"
    assert balance(company, Account.Role.COST_OF_GOODS_SOLD) == D("180.00")
    goods["receive"]("4", "66")
    level.refresh_from_db()
    assert (level.on_hand, level.reserved, level.available, level.value) == (D("4"), D("2"), D("2"), D("264.00"))
    d2 = fulfilment.delivery_create(order=order, actor=admin, membership=membership)
    fulfilment.delivery_ship(delivery=d2, actor=admin)
    order.refresh_from_db()
    assert order.delivery_state == "delivered"
    inv = billing.invoice_from_order(order=order, actor=admin, membership=membership, delivery=d1)
    inv = billing.invoice_post(invoice=inv, actor=admin)
    assert inv.total_amount == D("363.00")
    d2, notes = billing.delivery_refuse(delivery=d2, actor=admin, reason="damaged box")
    assert notes == []
    order.refresh_from_db()
    assert order.delivery_state == "partial"
    level.refresh_from_db()
    assert (level.on_hand, level.reserved, level.available, level.value) == (D("4"), D("2"), D("2"), D("264.00"))
    d1.refresh_from_db()
    fulfilment.delivery_deliver(delivery=d1, actor=admin)
    ret = fulfilment.return_create(
        company=company,
        actor=admin,
        membership=membership,
        customer=goods["customer"],
        delivery=d1,
        lines=[{"product": chair, "quantity": D("1"), "reason": "scratched"}],
    )
    fulfilment.return_approve(request=ret, actor=admin, membership=membership)
    fulfilment.return_receive(request=ret, actor=admin, lines=[{"id": ret.lines.first().pk, "outcome": "restock"}])
    ret, notes = billing.return_credit(request=ret, actor=admin)
    assert [n.total_amount for n in notes] == [D("121.00")]
    inv.refresh_from_db()
    dispute = billing.dispute_open(invoice=inv, actor=admin, reason="price", amount=D("100.00"))
    billing.dispute_resolve(dispute=dispute, actor=admin, outcome="write_off")
    inv.refresh_from_db()
    assert inv.amount_due == D("142.00") and not inv.disputed
    assert stock_selectors.level_mismatches(company) == []
    assert balance(company, Account.Role.INVENTORY) == sum((lv.value for lv in StockLevel.objects.filter(company=company)), D("0"))
