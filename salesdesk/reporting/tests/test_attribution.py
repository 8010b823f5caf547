"""Who a sale counts for: a delivery and a return count for the order's salesperson, as the order
and its invoice do, even after the customer moved to another seller; a price override counts in
the company's month it was approved in."""

from datetime import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from salesdesk.billing import services as billing
from salesdesk.catalog.models import Product
from salesdesk.customers import services as customer_services
from salesdesk.fulfilment import services as fulfilment
from salesdesk.reporting import analysis, dashboards, work
from salesdesk.reporting import services as reporting
from salesdesk.reporting.analysis import Question
from salesdesk.sales import services as sales_services
from salesdesk.sales.errors import PriceApprovalRequired
from salesdesk.sales.models import PriceApproval

pytestmark = pytest.mark.django_db


@pytest.fixture
def goods(company, users, unit_pc, vat21, customer_of):
    """A stocked chair, a customer of `sales` (North) invoiced on delivery, and a confirmed order for 4."""
    from salesdesk.inventory.models import Warehouse

    admin = users["admin"]
    member = admin.memberships.get(company=company)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    chair = Product.objects.create(company=company, sku="CH", name="Chair", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=vat21)
    line = {"product": chair, "quantity": D("10"), "unit_cost": D("60")}
    fulfilment.stock_adjust(company=company, actor=admin, warehouse=warehouse, reason="supplier", lines=[line], kind="receipt")
    customer = customer_of("sales", "GOODS", status="active", invoice_policy="on_delivery")
    made = sales_services.order_create(
        company=company, actor=admin, membership=member, customer=customer, lines=[{"product": chair, "quantity": D("4")}]
    )
    return {"customer": customer, "order": sales_services.order_confirm(order=made, actor=admin, membership=member)}


def test_a_delivery_counts_for_the_orders_salesperson_after_the_customer_moves(company, goods, people, users):
    admin, admin_member = people["admin"]
    accountant, accountant_member = people["accountant"]
    order = goods["order"]  # the customer belongs to `sales`, of the North team
    customer_services.customer_update(
        customer=goods["customer"], actor=admin, membership=admin_member, values={"salesperson": users["sales3"]}
    )
    delivery = fulfilment.delivery_ship(delivery=fulfilment.delivery_create(order=order, actor=admin, membership=admin_member), actor=admin)
    billing.invoice_post(
        invoice=billing.invoice_from_order(order=order, actor=accountant, membership=accountant_member, delivery=delivery), actor=accountant
    )
    reporting.refresh(company=company)
    north_manager = users["manager"].memberships.get(company=company)
    for basis in ("ordered", "delivered", "invoiced"):
        answer = analysis.answer(company, north_manager, Question(rows=["salesperson"], basis=basis))
        assert answer.total.revenue == D("400.00"), basis


def test_a_price_override_approved_just_after_midnight_counts_in_that_month(company, users, customer_of, unit_pc, vat21):
    desk = Product.objects.create(
        company=company,
        sku="DSK",
        name="Desk",
        kind="service",
        unit=unit_pc,
        list_price=D("10.00"),
        cost=D("6.00"),
        tax=vat21,
        floor_price=D("9.00"),
    )
    seller = users["sales"].memberships.get(company=company)
    order = sales_services.order_create(
        company=company,
        actor=users["sales"],
        membership=seller,
        customer=customer_of("sales", "A", status="active"),
        lines=[{"product": desk, "quantity": D("2"), "unit_price": D("8.00")}],
    )
    with pytest.raises(PriceApprovalRequired) as asked:
        sales_services.order_confirm(order=order, actor=users["sales"], membership=seller)
    approval = PriceApproval.objects.get(pk=asked.value.details["price_approval"])
    manager = users["manager"].memberships.get(company=company)
    sales_services.approval_approve(approval=approval, actor=users["manager"], membership=manager)
    here = ZoneInfo(settings.TIME_ZONE)
    for when in (datetime(2026, 11, 1, 0, 30, tzinfo=here), datetime(2026, 1, 1, 0, 30, tzinfo=here)):
        PriceApproval.objects.filter(pk=approval.pk).update(decided_at=when, requested_at=when)
        figures = work.price_overrides_this_month(dashboards.Board(company, manager, when.date()))
        assert figures["lines"] == 1 and figures["given_away"] == D("2.00"), when
