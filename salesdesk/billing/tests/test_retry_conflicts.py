"""A payment whose transaction the database ends as a deadlock victim is run again, on the API
and on the web page: recorded once, with the next number, and nothing of the lost try kept.
When the conflict persists the user gets 409 `concurrent_change`, never a 500, and nothing is saved.

The deadlock is played the way PostgreSQL ends the loser: the real service runs, then its
transaction fails and everything it did is rolled back. (Deadlocks between real services are
covered by the PostgreSQL concurrency tests.)"""

from decimal import Decimal

import pytest
from django.db import OperationalError, transaction
from django.urls import reverse

from salesdesk.billing import services
from salesdesk.billing.models import Invoice, Payment, PaymentAllocation
from salesdesk.core import retry

D = Decimal
pytestmark = pytest.mark.django_db


class _DeadlockDetected(Exception):
    sqlstate = "40P01"  # what the PostgreSQL driver's error carries


@pytest.fixture
def invoice(users, member, confirmed_order, buyer):
    accountant = users["accountant"]
    draft = services.invoice_from_order(order=confirmed_order(buyer, "10", "10.00"), actor=accountant, membership=member("accountant"))
    return services.invoice_post(invoice=draft, actor=accountant)  # 121.00


@pytest.fixture
def deadlocks(monkeypatch):
    """`deadlocks(n)`: the next n payments are deadlock victims after doing all their work."""
    real, tries = services.payment_create, []

    def install(failures):
        def payment_create(**kwargs):
            tries.append(1)
            if len(tries) > failures:
                return real(**kwargs)
            with transaction.atomic():
                real(**kwargs)
                raise OperationalError("deadlock detected") from _DeadlockDetected()

        monkeypatch.setattr(services, "payment_create", payment_create)
        monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)
        return tries

    return install


def _api_payment(api_as, buyer, invoice, **headers):
    body = {"customer": buyer.pk, "amount": "121.00", "allocations": [{"invoice": invoice.pk, "amount": "121.00"}]}
    return api_as("accountant").post("/api/v1/payments/", body, format="json", **headers)


@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "pay-1"}])
def test_an_api_payment_that_lost_a_deadlock_is_run_again_and_recorded_once(api_as, buyer, invoice, deadlocks, headers):
    tries = deadlocks(2)
    response = _api_payment(api_as, buyer, invoice, **headers)
    assert response.status_code == 201, response.content
    assert len(tries) == 3
    payment = Payment.objects.get()
    assert payment.number == response.json()["number"] and payment.number.endswith("00001")  # the lost tries' numbers came back
    assert PaymentAllocation.objects.get().amount == D("121.00")
    assert Invoice.objects.get(pk=invoice.pk).amount_due == D("0.00")


def test_a_conflict_that_persists_is_a_409_and_nothing_is_saved(api_as, buyer, invoice, deadlocks):
    tries = deadlocks(10)
    response = _api_payment(api_as, buyer, invoice)
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_change"
    assert len(tries) == retry.ATTEMPTS
    assert not Payment.objects.exists() and Invoice.objects.get(pk=invoice.pk).amount_due == D("121.00")


def test_a_payment_on_the_web_page_that_lost_a_deadlock_is_run_again(web_as, buyer, invoice, deadlocks):
    deadlocks(1)
    data = {"customer": buyer.pk, "amount": "121.00", "method": "bank_transfer", f"alloc-{invoice.pk}": "121.00"}
    response = web_as("accountant").post(reverse("billing:payment-create"), data)
    assert response.status_code == 302
    assert Payment.objects.count() == 1 and Invoice.objects.get(pk=invoice.pk).status == "paid"


def test_on_the_web_a_persisting_conflict_goes_back_to_the_form_with_a_message(web_as, buyer, invoice, deadlocks):
    deadlocks(10)
    client = web_as("accountant")
    form = reverse("billing:payment-create")
    data = {"customer": buyer.pk, "amount": "121.00", "method": "bank_transfer", f"alloc-{invoice.pk}": "121.00"}
    response = client.post(form, data, HTTP_REFERER=f"http://testserver{form}")
    assert response.status_code == 302 and response["Location"].endswith(form)
    assert "Nothing was saved: please try again." in client.get(form).content.decode()
    assert not Payment.objects.exists()


def test_other_database_errors_and_reads_are_not_retried():
    assert not retry.retryable(OperationalError("disk I/O error"))
    assert retry.retryable(OperationalError("deadlock detected").with_traceback(None)) is False
    wrapped = OperationalError("could not serialize access")
    wrapped.__cause__ = type("SerializationFailure", (Exception,), {"sqlstate": "40001"})()
    assert retry.retryable(wrapped)
