"""Deposits: received ahead of invoicing, applied to the order's invoice (automatically or by hand),
refunded; the customer's unapplied deposits figure exact at every step."""

from decimal import Decimal

import pytest

from salesdesk.billing import services
from salesdesk.billing.errors import OverAllocation
from salesdesk.billing.models import Deposit, DepositApplication
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger.models import AccountBalance, JournalEntry
from salesdesk.sales import services as sales_services

D = Decimal


def account(customer) -> CustomerAccount:
    return CustomerAccount.objects.get(customer=customer)


def unapplied(customer) -> Decimal:
    return account(customer).unapplied_deposits


def deposits_balance(company) -> Decimal:
    """What the company holds for customers (a liability: credit less debit)."""
    row = AccountBalance.objects.filter(company=company, account__role="customer_deposits").first()
    return (row.credit - row.debit) if row else D("0.00")


def figures(deposit) -> tuple:
    deposit.refresh_from_db()
    return deposit.status, deposit.applied_amount, deposit.refunded_amount, deposit.held_amount


def nothing_moved() -> list:
    return [
        sorted(Deposit.objects.values_list("id", "status", "applied_amount", "refunded_amount", "held_amount")),
        DepositApplication.objects.count(),
        JournalEntry.objects.count(),
        sorted(NumberCounter.objects.values_list("series", "last_value")),
        sorted(CustomerAccount.objects.values_list("customer_id", "receivable", "unapplied_deposits")),
    ]


@pytest.fixture
def deposit(company, acc):
    """`deposit(customer, "50.00", order)`: a deposit received."""

    def make(customer, amount, order=None):
        return services.deposit_create(company=company, actor=acc, customer=customer, amount=D(amount), sales_order=order)

    return make


@pytest.fixture
def bill(acc, member):
    def make(order, quantity=None):
        lines = None if quantity is None else [{"order_line": order.lines.get(), "quantity": D(quantity)}]
        invoice = services.invoice_from_order(order=order, actor=acc, membership=member("accountant"), lines=lines)
        return services.invoice_post(invoice=invoice, actor=acc)

    return make


def test_a_deposit_is_held_for_the_customer_until_used(company, buyer, confirmed_order, deposit):
    order = confirmed_order(buyer)
    received = deposit(buyer, "50.00", order)
    assert received.number.startswith("DEP-") and received.number.endswith("-00001")
    assert figures(received) == ("held", D("0.00"), D("0.00"), D("50.00"))
    assert unapplied(buyer) == D("50.00") == deposits_balance(company)
    assert account(buyer).receivable == D("0.00")  # a deposit is not a payment of anything yet


@pytest.mark.parametrize("status", ["cancelled", "closed"])
def test_no_deposit_on_a_cancelled_or_closed_order(status, users, buyer, confirmed_order, deposit):
    order = confirmed_order(buyer)
    if status == "cancelled":
        order = sales_services.order_cancel(order=order, actor=users["admin"], reason="customer changed their mind")
    else:
        order.status = "closed"
        order.save(update_fields=["status"])
    before = nothing_moved()
    with pytest.raises(InvalidTransition) as refused:
        deposit(buyer, "50.00", order)
    assert refused.value.code == "invalid_transition" and refused.value.status == 409
    assert nothing_moved() == before
    assert unapplied(buyer) == D("0.00")


def test_a_deposit_on_another_customers_order_or_with_a_bad_amount_is_a_400(company, acc, customer_of, buyer, confirmed_order, deposit):
    theirs = confirmed_order(customer_of("sales2", code="S002", status="active"))
    before = nothing_moved()
    with pytest.raises(Invalid) as refused:
        deposit(buyer, "10.00", theirs)
    assert "sales_order" in refused.value.details
    for amount in ("0", "-1.00", "1.001", "NaN", "Infinity", None, 2.5):
        with pytest.raises(Invalid) as refused:
            services.deposit_create(company=company, actor=acc, customer=buyer, amount=amount)
        assert "amount" in refused.value.details, amount
    assert nothing_moved() == before


def test_the_orders_deposits_pay_its_invoices_as_they_post_oldest_first(company, buyer, confirmed_order, deposit, bill):
    order = confirmed_order(buyer, quantity="10")
    older = deposit(buyer, "30.00", order)
    newer = deposit(buyer, "40.00", order)
    assert unapplied(buyer) == D("70.00")

    first = bill(order, "4")  # 48.40: 30.00 from the older deposit, 18.40 from the newer
    assert (first.amount_paid, first.amount_due, first.status) == (D("48.40"), D("0.00"), "paid")
    assert figures(older) == ("applied", D("30.00"), D("0.00"), D("0.00"))
    assert figures(newer) == ("held", D("18.40"), D("0.00"), D("21.60"))
    assert unapplied(buyer) == D("21.60") == deposits_balance(company)
    assert account(buyer).receivable == D("0.00")
    order.refresh_from_db()
    assert (order.payment_state, order.paid_amount) == ("partial", D("48.40"))

    second = bill(order)  # 72.60: the newer deposit's last 21.60
    assert (second.amount_paid, second.amount_due, second.status) == (D("21.60"), D("51.00"), "posted")
    assert figures(newer) == ("applied", D("40.00"), D("0.00"), D("0.00"))
    assert unapplied(buyer) == D("0.00") == deposits_balance(company)
    assert account(buyer).receivable == D("51.00")
    assert list(DepositApplication.objects.order_by("id").values_list("deposit_id", "invoice_id", "amount")) == [
        (older.pk, first.pk, D("30.00")),
        (newer.pk, first.pk, D("18.40")),
        (newer.pk, second.pk, D("21.60")),
    ]


def test_a_deposit_larger_than_the_invoice_keeps_the_rest_and_the_rest_can_be_refunded(company, acc, buyer, confirmed_order, deposit, bill):
    order = confirmed_order(buyer, quantity="10")
    received = deposit(buyer, "200.00", order)
    invoice = bill(order)
    assert (invoice.status, invoice.amount_paid) == ("paid", D("121.00"))
    assert figures(received) == ("held", D("121.00"), D("0.00"), D("79.00"))
    assert unapplied(buyer) == D("79.00")
    services.deposit_refund(deposit=received, actor=acc, reason="order was smaller")
    assert figures(received) == ("refunded", D("121.00"), D("79.00"), D("0.00"))
    assert unapplied(buyer) == D("0.00") == deposits_balance(company)
    assert account(buyer).receivable == D("0.00")


def test_deposits_wait_for_a_manual_apply_when_the_company_says_so(company, users, acc, buyer, confirmed_order, deposit, bill):
    services.billing_settings_update(company=company, actor=users["admin"], values={"apply_deposits_automatically": False})
    order = confirmed_order(buyer, quantity="10")
    received = deposit(buyer, "50.00", order)
    invoice = bill(order)
    assert (invoice.amount_paid, invoice.amount_due) == (D("0.00"), D("121.00"))
    assert figures(received) == ("held", D("0.00"), D("0.00"), D("50.00"))
    assert unapplied(buyer) == D("50.00")
    assert account(buyer).receivable == D("121.00")

    services.deposit_apply(deposit=received, invoice=invoice, actor=acc)  # as much as both allow
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_due) == (D("50.00"), D("71.00"))
    assert figures(received) == ("applied", D("50.00"), D("0.00"), D("0.00"))
    assert unapplied(buyer) == D("0.00")
    assert account(buyer).receivable == D("71.00")


def test_apply_refund_and_the_statuses_step_by_step(company, acc, customer_of, buyer, confirmed_order, deposit, bill):
    received = deposit(buyer, "100.00")  # not tied to an order
    small = bill(confirmed_order(buyer, quantity="2"))  # 24.20
    large = bill(confirmed_order(buyer, quantity="10"))  # 121.00
    assert (small.amount_paid, large.amount_paid) == (D("0.00"), D("0.00"))  # only an order's own deposits apply themselves

    services.deposit_apply(deposit=received, invoice=large, amount=D("30.00"), actor=acc)
    assert figures(received) == ("held", D("30.00"), D("0.00"), D("70.00"))
    assert unapplied(buyer) == D("70.00")
    assert account(buyer).receivable == D("115.20")

    before = nothing_moved()
    with pytest.raises(OverAllocation):
        services.deposit_apply(deposit=received, invoice=large, amount=D("70.01"), actor=acc)  # more than it holds
    with pytest.raises(OverAllocation):
        services.deposit_apply(deposit=received, invoice=small, amount=D("24.21"), actor=acc)  # more than is due
    assert nothing_moved() == before
    stranger_invoice = bill(confirmed_order(customer_of("sales2", code="S004", status="active"), quantity="1"))
    before = nothing_moved()
    with pytest.raises(Invalid):
        services.deposit_apply(deposit=received, invoice=stranger_invoice, amount=D("1.00"), actor=acc)
    with pytest.raises(Invalid):
        services.deposit_apply(deposit=received, invoice=small, amount=D("-1.00"), actor=acc)
    with pytest.raises(OverAllocation):
        services.deposit_refund(deposit=received, actor=acc, amount=D("70.01"))
    with pytest.raises(Invalid):
        services.deposit_refund(deposit=received, actor=acc, amount=D("0.001"))
    assert nothing_moved() == before

    services.deposit_apply(deposit=received, invoice=small.pk, amount=D("24.20"), actor=acc)
    small.refresh_from_db()
    assert small.status == "paid"
    assert figures(received) == ("held", D("54.20"), D("0.00"), D("45.80"))
    assert unapplied(buyer) == D("45.80")

    services.deposit_refund(deposit=received, actor=acc, amount=D("20.00"))
    assert figures(received) == ("held", D("54.20"), D("20.00"), D("25.80"))
    assert unapplied(buyer) == D("25.80")

    services.deposit_apply(deposit=received, invoice=large, actor=acc)  # the rest: 25.80
    assert figures(received) == ("refunded", D("80.00"), D("20.00"), D("0.00"))
    assert unapplied(buyer) == D("0.00") == deposits_balance(company)
    large.refresh_from_db()
    assert large.amount_due == D("65.20")
    assert account(buyer).receivable == D("65.20")

    entries = JournalEntry.objects.count()
    with pytest.raises(InvalidTransition):
        services.deposit_apply(deposit=received, invoice=large, amount=D("1.00"), actor=acc)
    with pytest.raises(InvalidTransition):
        services.deposit_refund(deposit=received, actor=acc)
    assert JournalEntry.objects.count() == entries


def test_a_deposit_fully_applied_is_applied_and_fully_refunded_is_refunded(company, acc, buyer, confirmed_order, deposit, bill):
    invoice = bill(confirmed_order(buyer, quantity="10"))
    applied = deposit(buyer, "21.00")
    services.deposit_apply(deposit=applied, invoice=invoice, actor=acc)
    assert figures(applied) == ("applied", D("21.00"), D("0.00"), D("0.00"))
    refunded = deposit(buyer, "33.33")
    services.deposit_refund(deposit=refunded, actor=acc)
    assert figures(refunded) == ("refunded", D("0.00"), D("33.33"), D("0.00"))
    assert unapplied(buyer) == D("0.00") == deposits_balance(company)
    assert account(buyer).receivable == D("100.00")


def test_a_deposit_checks_the_order_as_it_is_now_not_as_the_caller_last_saw_it(users, buyer, confirmed_order, deposit):
    """Another user cancels the order between the page load and the deposit: the deposit is refused."""
    seen = confirmed_order(buyer)
    sales_services.order_cancel(order=seen, actor=users["admin"], reason="cancelled in another window")
    assert seen.status == "confirmed"  # the caller's copy is out of date
    with pytest.raises(InvalidTransition):
        deposit(buyer, "50.00", seen)
    assert not Deposit.objects.exists() and unapplied(buyer) == D("0.00")


def test_applying_a_deposit_by_default_takes_what_is_due_now(company, acc, buyer, confirmed_order, deposit, bill):
    """The default amount is what the deposit holds or what the invoice still owes, read under the lock,
    even when a payment landed after the caller loaded the invoice."""
    invoice = bill(confirmed_order(buyer, quantity="10"))
    services.payment_create(
        company=company, actor=acc, customer=buyer, amount=D("100.00"), allocations=[{"invoice": invoice.pk, "amount": D("100.00")}]
    )
    assert invoice.amount_due == D("121.00")  # the caller's copy is out of date: 21.00 is due
    received = deposit(buyer, "50.00")
    services.deposit_apply(deposit=received, invoice=invoice, actor=acc)
    assert figures(received) == ("held", D("21.00"), D("0.00"), D("29.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D("0.00"))
