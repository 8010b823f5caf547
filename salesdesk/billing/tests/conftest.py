"""Billing fixtures: a confirmed order to invoice, and the members who work on it."""

from decimal import Decimal

import pytest

from salesdesk.sales import services as sales_services


@pytest.fixture
def member(company, users):
    """`member("accountant")` is that user's membership in ACME."""
    return lambda username: users[username].memberships.get(company=company)


@pytest.fixture
def buyer(customer_of):
    return customer_of("sales", code="B001", email="buyer@example.com", status="active")


@pytest.fixture
def confirmed_order(company, users, member, product):
    """`confirmed_order(customer, quantity="10", price="10.00")`: an order confirmed by the administrator."""

    def make(customer, quantity="10", price="10.00", lines=None):
        admin = users["admin"]
        order = sales_services.order_create(
            company=company,
            actor=admin,
            membership=member("admin"),
            customer=customer,
            lines=lines or [{"product": product, "quantity": Decimal(quantity), "unit_price": Decimal(price)}],
        )
        return sales_services.order_confirm(order=order, actor=admin, membership=member("admin"))

    return make
