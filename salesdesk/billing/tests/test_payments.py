"""Payments: partial payments, customer credit allocated later, refusals that save nothing,
chargebacks, exchange differences, and credit notes used as payment."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.billing import services
from salesdesk.billing.errors import OverAllocation, OverCredit
from salesdesk.billing.models import Invoice, Payment, PaymentAllocation
from salesdesk.catalog.models import Currency, CurrencyRate
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import AccountBalance, JournalEntry

D = Decimal


def today() -> date:
    return timezone.localdate()


def account(customer) -> CustomerAccount:
    return CustomerAccount.objects.get(customer=customer)


def balance(company, role) -> Decimal:
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0.00")


def booked(entry) -> list[tuple]:
    return sorted((line.account.role, line.customer_id or 0, line.debit, line.credit) for line in entry.lines.select_related("account"))


def state(*objects) -> list:
    """Everything a refused payment could have touched."""
    return [
        Payment.objects.count(),
        PaymentAllocation.objects.count(),
        JournalEntry.objects.count(),
        sorted(NumberCounter.objects.values_list("series", "year", "last_value")),
        sorted(CustomerAccount.objects.values_list("customer_id", "receivable")),
        sorted(Invoice.objects.values_list("id", "status", "amount_paid", "amount_due")),
        [Payment.objects.filter(pk=p.pk).values("allocated_amount", "unallocated_amount", "status").first() for p in objects],
    ]


@pytest.fixture
def bill(acc, member):
    def make(order, quantity=None):
        lines = None if quantity is None else [{"order_line": order.lines.get(), "quantity": D(quantity)}]
        invoice = services.invoice_from_order(order=order, actor=acc, membership=member("accountant"), lines=lines)
        return services.invoice_post(invoice=invoice, actor=acc)

    return make


@pytest.fixture
def pay(company, acc):
    def make(customer, amount, *allocations, on=None, currency=None):
        return services.payment_create(
            company=company,
            actor=acc,
            customer=customer,
            amount=amount if isinstance(amount, Decimal) else D(amount),
            date=on,
            currency=currency,
            allocations=[{"invoice": invoice, "amount": D(a)} for invoice, a in allocations],
        )

    return make


@pytest.fixture
def invoice121(buyer, confirmed_order, bill):
    """A posted invoice of 121.00 (10 x 10.00 + 21 % tax) for the buyer's order."""
    return bill(confirmed_order(buyer, quantity="10"))


# --- Partial payments and customer credit --------------------------------------------------------


def test_partial_payments_and_money_kept_as_credit_then_allocated(acc, buyer, confirmed_order, bill, invoice121, pay):
    first = pay(buyer, "50.00", (invoice121, "50.00"))
    invoice121.refresh_from_db()
    assert (invoice121.amount_paid, invoice121.amount_due, invoice121.status, invoice121.payment_state) == (
        D("50.00"),
        D("71.00"),
        "posted",
        "partial",
    )
    assert (first.allocated_amount, first.unallocated_amount) == (D("50.00"), D("0.00"))
    assert account(buyer).receivable == D("71.00")

    credit = pay(buyer, "100.00")
    assert (credit.allocated_amount, credit.unallocated_amount) == (D("0.00"), D("100.00"))
    assert account(buyer).receivable == D("-29.00")

    entries = JournalEntry.objects.count()
    services.payment_allocate(payment=credit, actor=acc, allocations=[{"invoice": invoice121.pk, "amount": D("71.00")}])
    assert JournalEntry.objects.count() == entries  # matching money to an invoice moves no money
    invoice121.refresh_from_db()
    credit.refresh_from_db()
    assert (invoice121.status, invoice121.amount_due, invoice121.payment_state) == ("paid", D("0.00"), "paid")
    assert (credit.allocated_amount, credit.unallocated_amount) == (D("71.00"), D("29.00"))
    assert account(buyer).receivable == D("-29.00")

    second = bill(confirmed_order(buyer, quantity="4"))
    services.payment_allocate(payment=credit, actor=acc, allocations=[{"invoice": second, "amount": D("29.00")}])
    second.refresh_from_db()
    credit.refresh_from_db()
    assert (second.amount_due, second.status, credit.unallocated_amount) == (D("19.40"), "posted", D("0.00"))
    assert account(buyer).receivable == D("19.40")
    assert list(PaymentAllocation.objects.filter(payment=credit).values_list("invoice_id", "amount")) == [
        (invoice121.pk, D("71.00")),
        (second.pk, D("29.00")),
    ]


def test_allocating_more_than_the_invoice_owes_is_refused_and_nothing_is_saved(acc, buyer, invoice121, pay):
    before = state()
    with pytest.raises(OverAllocation) as refused:
        pay(buyer, "200.00", (invoice121, "121.01"))
    assert refused.value.code == "over_allocation" and refused.value.status == 409
    assert state() == before

    credit = pay(buyer, "200.00")
    before = state(credit)
    with pytest.raises(OverAllocation):
        services.payment_allocate(payment=credit, actor=acc, allocations=[{"invoice": invoice121, "amount": D("121.01")}])
    # The same invoice twice: each part fits, together they are more than is due.
    with pytest.raises(OverAllocation):
        services.payment_allocate(
            payment=credit,
            actor=acc,
            allocations=[{"invoice": invoice121, "amount": D("60.00")}, {"invoice": invoice121, "amount": D("61.01")}],
        )
    assert state(credit) == before


def test_allocating_more_than_the_payment_has_is_refused_and_nothing_is_saved(acc, buyer, confirmed_order, bill, invoice121, pay):
    other = bill(confirmed_order(buyer, quantity="4"))
    before = state()
    with pytest.raises(OverAllocation):
        pay(buyer, "50.00", (invoice121, "30.00"), (other, "20.01"))
    assert state() == before

    credit = pay(buyer, "50.00")
    before = state(credit)
    with pytest.raises(OverAllocation):
        services.payment_allocate(payment=credit, actor=acc, allocations=[{"invoice": invoice121, "amount": D("50.01")}])
    with pytest.raises(OverAllocation):
        services.payment_allocate(
            payment=credit,
            actor=acc,
            allocations=[{"invoice": invoice121, "amount": D("30.00")}, {"invoice": other, "amount": D("20.01")}],
        )
    assert state(credit) == before


def test_allocating_to_another_customers_invoice_is_invalid_and_nothing_is_saved(
    acc, member, customer_of, buyer, confirmed_order, bill, pay
):
    stranger = customer_of("sales2", code="S002", status="active")
    theirs = bill(confirmed_order(stranger, quantity="1"))
    before = state()
    with pytest.raises(Invalid) as refused:
        pay(buyer, "20.00", (theirs, "12.10"))
    assert refused.value.status == 400 and refused.value.code == "invalid"
    assert refused.value.details["allocations"][0]["invoice"] == ["This invoice belongs to another customer."]
    assert state() == before

    credit = pay(buyer, "20.00")
    before = state(credit)
    with pytest.raises(Invalid):
        services.payment_allocate(payment=credit, actor=acc, allocations=[{"invoice": theirs.pk, "amount": D("12.10")}])
    assert state(credit) == before


def test_only_the_customers_posted_invoices_take_payments(acc, member, buyer, confirmed_order, invoice121, pay):
    draft = services.invoice_from_order(order=confirmed_order(buyer, quantity="1"), actor=acc, membership=member("accountant"))
    note = services.invoice_credit(invoice=invoice121, actor=acc, lines=[{"invoice_line": invoice121.lines.get().pk, "quantity": D("1")}])
    before = state()
    for target in (draft, note, draft.pk, 999_999, "1", None):
        with pytest.raises(Invalid) as refused:
            pay(buyer, "20.00", (target, "1.00"))
        assert "invoice" in refused.value.details["allocations"][0], target
    assert state() == before


BAD_AMOUNTS = ["-5.00", "0", "0.00", "NaN", "-NaN", "sNaN", "Infinity", "1.005", "0.001", "abc", "", 10.5, None, True, "1e14", "1e30"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=[repr(a) for a in BAD_AMOUNTS])
def test_a_payment_amount_that_is_not_positive_money_is_a_400_and_nothing_is_saved(company, acc, buyer, invoice121, amount):
    before = state()
    with pytest.raises(Invalid) as refused:
        services.payment_create(company=company, actor=acc, customer=buyer, amount=amount)
    assert refused.value.status == 400 and "amount" in refused.value.details
    with pytest.raises(Invalid) as refused:
        services.payment_create(
            company=company, actor=acc, customer=buyer, amount=D("10.00"), allocations=[{"invoice": invoice121, "amount": amount}]
        )
    assert refused.value.status == 400 and "amount" in refused.value.details["allocations"][0]
    assert state() == before


def test_payment_of_another_companys_customer_or_with_an_unknown_method_is_a_400(company, other_company, acc, buyer):
    from salesdesk.customers.models import Customer

    elsewhere = Customer.objects.create(company=other_company, code="X1", name="Elsewhere")
    with pytest.raises(Invalid) as refused:
        services.payment_create(company=company, actor=acc, customer=elsewhere, amount=D("1.00"))
    assert "customer" in refused.value.details
    with pytest.raises(Invalid) as refused:
        services.payment_create(company=company, actor=acc, customer=buyer, amount=D("1.00"), method="barter")
    assert "method" in refused.value.details
    assert not Payment.objects.exists()


# --- Chargebacks ----------------------------------------------------------------------------------


def test_a_chargeback_reopens_the_invoices_and_the_orders_payment_state(acc, buyer, confirmed_order, bill, pay):
    order = confirmed_order(buyer, quantity="10")
    invoice = bill(order)
    first = pay(buyer, "50.00", (invoice, "50.00"))
    second = pay(buyer, "100.00", (invoice, "71.00"))
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert (invoice.status, order.payment_state, order.paid_amount) == ("paid", "paid", D("121.00"))
    assert account(buyer).receivable == D("-29.00")

    reversed_payment = services.payment_reverse(payment=second, actor=acc, reason="card chargeback")
    assert (reversed_payment.status, reversed_payment.reversal_reason, reversed_payment.unallocated_amount) == (
        "reversed",
        "card chargeback",
        D("0.00"),
    )
    assert booked(reversed_payment.reversal_entry) == [("cash", 0, D("0"), D("100.00")), ("receivable", buyer.pk, D("100.00"), D("0"))]
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.amount_due, invoice.payment_state) == ("posted", D("50.00"), D("71.00"), "partial")
    assert invoice.next_due_date == invoice.due_date
    assert (order.payment_state, order.paid_amount) == ("partial", D("50.00"))
    assert account(buyer).receivable == D("71.00")

    services.payment_reverse(payment=first, actor=acc, reason="bounced")
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert (invoice.status, invoice.amount_due, order.payment_state, order.paid_amount) == ("posted", D("121.00"), "none", D("0.00"))
    assert account(buyer).receivable == D("121.00")
    assert ledger_selectors.maintained_balances(invoice.company) == ledger_selectors.balances_from_entries(invoice.company)

    entries = JournalEntry.objects.count()
    with pytest.raises(InvalidTransition):
        services.payment_reverse(payment=first, actor=acc)
    with pytest.raises(InvalidTransition):
        services.payment_allocate(payment=second, actor=acc, allocations=[{"invoice": invoice, "amount": D("1.00")}])
    assert JournalEntry.objects.count() == entries


# --- Foreign currency -----------------------------------------------------------------------------


@pytest.fixture
def usd(company):
    """US dollars: 1.10 per euro ten days ago, `rate_now` from three days ago."""
    currency = Currency.objects.create(company=company, code="USD", name="US dollar", decimal_places=2)
    CurrencyRate.objects.create(company=company, currency=currency, date=today() - timedelta(days=10), rate=D("1.10"))
    return currency


def _rate_from_three_days_ago(company, currency, rate):
    CurrencyRate.objects.create(company=company, currency=currency, date=today() - timedelta(days=3), rate=D(rate))


@pytest.mark.parametrize(
    ("rate_now", "paid_in_euros", "exchange_lines"),
    [
        # The dollar weakened: 110 USD bring 88.00 EUR for a receivable of 100.00 EUR: a loss of 12.00.
        ("1.25", "88.00", [("exchange_difference", 0, "12.00", "0"), ("receivable", "C", "0", "12.00")]),
        # The dollar strengthened: 110 USD bring 110.00 EUR: a gain of 10.00.
        ("1.00", "110.00", [("exchange_difference", 0, "0", "10.00"), ("receivable", "C", "10.00", "0")]),
    ],
)
def test_a_foreign_currency_payment_books_the_exchange_difference(
    company, acc, buyer, usd, manual, pay, rate_now, paid_in_euros, exchange_lines
):
    _rate_from_three_days_ago(company, usd, rate_now)
    invoice = manual(buyer, "110.00", currency=usd, issue_date=today() - timedelta(days=8))
    assert (invoice.rate, invoice.total_amount) == (D("1.10"), D("110.00"))
    assert account(buyer).receivable == D("100.00")

    payment = pay(buyer, "110.00", (invoice, "110.00"), on=today() - timedelta(days=2), currency=usd)
    assert payment.rate == D(rate_now)
    assert booked(payment.journal_entry) == [("cash", 0, D(paid_in_euros), D("0")), ("receivable", buyer.pk, D("0"), D(paid_in_euros))]
    allocation = payment.allocations.get()
    expected = sorted((role, buyer.pk if who == "C" else 0, D(debit), D(credit)) for role, who, debit, credit in exchange_lines)
    assert booked(allocation.exchange_entry) == expected
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D("0.00"))
    assert account(buyer).receivable == D("0.00")
    assert balance(company, "receivable") == D("0.00")
    assert balance(company, "exchange_difference") == D("100.00") - D(paid_in_euros)

    # A chargeback takes back the money and its exchange difference: the receivable is 100.00 again.
    services.payment_reverse(payment=payment, actor=acc, reason="chargeback")
    assert account(buyer).receivable == D("100.00")
    assert balance(company, "exchange_difference") == D("0.00")


def test_a_foreign_invoice_paid_in_three_parts_leaves_no_cent_behind(company, buyer, usd, manual, pay):
    _rate_from_three_days_ago(company, usd, "1.25")
    invoice = manual(buyer, "100.00", currency=usd, issue_date=today() - timedelta(days=8))
    assert account(buyer).receivable == D("90.91")  # 100 / 1.10
    for part in ("33.33", "33.33", "33.34"):
        pay(buyer, part, (invoice, part), currency=usd)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    # Cash 26.66 + 26.66 + 26.67 = 79.99 EUR; the parts of the invoice 30.30 + 30.30 + 30.31 = 90.91 EUR.
    assert balance(company, "cash") == D("79.99")
    assert balance(company, "exchange_difference") == D("10.92")
    assert account(buyer).receivable == D("0.00")


def test_money_in_one_currency_does_not_pay_an_invoice_in_another(company, buyer, usd, manual, pay):
    invoice = manual(buyer, "110.00", currency=usd, issue_date=today() - timedelta(days=8))
    with pytest.raises(Invalid) as refused:
        pay(buyer, "100.00", (invoice, "100.00"))
    assert refused.value.details["allocations"][0]["invoice"] == ["The invoice is in another currency."]
    assert not Payment.objects.exists()


# --- Credit notes used as payment -----------------------------------------------------------------


def test_a_credit_note_of_a_paid_invoice_leaves_credit_to_use_on_another_invoice(
    acc, customer_of, buyer, confirmed_order, bill, invoice121, pay
):
    pay(buyer, "121.00", (invoice121, "121.00"))
    note = services.invoice_credit(
        invoice=invoice121, actor=acc, lines=[{"invoice_line": invoice121.lines.get().pk, "quantity": D("2")}], reason="damaged"
    )
    invoice121.refresh_from_db()
    assert (note.status, note.total_amount, note.amount_due) == ("posted", D("24.20"), D("24.20"))
    assert (invoice121.status, invoice121.amount_credited) == ("paid", D("0.00"))
    assert account(buyer).receivable == D("-24.20")

    second = bill(confirmed_order(buyer, quantity="4"))
    entries = JournalEntry.objects.count()
    settled = services.credit_note_apply(credit_note=note, invoice=second, amount=D("10.00"), actor=acc)
    assert (settled.amount_credited, settled.amount_due, settled.status) == (D("10.00"), D("38.40"), "posted")
    note.refresh_from_db()
    assert (note.amount_due, note.status) == (D("14.20"), "posted")
    assert JournalEntry.objects.count() == entries  # both sides are already on the receivable
    assert account(buyer).receivable == D("24.20")

    stranger_invoice = bill(confirmed_order(customer_of("sales2", code="S003", status="active"), quantity="1"))
    with pytest.raises(Invalid):
        services.credit_note_apply(credit_note=note, invoice=stranger_invoice, amount=D("1.00"), actor=acc)
    with pytest.raises(OverAllocation):
        services.credit_note_apply(credit_note=note, invoice=second, amount=D("14.21"), actor=acc)
    with pytest.raises(Invalid):
        services.credit_note_apply(credit_note=note, invoice=second, amount=D("-1.00"), actor=acc)
    note.refresh_from_db()
    second.refresh_from_db()
    assert (note.amount_due, second.amount_due) == (D("14.20"), D("38.40"))

    services.credit_note_apply(credit_note=note, invoice=second.pk, amount=D("14.20"), actor=acc)
    note.refresh_from_db()
    second.refresh_from_db()
    assert (note.amount_due, note.status, second.amount_due) == (D("0.00"), "paid", D("24.20"))
    with pytest.raises(InvalidTransition):
        services.credit_note_apply(credit_note=note, invoice=second, amount=D("0.01"), actor=acc)


def test_a_credit_note_on_an_open_invoice_settles_it_first(acc, buyer, invoice121, pay):
    pay(buyer, "100.00", (invoice121, "100.00"))
    note = services.invoice_credit(invoice=invoice121, actor=acc, lines=[{"invoice_line": invoice121.lines.get().pk, "quantity": D("3")}])
    invoice121.refresh_from_db()
    # 36.30 credited: 21.00 settles what was still due, 15.30 stays as credit on the note.
    assert (invoice121.status, invoice121.amount_credited, invoice121.amount_due) == ("paid", D("21.00"), D("0.00"))
    assert (note.amount_paid, note.amount_due) == (D("21.00"), D("15.30"))
    assert account(buyer).receivable == D("-15.30")


def test_crediting_more_than_was_invoiced_is_over_credit(acc, buyer, invoice121):
    line = invoice121.lines.get()
    with pytest.raises(OverCredit) as refused:
        services.invoice_credit(invoice=invoice121, actor=acc, lines=[{"invoice_line": line.pk, "quantity": D("10.0001")}])
    assert refused.value.code == "over_credit" and refused.value.status == 409
    services.invoice_credit(invoice=invoice121, actor=acc, lines=[{"invoice_line": line.pk, "quantity": D("6")}])
    draft = services.invoice_credit(invoice=invoice121, actor=acc, lines=[{"invoice_line": line.pk, "quantity": D("3")}], post=False)
    assert draft.status == "draft"
    # 6 credited and 3 on a draft credit note: 1 is left.
    with pytest.raises(OverCredit):
        services.invoice_credit(invoice=invoice121, actor=acc, lines=[{"invoice_line": line.pk, "quantity": D("2")}])
    last = services.invoice_credit(invoice=invoice121, actor=acc)
    assert last.lines.get().quantity == D("1")
    services.invoice_post(invoice=draft, actor=acc)
    with pytest.raises(OverCredit):
        services.invoice_credit(invoice=invoice121, actor=acc)
    line.refresh_from_db()
    assert line.credited_quantity == D("10")
    assert Invoice.objects.filter(kind="credit_note").count() == 3
    assert account(buyer).receivable == D("0.00")


def test_settling_answers_the_figures_as_stored_and_leaves_the_callers_invoice_as_it_was(acc, buyer, invoice121):
    from salesdesk.billing.services import settlement

    given = Invoice.objects.get(pk=invoice121.pk)
    settled = settlement.settle(given, actor=acc, paid=D("21.00"))
    stored = Invoice.objects.get(pk=invoice121.pk)
    figures = ("status", "amount_paid", "amount_credited", "amount_written_off", "amount_due", "next_due_date", "total_amount")
    assert [getattr(settled, name) for name in figures] == [getattr(stored, name) for name in figures]
    assert (stored.amount_paid, stored.amount_due, stored.status) == (D("21.00"), D("100.00"), "posted")
    assert (given.amount_paid, given.amount_due) == (D("0.00"), D("121.00"))  # the caller's copy is untouched

    paid = settlement.settle(stored, actor=acc, paid=D("100.00"))
    assert (paid.status, paid.amount_due, paid.next_due_date) == ("paid", D("0.00"), None)
    assert Invoice.objects.get(pk=invoice121.pk).status == "paid"
