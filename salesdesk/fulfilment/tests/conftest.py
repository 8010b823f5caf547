"""A company with a warehouse, a stocked chair, a customer on delivery invoicing, and shortcuts for the goods story."""

from decimal import Decimal as D

import pytest

from salesdesk.catalog.models import Product
from salesdesk.fulfilment import services as fulfilment
from salesdesk.inventory.models import Warehouse
from salesdesk.sales import services as sales_services


@pytest.fixture
def warehouse(company):
    return Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")


@pytest.fixture
def chair(company, unit_pc, vat21):
    return Product.objects.create(company=company, sku="CH", name="Chair", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=vat21)


@pytest.fixture
def goods(company, users, warehouse, chair, customer_of):
    admin = users["admin"]
    membership = admin.memberships.get(company=company)
    customer = customer_of("sales", "GOODS", status="active", invoice_policy="on_delivery", shipping_address="1 Dock Road")

    def receive(quantity, cost=None, product=None):
        line = {"product": product or chair, "quantity": D(quantity)}
        if cost is not None:
            line["unit_cost"] = D(cost)
        return fulfilment.stock_adjust(company=company, actor=admin, warehouse=warehouse, reason="supplier", lines=[line], kind="receipt")

    def order(quantity, product=None):
        made = sales_services.order_create(
            company=company,
            actor=admin,
            membership=membership,
            customer=customer,
            lines=[{"product": product or chair, "quantity": D(quantity)}],
        )
        return sales_services.order_confirm(order=made, actor=admin, membership=membership)

    return {"admin": admin, "membership": membership, "customer": customer, "receive": receive, "order": order}
