"""Billing fixtures: a confirmed order to invoice, and the members who work on it."""

from decimal import Decimal

import pytest

from salesdesk.billing import services
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


@pytest.fixture
def acc(users):
    return users["accountant"]


@pytest.fixture
def manual(company, acc, member, product):
    """`manual(customer, "121.00", issue_date=...)`: a posted manual invoice of one line at that price, untaxed
    unless `tax` is given (a draft with `post=False`)."""

    def make(customer, price, *, quantity="1", issue_date=None, payment_term=None, currency=None, tax=None, post=True):
        invoice = services.invoice_create(
            company=company,
            actor=acc,
            membership=member("accountant"),
            customer=customer,
            lines=[{"product": product, "quantity": Decimal(quantity), "unit_price": Decimal(price), "tax": tax}],
            issue_date=issue_date,
            currency=currency,
            payment_term=payment_term,
        )
        return services.invoice_post(invoice=invoice, actor=acc) if post else invoice

    return make
