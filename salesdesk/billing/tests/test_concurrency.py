"""Billing under concurrent writers (PostgreSQL row locks): gapless invoice numbers and allocations
that never settle more than is due or more than the money has."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from salesdesk.billing import services
from salesdesk.billing.models import Invoice, Payment, PaymentAllocation
from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger import selectors as ledger_selectors

D = Decimal
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


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


def test_parallel_postings_number_invoices_one_to_n_without_gap_or_duplicate(company, acc, member, customer_of, confirmed_order, manual):
    customers = [customer_of("sales", code=f"P00{n}", status="active") for n in range(3)]
    drafts = []
    for n, customer in enumerate(customers):
        for _ in range(2):
            order = confirmed_order(customer, quantity=str(n + 1))
            drafts.append(services.invoice_from_order(order=order, actor=acc, membership=member("accountant")))
            drafts.append(manual(customer, f"{n + 1}.01", post=False))
    results = run_together([lambda draft=draft: services.invoice_post(invoice=draft, actor=acc) for draft in drafts])
    assert [outcome(r) for r in results] == ["ok"] * len(drafts)

    year = timezone.localdate().year
    posted = Invoice.objects.filter(company=company, kind="invoice", status="posted")
    assert sorted(posted.values_list("sequence", flat=True)) == list(range(1, len(drafts) + 1))
    assert sorted(posted.values_list("number", flat=True)) == [f"INV-{year}-{n:05d}" for n in range(1, len(drafts) + 1)]
    assert NumberCounter.objects.get(company=company, series="INV", year=year).last_value == len(drafts)
    assert ledger_selectors.maintained_balances(company) == ledger_selectors.balances_from_entries(company)
    rebuilt = ledger_selectors.customer_receivables_from_entries(company)
    for customer in customers:
        assert CustomerAccount.objects.get(customer=customer).receivable == rebuilt[customer.pk]


def test_parallel_allocations_to_one_invoice_never_exceed_what_is_due(company, acc, buyer, manual):
    invoice = manual(buyer, "121.00")
    payments = [services.payment_create(company=company, actor=acc, customer=buyer, amount=D("50.00")) for _ in range(6)]
    results = run_together(
        [
            lambda p=p: services.payment_allocate(payment=p, actor=acc, allocations=[{"invoice": invoice, "amount": D("50.00")}])
            for p in payments
        ]
    )
    assert sorted(outcome(r) for r in results) == ["ok"] * 2 + ["over_allocation"] * 4
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_due, invoice.status) == (D("100.00"), D("21.00"), "posted")
    assert (
        sorted(Payment.objects.values_list("allocated_amount", "unallocated_amount"))
        == [(D("0.00"), D("50.00"))] * 4 + [(D("50.00"), D("0.00"))] * 2
    )
    assert PaymentAllocation.objects.count() == 2


def test_parallel_payments_arriving_with_allocations_never_exceed_what_is_due(company, acc, buyer, manual):
    invoice = manual(buyer, "121.00")
    results = run_together(
        [
            lambda: services.payment_create(
                company=company, actor=acc, customer=buyer, amount=D("30.00"), allocations=[{"invoice": invoice, "amount": D("30.00")}]
            )
            for _ in range(5)
        ]
    )
    assert sorted(outcome(r) for r in results) == ["ok"] * 4 + ["over_allocation"]
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_due) == (D("120.00"), D("1.00"))
    assert Payment.objects.count() == 4  # the refused payment left nothing behind
    assert CustomerAccount.objects.get(customer=buyer).receivable == D("1.00")
    year = timezone.localdate().year
    assert sorted(Payment.objects.values_list("number", flat=True)) == [f"PAY-{year}-{n:05d}" for n in range(1, 5)]


def test_one_payment_allocated_in_parallel_never_gives_more_than_it_has(company, acc, buyer, manual):
    invoices = [manual(buyer, "50.00") for _ in range(4)]
    payment = services.payment_create(company=company, actor=acc, customer=buyer, amount=D("100.00"))
    results = run_together(
        [
            lambda i=i: services.payment_allocate(payment=payment, actor=acc, allocations=[{"invoice": i, "amount": D("50.00")}])
            for i in invoices
        ]
    )
    assert sorted(outcome(r) for r in results) == ["ok"] * 2 + ["over_allocation"] * 2
    payment.refresh_from_db()
    assert (payment.allocated_amount, payment.unallocated_amount) == (D("100.00"), D("0.00"))
    assert sorted(Invoice.objects.values_list("status", flat=True)) == ["paid", "paid", "posted", "posted"]


def test_payments_recorded_and_allocated_at_the_same_moment_do_not_deadlock(company, acc, buyer, manual):
    """A payment arriving with its allocation and credit allocated to the same invoice at the same
    moment: both settle the invoice and move the customer's account row; neither may fail."""
    invoice = manual(buyer, "400.00")
    credits = [services.payment_create(company=company, actor=acc, customer=buyer, amount=D("10.00")) for _ in range(4)]
    calls = []
    for credit in credits:
        calls.append(
            lambda p=credit: services.payment_allocate(payment=p, actor=acc, allocations=[{"invoice": invoice, "amount": D("10.00")}])
        )
        calls.append(
            lambda: services.payment_create(
                company=company, actor=acc, customer=buyer, amount=D("10.00"), allocations=[{"invoice": invoice, "amount": D("10.00")}]
            )
        )
    results = run_together(calls)
    assert [outcome(r) for r in results] == ["ok"] * len(calls)
    invoice.refresh_from_db()
    assert invoice.amount_due == D("320.00")
    assert CustomerAccount.objects.get(customer=buyer).receivable == D("320.00")


def test_a_deposit_refund_waits_for_its_order_before_locking_the_deposit(company, acc, customer_of, confirmed_order):
    """Posting the order's invoice locks the order first and the order's deposits last (to apply
    them). A refund that locked the deposit first could deadlock with it, so it takes the order's
    lock first: while someone holds the order, the refund waits and the deposit stays free."""
    import time

    from django.db import transaction

    from salesdesk.billing.models import Deposit
    from salesdesk.sales.models import SalesOrder

    order = confirmed_order(customer_of("sales", code="DP1", status="active"))
    deposit = services.deposit_create(company=company, actor=acc, customer=order.customer, amount=D("50.00"), sales_order=order)
    holding, release = threading.Event(), threading.Event()

    def hold_the_order():
        with transaction.atomic():
            SalesOrder.objects.select_for_update().get(pk=order.pk)  # as a posting of its invoice does first
            holding.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_order)
    holder.start()
    holding.wait(10)
    refund: list = []

    def refund_part():
        try:
            refund.append(services.deposit_refund(deposit=deposit, actor=acc, amount=D("10.00")))
        except BaseException as exc:  # reported below
            refund.append(exc)
        finally:
            connection.close()

    refunder = threading.Thread(target=refund_part)
    refunder.start()
    time.sleep(0.5)
    try:
        assert not refund, "the refund went ahead while the order was locked"
        with transaction.atomic():  # the deposit is not locked yet: the refund waits for the order
            Deposit.objects.select_for_update(nowait=True).get(pk=deposit.pk)
    finally:
        release.set()
        holder.join()
        refunder.join()
    assert outcome(refund[0]) == "ok"
    assert Deposit.objects.get(pk=deposit.pk).held_amount == D("40.00")


def test_a_payment_for_an_orders_first_invoice_and_the_posting_of_its_second_never_deadlock(
    company, acc, member, customer_of, confirmed_order
):
    """The payment settles invoice 1 (which moves the order) while invoice 2 of the same order is
    posted (which locks the order, then takes the journal's number). Both lock the order first,
    so one waits for the other; before, each held what the other wanted and one was a 500."""
    seen = []
    for n in range(6):
        buyer = customer_of("sales", code=f"DL{n:02d}", status="active")
        order = confirmed_order(buyer, quantity="10")
        half = [{"order_line": order.lines.get(), "quantity": D("5")}]
        first = services.invoice_post(
            invoice=services.invoice_from_order(order=order, actor=acc, membership=member("accountant"), lines=half), actor=acc
        )
        second = services.invoice_from_order(order=order, actor=acc, membership=member("accountant"))
        allocation = [{"invoice": first, "amount": first.total_amount}]

        def pay(buyer=buyer, amount=first.total_amount, allocation=allocation):
            return services.payment_create(company=company, actor=acc, customer=buyer, amount=amount, allocations=allocation)

        results = run_together([pay, lambda second=second: services.invoice_post(invoice=second, actor=acc)])
        seen.append(tuple(outcome(result)[:60] for result in results))
    assert seen == [("ok", "ok")] * 6
    assert ledger_selectors.maintained_balances(company) == ledger_selectors.balances_from_entries(company)
