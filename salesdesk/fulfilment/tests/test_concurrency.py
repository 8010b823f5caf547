"""Shipments racing for the same stock (PostgreSQL row locks): never more shipped than there is, the
reserved units go to the orders that own them, and the books and levels agree afterwards."""

import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.utils import timezone

from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery, ReturnLine
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.inventory import services as stock
from salesdesk.inventory.models import Reservation, StockAdjustment, StockLevel
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import Account, AccountBalance
from salesdesk.sales.models import SalesOrderLine

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
ROLE = Account.Role


def run_together(calls) -> list:
    """Run each call in its own thread (so on its own connection), all released at the same moment.

    Returns each call's result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:  # reported by the main thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def outcome(result) -> str:
    if not isinstance(result, BaseException):
        return "ok"
    return getattr(result, "code", None) or f"{type(result).__name__}: {result}"


def balance(company, role) -> D:
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0.00")


def books_agree(company) -> None:
    assert stock_selectors.level_mismatches(company) == []
    assert ledger_selectors.maintained_balances(company) == ledger_selectors.balances_from_entries(company)
    tb = ledger_selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit


@pytest.fixture
def ten_orders(goods):
    """Ten orders of one chair each, confirmed with no chair in stock (all backordered), each with a draft delivery."""
    admin, membership = goods["admin"], goods["membership"]
    orders = [goods["order"]("1") for _ in range(10)]
    deliveries = [fulfilment.delivery_create(order=order, actor=admin, membership=membership) for order in orders]
    return orders, deliveries


def ship_all(deliveries, admin) -> list:
    return run_together([lambda d=d: fulfilment.delivery_ship(delivery=d, actor=admin) for d in deliveries])


def test_ten_shipments_racing_for_four_reserved_units_ship_exactly_the_four_owners(company, goods, chair, ten_orders):
    orders, deliveries = ten_orders
    goods["receive"]("4", "60")  # allocation gives them to the four oldest orders
    owners = {order.lines.get().pk for order in orders[:4]}
    assert set(Reservation.objects.filter(reserved=1).values_list("order_line_id", flat=True)) == owners

    results = ship_all(deliveries, goods["admin"])
    assert [outcome(r) for r in results] == ["ok"] * 4 + ["insufficient_stock"] * 6
    assert sorted(Delivery.objects.filter(status="shipped").values_list("sales_order_id", flat=True)) == sorted(o.pk for o in orders[:4])
    assert Delivery.objects.filter(status="draft").count() == 6
    assert StockLevel.objects.values_list("on_hand", "reserved", "available", "value").get(product=chair) == (
        D("0"),
        D("0"),
        D("0"),
        D("0.00"),
    )
    delivered = dict(SalesOrderLine.objects.values_list("order_id", "delivered_quantity"))
    assert [delivered[o.pk] for o in orders] == [D("1")] * 4 + [D("0")] * 6
    assert Reservation.objects.filter(reserved__gt=0).count() == 0 and Reservation.objects.count() == 6
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("0.00"), D("240.00"))
    books_agree(company)


def test_ten_shipments_racing_for_four_free_units_ship_at_most_four(company, goods, chair, ten_orders):
    orders, deliveries = ten_orders
    # The orders no longer wait for stock (their claims were released), so what comes in stays free.
    stock.release(company_id=company.pk, order_line_ids=[order.lines.get().pk for order in orders])
    assert not Reservation.objects.exists()
    goods["receive"]("4", "60")
    assert StockLevel.objects.values_list("on_hand", "reserved", "available").get(product=chair) == (D("4"), D("0"), D("4"))

    results = ship_all(deliveries, goods["admin"])
    assert sorted(outcome(r) for r in results) == ["insufficient_stock"] * 6 + ["ok"] * 4
    assert Delivery.objects.filter(status="shipped").count() == 4
    assert sum(SalesOrderLine.objects.values_list("delivered_quantity", flat=True)) == D("4")
    assert StockLevel.objects.values_list("on_hand", "reserved", "available", "value").get(product=chair) == (
        D("0"),
        D("0"),
        D("0"),
        D("0.00"),
    )
    assert sorted(Delivery.objects.filter(status="shipped").values_list("cost_amount", flat=True)) == [D("60.00")] * 4
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("0.00"), D("240.00"))
    books_agree(company)


def test_two_reserved_and_two_free_units_ship_four_and_the_owners_are_never_robbed(company, goods, chair, ten_orders):
    orders, deliveries = ten_orders
    # Orders 3..10 stop waiting; 4 units arrive: the two oldest take two, two stay free.
    stock.release(company_id=company.pk, order_line_ids=[order.lines.get().pk for order in orders[2:]])
    goods["receive"]("4", "60")
    assert StockLevel.objects.values_list("reserved", "available").get(product=chair) == (D("2"), D("2"))

    results = ship_all(deliveries, goods["admin"])
    outcomes = [outcome(r) for r in results]
    assert outcomes[:2] == ["ok", "ok"]  # the owners of the reserved units always ship
    assert sorted(outcomes[2:]) == ["insufficient_stock"] * 6 + ["ok"] * 2
    assert StockLevel.objects.values_list("on_hand", "reserved", "available", "value").get(product=chair) == (
        D("0"),
        D("0"),
        D("0"),
        D("0.00"),
    )
    books_agree(company)


def test_parallel_receipts_of_a_product_never_stocked_create_one_level_and_gapless_numbers(company, goods, chair):
    assert not StockLevel.objects.exists()
    results = run_together([lambda: goods["receive"]("1", "60") for _ in range(8)])
    assert [outcome(r) for r in results] == ["ok"] * 8
    assert StockLevel.objects.values_list("on_hand", "available", "value").get(product=chair) == (D("8"), D("8"), D("480.00"))
    year = timezone.localdate().year
    assert sorted(StockAdjustment.objects.values_list("number", flat=True)) == [f"REC-{year}-{n:05d}" for n in range(1, 9)]
    assert balance(company, ROLE.INVENTORY) == D("480.00")
    books_agree(company)


def test_parallel_receipts_serve_waiting_orders_oldest_first_without_giving_a_unit_twice(company, goods, chair, ten_orders):
    orders, _ = ten_orders
    results = run_together([lambda: goods["receive"]("1", "60") for _ in range(6)])
    assert [outcome(r) for r in results] == ["ok"] * 6
    reserved = dict(Reservation.objects.values_list("order_line_id", "reserved"))
    assert [reserved[o.lines.get().pk] for o in orders] == [D("1")] * 6 + [D("0")] * 4
    assert StockLevel.objects.values_list("on_hand", "reserved", "available").get(product=chair) == (D("6"), D("6"), D("0"))
    books_agree(company)


def test_one_delivery_shipped_five_times_at_once_ships_once(company, goods, chair):
    goods["receive"]("1", "60")
    order = goods["order"]("1")
    delivery = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"])
    results = ship_all([delivery] * 5, goods["admin"])
    assert sorted(outcome(r) for r in results) == ["invalid_transition"] * 4 + ["ok"]
    assert StockLevel.objects.values_list("on_hand", "value").get(product=chair) == (D("0"), D("0.00"))
    assert SalesOrderLine.objects.get(order=order).delivered_quantity == D("1")
    assert balance(company, ROLE.COST_OF_GOODS_SOLD) == D("60.00")
    books_agree(company)


def test_parallel_return_requests_never_ask_back_more_than_was_delivered(company, goods, chair):
    admin, membership = goods["admin"], goods["membership"]
    goods["receive"]("3", "60")
    order = goods["order"]("3")
    delivery = fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=membership), actor=admin)

    def ask():
        return fulfilment.return_create(
            company=company,
            actor=admin,
            membership=membership,
            customer=goods["customer"],
            delivery=delivery,
            lines=[{"product": chair, "quantity": D("2"), "reason": "late"}],
        )

    results = run_together([ask for _ in range(4)])
    assert sorted(outcome(r) for r in results) == ["ok"] + ["over_return"] * 3
    assert sum(ReturnLine.objects.values_list("quantity", flat=True)) == D("2")


def _someone_waits_for_a_lock(timeout: float = 5) -> bool:
    """Whether another connection is waiting for a row lock (polled until `timeout` seconds)."""
    sql = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("name_the_delivery", [True, False])
def test_a_return_asked_while_its_goods_are_refused_at_the_door_is_refused(company, goods, chair, name_the_delivery):
    """The refusal takes the customer first, as a return does: the return waits for it, then sees
    the goods back in stock and is refused. Before, both went through and receiving the return
    put the same two chairs on the shelf a second time."""
    from salesdesk.billing import services as billing

    admin, membership = goods["admin"], goods["membership"]
    goods["receive"]("2", "60")
    order = goods["order"]("2")
    delivery = fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=membership), actor=admin)
    refused, release = threading.Event(), threading.Event()

    def refuse():
        with transaction.atomic():  # refused, not yet committed, as a slow request would be
            billing.delivery_refuse(delivery=delivery, actor=admin, reason="wrong colour")
            refused.set()
            release.wait(10)

    def ask_back():
        refused.wait(10)
        return fulfilment.return_create(
            company=company,
            actor=admin,
            membership=membership,
            customer=goods["customer"],
            delivery=delivery if name_the_delivery else None,
            lines=[{"product": chair, "quantity": D("2"), "reason": "faulty"}],
        )

    def let_go():
        refused.wait(10)
        _someone_waits_for_a_lock()
        release.set()

    results = run_together([refuse, ask_back, let_go])
    assert not isinstance(results[0], BaseException), results[0]
    assert getattr(results[1], "code", None) in ("over_return", "invalid"), results[1]
    assert not ReturnLine.objects.exists()
    assert StockLevel.objects.get(product=chair).on_hand == D("2")
