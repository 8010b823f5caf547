"""Payments and deposits through the API: exact figures, refusals that save nothing, roles,
record scope, idempotent retries and query-count pins."""

from decimal import Decimal

import pytest

from salesdesk.billing.models import Deposit, DepositApplication, Invoice, Payment, PaymentAllocation
from salesdesk.billing.tests.test_api import ok, post, posted_invoice, refused
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger.models import JournalEntry
from salesdesk.sales import services as sales_services

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"
DEPOSITS = "/api/v1/deposits/"
D = Decimal


@pytest.fixture
def accountant(api_as):
    return api_as("accountant")


@pytest.fixture
def order(buyer, confirmed_order):
    """10 × 10.00 at 21 % VAT: 121.00."""
    return confirmed_order(buyer, quantity="10", price="10.00")


@pytest.fixture
def invoice(accountant, order):
    """The order billed and posted: 121.00 due."""
    return posted_invoice(accountant, order)


def nothing_moved(buyer, invoice_id, due="121.00"):
    """No payment, allocation or entry beyond the invoice's own, and the invoice still owes `due`."""
    assert not Payment.objects.exists()
    assert not PaymentAllocation.objects.exists()
    assert JournalEntry.objects.count() == 1
    assert Invoice.objects.get(pk=invoice_id).amount_due == D(due)
    assert CustomerAccount.objects.get(customer=buyer).receivable == D(due)


def pay(client, customer, amount, allocations=(), **extra):
    return post(client, PAYMENTS, {"customer": customer.pk, "amount": amount, "allocations": list(allocations), **extra})


# --- payments -----------------------------------------------------------------------------


def test_a_payment_is_allocated_now_and_later_and_the_rest_stays_as_credit(accountant, buyer, invoice):
    payment = ok(pay(accountant, buyer, "150.00", [{"invoice": invoice["id"], "amount": "60.00"}], method="cash", reference="R-1"), 201)
    assert payment["number"].startswith("PAY-")
    assert (payment["status"], payment["amount"], payment["allocated_amount"], payment["unallocated_amount"], payment["method"]) == (
        "posted",
        "150.00",
        "60.00",
        "90.00",
        "cash",
    )
    [allocation] = payment["allocations"]
    assert (allocation["invoice"], allocation["invoice_number"], allocation["amount"]) == (invoice["id"], invoice["number"], "60.00")
    assert CustomerAccount.objects.get(customer=buyer).receivable == D("-29.00")  # 121 owed, 150 received

    more = ok(post(accountant, f"{PAYMENTS}{payment['id']}/allocate/", {"allocations": [{"invoice": invoice["id"], "amount": "61.00"}]}))
    assert (more["allocated_amount"], more["unallocated_amount"], len(more["allocations"])) == ("121.00", "29.00", 2)
    settled = ok(accountant.get(f"/api/v1/invoices/{invoice['id']}/"))
    assert (settled["status"], settled["amount_paid"], settled["amount_due"], settled["payment_state"]) == (
        "paid",
        "121.00",
        "0.00",
        "paid",
    )


def test_a_reversed_payment_reopens_the_invoice(accountant, buyer, invoice):
    payment = ok(pay(accountant, buyer, "121.00", [{"invoice": invoice["id"], "amount": "121.00"}]), 201)
    reversed_ = ok(post(accountant, f"{PAYMENTS}{payment['id']}/reverse/", {"reason": "Chargeback from the bank"}))
    assert (reversed_["status"], reversed_["reversal_reason"], reversed_["unallocated_amount"]) == (
        "reversed",
        "Chargeback from the bank",
        "0.00",
    )
    reopened = ok(accountant.get(f"/api/v1/invoices/{invoice['id']}/"))
    assert (reopened["status"], reopened["amount_due"], reopened["payment_state"]) == ("posted", "121.00", "unpaid")
    assert CustomerAccount.objects.get(customer=buyer).receivable == D("121.00")
    refused(post(accountant, f"{PAYMENTS}{payment['id']}/reverse/"), 409, "invalid_transition")
    refused(
        post(accountant, f"{PAYMENTS}{payment['id']}/allocate/", {"allocations": [{"invoice": invoice["id"], "amount": "1.00"}]}),
        409,
        "invalid_transition",
    )


@pytest.mark.parametrize("amount", ["-10.00", "0", "0.001", "abc", None])
def test_a_payment_of_no_money_is_refused_and_nothing_is_saved(accountant, buyer, invoice, amount):
    body = refused(pay(accountant, buyer, amount), 400, "invalid")
    assert "amount" in body["details"]
    nothing_moved(buyer, invoice["id"])


def test_a_payment_allocated_to_another_customers_invoice_is_refused_and_nothing_is_saved(accountant, buyer, invoice, customer_of):
    other = customer_of("sales", "B002", status="active")
    body = refused(pay(accountant, other, "50.00", [{"invoice": invoice["id"], "amount": "50.00"}]), 400, "invalid")
    assert body["details"]["allocations"] == [{"invoice": ["This invoice belongs to another customer."]}]
    nothing_moved(buyer, invoice["id"])
    assert not CustomerAccount.objects.filter(customer=other).exclude(receivable=0).exists()


@pytest.mark.parametrize(
    ("amount", "allocated", "detail"),
    [("100.00", "100.01", "allocated"), ("200.00", "121.01", "amount_due")],
)
def test_over_allocation_is_refused_and_nothing_is_saved(accountant, buyer, invoice, amount, allocated, detail):
    body = refused(pay(accountant, buyer, amount, [{"invoice": invoice["id"], "amount": allocated}]), 409, "over_allocation")
    assert detail in body["details"]
    nothing_moved(buyer, invoice["id"])


def test_allocating_more_than_the_payment_has_left_is_refused_and_changes_nothing(accountant, buyer, invoice):
    payment = ok(pay(accountant, buyer, "50.00"), 201)
    refused(
        post(accountant, f"{PAYMENTS}{payment['id']}/allocate/", {"allocations": [{"invoice": invoice["id"], "amount": "50.01"}]}),
        409,
        "over_allocation",
    )
    refused(post(accountant, f"{PAYMENTS}{payment['id']}/allocate/", {"allocations": []}), 400, "invalid")
    stored = Payment.objects.get(pk=payment["id"])
    assert (stored.allocated_amount, stored.unallocated_amount) == (D("0.00"), D("50.00"))
    assert not PaymentAllocation.objects.exists()
    assert Invoice.objects.get(pk=invoice["id"]).amount_due == D("121.00")


def test_a_retried_payment_with_the_same_idempotency_key_is_recorded_once(accountant, buyer, invoice):
    body = {"customer": buyer.pk, "amount": "40.00", "allocations": [{"invoice": invoice["id"], "amount": "40.00"}]}
    first = post(accountant, PAYMENTS, body, HTTP_IDEMPOTENCY_KEY="pay-7")
    again = post(accountant, PAYMENTS, body, HTTP_IDEMPOTENCY_KEY="pay-7")
    assert (first.status_code, again.status_code, again["Idempotent-Replay"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert Payment.objects.count() == 1 and PaymentAllocation.objects.count() == 1
    assert Invoice.objects.get(pk=invoice["id"]).amount_due == D("81.00")
    assert CustomerAccount.objects.get(customer=buyer).receivable == D("81.00")
    refused(post(accountant, PAYMENTS, {**body, "amount": "41.00"}, HTTP_IDEMPOTENCY_KEY="pay-7"), 409, "idempotency_key_reused")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("username", ["sales", "manager", "warehouse"])
def test_only_accountants_and_administrators_record_payments(api_as, buyer, invoice, username):
    client = api_as(username)
    refused(pay(client, buyer, "10.00", [{"invoice": invoice["id"], "amount": "10.00"}]), 403, "permission_denied")
    nothing_moved(buyer, invoice["id"])
    payment = ok(pay(api_as("admin"), buyer, "10.00"), 201)
    for action, payload in (("allocate", {"allocations": [{"invoice": invoice["id"], "amount": "10.00"}]}), ("reverse", {})):
        refused(post(client, f"{PAYMENTS}{payment['id']}/{action}/", payload), 403, "permission_denied")
    assert Payment.objects.get(pk=payment["id"]).status == "posted"
    assert not PaymentAllocation.objects.exists()


def test_payments_are_never_changed_or_deleted(accountant, buyer):
    payment = ok(pay(accountant, buyer, "10.00"), 201)
    assert accountant.patch(f"{PAYMENTS}{payment['id']}/", {"reference": "x"}, format="json").status_code == 405
    assert accountant.delete(f"{PAYMENTS}{payment['id']}/").status_code == 405
    assert Payment.objects.get(pk=payment["id"]).reference == ""


def test_payments_follow_the_record_scope(api_as, accountant, buyer, customer_of):
    south = customer_of("sales3", "S001", status="active")
    mine, theirs = ok(pay(accountant, buyer, "10.00"), 201), ok(pay(accountant, south, "20.00"), 201)
    sales = api_as("sales")
    assert [row["id"] for row in ok(sales.get(PAYMENTS))["results"]] == [mine["id"]]
    assert ok(sales.get(f"{PAYMENTS}{mine['id']}/"))["amount"] == "10.00"
    refused(sales.get(f"{PAYMENTS}{theirs['id']}/"), 404, "not_found")
    refused(api_as("warehouse").get(PAYMENTS), 403, "permission_denied")
    assert [row["id"] for row in ok(accountant.get(PAYMENTS, {"customer": south.pk}))["results"]] == [theirs["id"]]


@pytest.mark.parametrize("count", [3, 20])
def test_the_payment_list_costs_a_fixed_number_of_queries(accountant, api_as, buyer, invoice, count, django_assert_max_num_queries):
    for _ in range(count):
        ok(pay(accountant, buyer, "2.00", [{"invoice": invoice["id"], "amount": "1.00"}]), 201)
    for username in ("accountant", "sales"):
        client = api_as(username)
        with django_assert_max_num_queries(7, info=username):
            assert len(ok(client.get(PAYMENTS, {"page_size": 50}))["results"]) == count


# --- deposits -----------------------------------------------------------------------------


def test_a_deposit_on_an_order_pays_its_invoice_when_it_posts(accountant, buyer, order):
    deposit = ok(post(accountant, DEPOSITS, {"customer": buyer.pk, "sales_order": order.pk, "amount": "21.00", "method": "card"}), 201)
    assert deposit["number"].startswith("DEP-")
    assert (deposit["status"], deposit["held_amount"], deposit["applied_amount"], deposit["currency"], deposit["applications"]) == (
        "held",
        "21.00",
        "0.00",
        "EUR",
        [],
    )
    assert CustomerAccount.objects.get(customer=buyer).unapplied_deposits == D("21.00")
    invoice = posted_invoice(accountant, order)
    assert (invoice["amount_paid"], invoice["amount_due"]) == ("21.00", "100.00")
    applied = ok(accountant.get(f"{DEPOSITS}{deposit['id']}/"))
    assert (applied["status"], applied["held_amount"], applied["applied_amount"]) == ("applied", "0.00", "21.00")
    assert [(a["invoice"], a["invoice_number"], a["amount"]) for a in applied["applications"]] == [
        (invoice["id"], invoice["number"], "21.00")
    ]
    assert ok(accountant.get(f"/api/v1/sales-orders/{order.pk}/"))["paid_amount"] == "21.00"


def test_a_deposit_is_applied_by_hand_and_the_rest_refunded(accountant, buyer, invoice):
    deposit = ok(post(accountant, DEPOSITS, {"customer": buyer.pk, "amount": "200.00", "date": "2025-03-01"}), 201)
    refused(post(accountant, f"{DEPOSITS}{deposit['id']}/apply/", {"invoice": invoice["id"], "amount": "121.01"}), 409, "over_allocation")
    applied = ok(post(accountant, f"{DEPOSITS}{deposit['id']}/apply/", {"invoice": invoice["id"]}))
    assert (applied["status"], applied["applied_amount"], applied["held_amount"]) == ("held", "121.00", "79.00")
    assert ok(accountant.get(f"/api/v1/invoices/{invoice['id']}/"))["status"] == "paid"
    refused(post(accountant, f"{DEPOSITS}{deposit['id']}/refund/", {"amount": "79.01"}), 409, "over_allocation")
    part = ok(post(accountant, f"{DEPOSITS}{deposit['id']}/refund/", {"amount": "9.00", "reason": "overpaid"}))
    assert (part["status"], part["refunded_amount"], part["held_amount"]) == ("held", "9.00", "70.00")
    rest = ok(post(accountant, f"{DEPOSITS}{deposit['id']}/refund/", {}))
    assert (rest["status"], rest["refunded_amount"], rest["held_amount"]) == ("refunded", "79.00", "0.00")
    assert [(a["invoice"], a["amount"]) for a in rest["applications"]] == [(invoice["id"], "121.00"), (None, "9.00"), (None, "70.00")]
    assert CustomerAccount.objects.get(customer=buyer).unapplied_deposits == D("0.00")
    refused(post(accountant, f"{DEPOSITS}{deposit['id']}/refund/", {}), 409, "invalid_transition")


def test_a_deposit_on_a_cancelled_order_is_refused_and_nothing_is_saved(accountant, users, member, buyer, order):
    sales_services.order_cancel(order=order, actor=users["admin"], reason="customer changed mind")
    refused(post(accountant, DEPOSITS, {"customer": buyer.pk, "sales_order": order.pk, "amount": "10.00"}), 409, "invalid_transition")
    assert not Deposit.objects.exists()
    assert not JournalEntry.objects.exists()
    assert CustomerAccount.objects.get(customer=buyer).unapplied_deposits == D("0.00")


def test_a_deposit_applied_to_another_customers_invoice_is_refused_naming_the_field(accountant, buyer, invoice, customer_of):
    other = customer_of("sales", "B002", status="active")
    deposit = ok(post(accountant, DEPOSITS, {"customer": other.pk, "amount": "10.00"}), 201)
    body = refused(post(accountant, f"{DEPOSITS}{deposit['id']}/apply/", {"invoice": invoice["id"]}), 400, "invalid")
    assert "invoice" in body["details"]
    assert not DepositApplication.objects.exists()
    assert Deposit.objects.get(pk=deposit["id"]).held_amount == D("10.00")
    body = refused(post(accountant, DEPOSITS, {"customer": buyer.pk, "amount": "-5"}), 400, "invalid")
    assert "amount" in body["details"]
    assert Deposit.objects.count() == 1


@pytest.mark.parametrize("username", ["sales", "manager", "warehouse"])
def test_only_accountants_and_administrators_take_deposits(api_as, accountant, buyer, invoice, username):
    client = api_as(username)
    refused(post(client, DEPOSITS, {"customer": buyer.pk, "amount": "10.00"}), 403, "permission_denied")
    assert not Deposit.objects.exists()
    deposit = ok(post(accountant, DEPOSITS, {"customer": buyer.pk, "amount": "10.00"}), 201)
    refused(post(client, f"{DEPOSITS}{deposit['id']}/apply/", {"invoice": invoice["id"]}), 403, "permission_denied")
    refused(post(client, f"{DEPOSITS}{deposit['id']}/refund/"), 403, "permission_denied")
    stored = Deposit.objects.get(pk=deposit["id"])
    assert (stored.status, stored.held_amount) == ("held", D("10.00"))
