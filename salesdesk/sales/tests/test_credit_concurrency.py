"""Orders confirmed at the same moment for one customer cannot slip under the credit limit together
(PostgreSQL row locks on the customer's account row)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from salesdesk.customers.models import CustomerAccount
from salesdesk.sales import services as sales
from salesdesk.sales.models import SalesOrder

D = Decimal
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def run_together(calls) -> list:
    """Each call in its own thread (its own connection), all released at once; results or exceptions."""
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


@pytest.fixture
def drafts(company, users, product):
    """`drafts(customer, n)`: n draft orders of 121.00 each (10 x 10.00 + 21 % tax)."""
    admin = users["admin"]
    membership = admin.memberships.get(company=company)

    def make(customer, n):
        return [
            sales.order_create(
                company=company,
                actor=admin,
                membership=membership,
                customer=customer,
                lines=[{"product": product, "quantity": D("10"), "unit_price": D("10.00")}],
            )
            for _ in range(n)
        ]

    return make


@pytest.mark.parametrize(("orders", "limit", "fitting"), [(2, "150.00", 1), (5, "250.00", 2), (4, "484.00", 4)])
def test_orders_confirmed_at_the_same_moment_never_pass_the_limit_together(company, users, customer_of, drafts, orders, limit, fitting):
    customer = customer_of("sales", code="CC01", status="active", credit_limit=D(limit))
    admin = users["admin"]
    membership = admin.memberships.get(company=company)
    results = run_together([lambda o=o: sales.order_confirm(order=o, actor=admin, membership=membership) for o in drafts(customer, orders)])
    assert sorted(outcome(r) for r in results) == sorted(["ok"] * fitting + ["credit_limit_exceeded"] * (orders - fitting))
    statuses = sorted(SalesOrder.objects.filter(customer=customer).values_list("status", flat=True))
    assert statuses == sorted(["confirmed"] * fitting + ["credit_hold"] * (orders - fitting))
    assert CustomerAccount.objects.get(customer=customer).open_orders == D("121.00") * fitting
    numbers = sorted(SalesOrder.objects.filter(customer=customer, status="confirmed").values_list("sequence", flat=True))
    assert numbers == list(range(1, fitting + 1))
    assert not SalesOrder.objects.filter(customer=customer, status="credit_hold").exclude(number="").exists()
