"""Posting invoices and credit notes: legal numbers, instalments, what an order may bill, and the
ledger entry of every billing document, with exact amounts; a rebuild of every maintained balance."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.billing import services
from salesdesk.billing.errors import NoExchangeRateKnown, NothingToInvoice
from salesdesk.billing.models import Deposit, DepositApplication, Invoice, InvoiceInstalment, Payment, PaymentAllocation
from salesdesk.billing.services.open_items import unpaid_parts
from salesdesk.billing.services.settlement import next_due_date
from salesdesk.catalog.models import Currency, CurrencyRate
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import DocumentEvent, NumberCounter
from salesdesk.customers.models import CustomerAccount, PaymentTerm, PaymentTermLine
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import JournalEntry
from salesdesk.sales import services as sales_services
from salesdesk.sales.errors import CreditLimitExceeded, NotEditable, OverInvoicing
from salesdesk.sales.models import SalesOrder, SalesOrderLine

D = Decimal


def today() -> date:
    return timezone.localdate()


def account(customer) -> CustomerAccount:
    return CustomerAccount.objects.get(customer=customer)


def counter(company, series: str, year: int) -> int | None:
    row = NumberCounter.objects.filter(company=company, series=series, year=year).first()
    return row.last_value if row else None


def booked(entry) -> list[tuple]:
    """An entry's lines as (account role, customer id or 0, debit, credit), sorted."""
    return sorted((line.account.role, line.customer_id or 0, line.debit, line.credit) for line in entry.lines.select_related("account"))


def ship(order, quantity) -> None:
    """Fulfilment is not built yet: record a delivery by setting the line's delivered quantity."""
    SalesOrderLine.objects.filter(order=order).update(delivered_quantity=D(quantity))


def term(company, *parts) -> PaymentTerm:
    """A payment term from (percent, days) pairs."""
    made = PaymentTerm.objects.create(company=company, name=" / ".join(f"{p}% {d}d" for p, d in parts))
    for i, (percent, days) in enumerate(parts):
        PaymentTermLine.objects.create(company=company, term=made, sequence=i, percent=D(percent), days=days)
    return made


@pytest.fixture
def bill(acc, member):
    """`bill(order, "4")`: an invoice for 4 of the order's (only) line, posted; no quantity = all that is left."""

    def make(order, quantity=None, *, issue_date=None, post=True):
        lines = None
        if quantity is not None:
            lines = [{"order_line": order.lines.get(), "quantity": D(quantity)}]
        invoice = services.invoice_from_order(order=order, actor=acc, membership=member("accountant"), lines=lines, issue_date=issue_date)
        return services.invoice_post(invoice=invoice, actor=acc) if post else invoice

    return make


@pytest.fixture
def pay(company, acc):
    """`pay(customer, "50.00", (invoice, "20.00"))`: a payment, allocated as given."""

    def make(customer, amount, *allocations, on=None, currency=None):
        return services.payment_create(
            company=company,
            actor=acc,
            customer=customer,
            amount=D(amount),
            date=on,
            currency=currency,
            allocations=[{"invoice": invoice, "amount": D(a)} for invoice, a in allocations],
        )

    return make


# --- Legal numbers ---------------------------------------------------------------------------


def test_posting_numbers_invoices_one_two_three_and_credit_notes_in_their_own_series(company, acc, buyer, confirmed_order, bill):
    order = confirmed_order(buyer, quantity="30")
    year = today().year
    invoices = [bill(order, "10") for _ in range(3)]
    assert [(i.series, i.year, i.sequence, i.number) for i in invoices] == [("INV", year, n, f"INV-{year}-{n:05d}") for n in (1, 2, 3)]
    assert all(i.status == "posted" and i.posted_by == acc and i.posted_at is not None for i in invoices)
    note = services.invoice_credit(invoice=invoices[0], actor=acc, lines=[{"invoice_line": invoices[0].lines.get().pk, "quantity": D("1")}])
    assert (note.kind, note.series, note.sequence, note.number) == ("credit_note", "CN", 1, f"CN-{year}-00001")
    assert counter(company, "INV", year) == 3 and counter(company, "CN", year) == 1


def test_each_year_and_each_company_has_its_own_series(company, other_company, users, buyer, manual):
    from salesdesk.accounts import roles
    from salesdesk.accounts import services as accounts_services
    from salesdesk.catalog.models import Product, Unit
    from salesdesk.customers.models import Customer

    year = today().year
    last_year = manual(buyer, "10.00", issue_date=date(year - 1, 12, 31))
    this_year = manual(buyer, "10.00")
    assert (last_year.number, last_year.sequence) == (f"INV-{year - 1}-00001", 1)
    assert (this_year.number, this_year.sequence) == (f"INV-{year}-00001", 1)

    # The other company starts its own series at 1 in the same year.
    admin = users["admin"]
    membership = accounts_services.membership_set(company=other_company, actor=None, user=admin, roles=[roles.ADMINISTRATOR])
    elsewhere = Customer.objects.create(company=other_company, code="X1", name="Elsewhere", status="active")
    CustomerAccount.objects.create(company=other_company, customer=elsewhere)
    widget = Product.objects.create(
        company=other_company, sku="X-1", name="Thing", unit=Unit.objects.get(company=other_company, code="pc"), list_price=D("5")
    )
    theirs = services.invoice_create(
        company=other_company,
        actor=admin,
        membership=membership,
        customer=elsewhere,
        lines=[{"product": widget, "quantity": D("1"), "unit_price": D("5.00")}],
    )
    theirs = services.invoice_post(invoice=theirs, actor=admin)
    assert (theirs.number, theirs.sequence) == (f"INV-{year}-00001", 1)


@pytest.mark.parametrize("first_posting", [True, False], ids=["first-of-the-year", "after-another"])
def test_a_posting_that_fails_after_taking_its_number_gives_the_number_back(
    first_posting, company, acc, buyer, confirmed_order, bill, monkeypatch
):
    from salesdesk.ledger import services as ledger_services

    year = today().year
    order = confirmed_order(buyer, quantity="10")
    if not first_posting:
        bill(order, "2")
    draft = bill(order, "5", post=False)
    counter_before = counter(company, "INV", year)
    entries_before = JournalEntry.objects.count()
    events_before = DocumentEvent.objects.count()
    receivable_before, open_before = account(buyer).receivable, account(buyer).open_orders

    def disk_full(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger_services, "post_entry", disk_full)
    with pytest.raises(RuntimeError):
        services.invoice_post(invoice=draft, actor=acc)
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.sequence, draft.series) == ("draft", "", None, "")
    assert not InvoiceInstalment.objects.filter(invoice=draft).exists()
    assert counter(company, "INV", year) == counter_before
    assert JournalEntry.objects.count() == entries_before and DocumentEvent.objects.count() == events_before
    assert (account(buyer).receivable, account(buyer).open_orders) == (receivable_before, open_before)
    assert order.lines.get().invoiced_quantity == (D("0") if first_posting else D("2"))

    monkeypatch.undo()
    posted = services.invoice_post(invoice=draft, actor=acc)
    expected = 1 if first_posting else 2
    assert (posted.sequence, posted.number) == (expected, f"INV-{year}-{expected:05d}")
    assert counter(company, "INV", year) == expected


def test_posting_in_a_currency_without_a_rate_is_refused_and_the_next_posting_takes_the_number(company, acc, buyer, manual):
    year = today().year
    usd = Currency.objects.create(company=company, code="USD", name="US dollar", decimal_places=2)
    manual(buyer, "10.00")
    draft = manual(buyer, "110.00", currency=usd, post=False)
    with pytest.raises(NoExchangeRateKnown) as refused:
        services.invoice_post(invoice=draft, actor=acc)
    assert refused.value.code == "no_exchange_rate" and refused.value.status == 409
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.sequence) == ("draft", "", None)
    assert counter(company, "INV", year) == 1
    assert account(buyer).receivable == D("10.00")

    CurrencyRate.objects.create(company=company, currency=usd, date=today() - timedelta(days=1), rate=D("1.10"))
    posted = services.invoice_post(invoice=draft, actor=acc)
    assert (posted.sequence, posted.number, posted.rate) == (2, f"INV-{year}-00002", D("1.10"))
    # The ledger is kept in euros: 110.00 USD at 1.10 USD per euro.
    assert account(buyer).receivable == D("110.00")  # 10.00 + 100.00
    assert booked(posted.journal_entry) == [("receivable", buyer.pk, D("100.00"), D("0")), ("revenue", 0, D("0"), D("100.00"))]


# --- Instalments and due dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "total", "amounts"),
    [
        ([("30", 0), ("70", 30)], "100.01", ["30.00", "70.01"]),
        ([("33.3333", 0), ("33.3333", 30), ("33.3334", 60)], "100.00", ["33.33", "33.33", "33.34"]),
    ],
)
def test_instalments_add_up_exactly_to_the_total_and_the_due_date_is_the_last(company, buyer, manual, parts, total, amounts):
    issued = today() - timedelta(days=3)
    invoice = manual(buyer, total, issue_date=issued, payment_term=term(company, *parts))
    rows = list(invoice.instalments.values_list("sequence", "due_date", "amount"))
    assert rows == [(i, issued + timedelta(days=days), D(a)) for i, ((_, days), a) in enumerate(zip(parts, amounts, strict=True))]
    assert sum((amount for _, _, amount in rows), D(0)) == invoice.total_amount == D(total)
    assert invoice.due_date == issued + timedelta(days=parts[-1][1])
    assert invoice.next_due_date == issued + timedelta(days=parts[0][1])


instalment_amounts = st.lists(st.decimals(min_value="0.01", max_value="10000.00", places=2), min_size=1, max_size=5)


@given(amounts=instalment_amounts, data=st.data())
def test_open_parts_and_next_due_date_follow_what_has_been_paid(amounts, data):
    """Payments cover the earliest instalments first; what stays open adds up to what is due."""
    start = date(2026, 1, 1)
    instalments = [(start + timedelta(days=30 * i), amount) for i, amount in enumerate(amounts)]
    total = sum(amounts, D(0))
    covered = data.draw(st.decimals(min_value=0, max_value=total, places=2))
    parts = unpaid_parts(instalments, covered)
    assert sum((amount for _, amount in parts), D(0)) == total - covered
    assert all(amount > 0 for _, amount in parts)
    assert next_due_date(instalments, covered) == (parts[0][0] if parts else None)
    # Only the first open instalment can be partly paid; the later ones are whole.
    assert [amount for _, amount in parts[1:]] == [amount for _, amount in instalments[len(instalments) - len(parts) + 1 :]]


def test_an_invoice_without_a_payment_term_is_due_on_its_issue_date(buyer, manual):
    issued = today() - timedelta(days=2)
    invoice = manual(buyer, "12.34", issue_date=issued)
    assert list(invoice.instalments.values_list("due_date", "amount")) == [(issued, D("12.34"))]
    assert invoice.due_date == invoice.next_due_date == issued


def test_next_due_date_moves_as_payments_cover_the_instalments(company, buyer, manual, pay):
    issued = today() - timedelta(days=5)
    invoice = manual(buyer, "100.01", issue_date=issued, payment_term=term(company, ("30", 0), ("70", 30)))
    steps = [
        ("29.99", issued, "70.02"),  # the first instalment (30.00) is not covered yet
        ("0.01", issued + timedelta(days=30), "70.01"),
        ("70.00", issued + timedelta(days=30), "0.01"),
        ("0.01", None, "0.00"),
    ]
    for amount, next_due, due in steps:
        pay(buyer, amount, (invoice, amount))
        invoice.refresh_from_db()
        assert (invoice.next_due_date, invoice.amount_due) == (next_due, D(due))
    assert invoice.status == "paid" and invoice.payment_state == "paid"
    assert account(buyer).receivable == D("0.00")


# --- Posted invoices are frozen; drafts can go ---------------------------------------------------


def _frozen(invoice):
    return (
        Invoice.objects.filter(pk=invoice.pk).values().get(),
        list(invoice.lines.values()),
        list(invoice.instalments.values()),
        DocumentEvent.objects.count(),
        JournalEntry.objects.count(),
    )


def test_a_posted_invoice_cannot_be_edited_cancelled_or_posted_again_and_nothing_changes(
    acc, buyer, product, confirmed_order, bill, manual
):
    posted_from_order = bill(confirmed_order(buyer))
    posted_manual = manual(buyer, "10.00")
    for invoice in (posted_from_order, posted_manual):
        before = _frozen(invoice)
        with pytest.raises(NotEditable) as refused:
            services.invoice_update(invoice=invoice, actor=acc, values={"notes": "changed"})
        assert refused.value.code == "not_editable" and refused.value.status == 409
        with pytest.raises(NotEditable):
            services.invoice_update(
                invoice=invoice, actor=acc, values={}, lines=[{"product": product, "quantity": D("1"), "unit_price": D("1.00")}]
            )
        with pytest.raises(InvalidTransition) as refused:
            services.invoice_cancel(invoice=invoice, actor=acc, reason="oops")
        assert refused.value.code == "invalid_transition"
        with pytest.raises(InvalidTransition):
            services.invoice_post(invoice=invoice, actor=acc)
        assert _frozen(invoice) == before


def test_a_draft_can_be_cancelled_and_its_quantity_billed_again(company, acc, buyer, confirmed_order, bill):
    order = confirmed_order(buyer)
    draft = bill(order, post=False)
    assert draft.total_amount == D("121.00") and draft.number == ""
    cancelled = services.invoice_cancel(invoice=draft, actor=acc, reason="wrong address")
    assert cancelled.status == "cancelled"
    assert counter(company, "INV", today().year) is None  # drafts take no number
    again = bill(order)
    assert again.lines.get().quantity == D("10") and again.sequence == 1


def test_a_draft_can_be_edited(acc, buyer, product, manual, confirmed_order, bill):
    draft = manual(buyer, "10.00", post=False)
    changed = services.invoice_update(
        invoice=draft,
        actor=acc,
        values={"notes": "second floor", "customer_reference": "PO-7"},
        lines=[{"product": product, "quantity": D("3"), "unit_price": D("2.50")}],
    )
    assert (changed.notes, changed.customer_reference) == ("second floor", "PO-7")
    assert changed.total_amount == D("9.08")  # 7.50 + 21 % tax (1.575 -> 1.58)
    from_order = bill(confirmed_order(buyer), post=False)
    with pytest.raises(Invalid):
        services.invoice_update(
            invoice=from_order, actor=acc, values={}, lines=[{"product": product, "quantity": D("1"), "unit_price": D("1.00")}]
        )
    with pytest.raises(Invalid):
        services.invoice_update(invoice=from_order, actor=acc, values={"total_amount": D("1.00")})
    from_order.refresh_from_db()
    assert from_order.total_amount == D("121.00")


# --- What an order may bill ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["company", "customer"])
def test_on_delivery_bills_only_what_has_shipped_and_not_yet_billed(where, company, users, acc, member, customer_of, confirmed_order, bill):
    if where == "company":
        services.billing_settings_update(company=company, actor=users["admin"], values={"invoice_policy": "on_delivery"})
        customer = customer_of("sales", code="D001", status="active")
    else:
        customer = customer_of("sales", code="D001", status="active", invoice_policy="on_delivery")
    order = confirmed_order(customer, quantity="10")
    with pytest.raises(NothingToInvoice) as refused:
        bill(order, post=False)
    assert refused.value.code == "nothing_to_invoice" and refused.value.status == 409
    assert not Invoice.objects.exists()

    ship(order, "4")
    first = bill(order)
    assert (first.lines.get().quantity, first.total_amount) == (D("4"), D("48.40"))
    with pytest.raises(NothingToInvoice):
        bill(order)
    ship(order, "7")
    with pytest.raises(OverInvoicing) as refused:
        bill(order, "4")
    assert refused.value.code == "over_invoicing"
    second = bill(order)
    assert (second.lines.get().quantity, second.total_amount) == (D("3"), D("36.30"))
    assert Invoice.objects.count() == 2
    order.refresh_from_db()
    assert order.invoice_state == "partial" and order.lines.get().invoiced_quantity == D("7")


def test_only_a_confirmed_order_is_invoiced(users, member, acc, buyer, product, company, confirmed_order):
    draft = sales_services.order_create(
        company=company,
        actor=users["admin"],
        membership=member("admin"),
        customer=buyer,
        lines=[{"product": product, "quantity": D("1"), "unit_price": D("10.00")}],
    )
    cancelled = sales_services.order_cancel(order=confirmed_order(buyer), actor=users["admin"])
    for order in (draft, cancelled):
        with pytest.raises(InvalidTransition):
            services.invoice_from_order(order=order, actor=acc, membership=member("accountant"))
    assert not Invoice.objects.exists()


def test_the_customers_own_policy_wins_over_the_companys(company, users, customer_of, confirmed_order, bill):
    services.billing_settings_update(company=company, actor=users["admin"], values={"invoice_policy": "on_delivery"})
    customer = customer_of("sales", code="D002", status="active", invoice_policy="on_order")
    invoice = bill(confirmed_order(customer, quantity="10"))
    assert invoice.lines.get().quantity == D("10")


def test_asking_an_order_for_more_than_is_left_is_over_invoicing_and_nothing_is_saved(acc, member, buyer, confirmed_order, bill):
    order = confirmed_order(buyer, quantity="10")
    with pytest.raises(OverInvoicing):
        bill(order, "10.0001", post=False)
    bill(order, "6")
    with pytest.raises(OverInvoicing) as refused:
        bill(order, "5", post=False)
    assert refused.value.status == 409 and D(refused.value.details["billable"]) == D("4")
    other_line = confirmed_order(buyer, quantity="1").lines.get()
    with pytest.raises(Invalid) as refused:
        services.invoice_from_order(
            order=order, actor=acc, membership=member("accountant"), lines=[{"order_line": other_line, "quantity": D("1")}]
        )
    assert "order_line" in refused.value.details["lines"][0]
    assert Invoice.objects.count() == 1


def test_two_drafts_never_bill_the_same_quantity(acc, buyer, confirmed_order, bill):
    order = confirmed_order(buyer, quantity="10")
    first = bill(order, "6", post=False)
    second = bill(order, post=False)
    assert second.lines.get().quantity == D("4")
    with pytest.raises(NothingToInvoice):
        bill(order, post=False)
    with pytest.raises(OverInvoicing):
        bill(order, "1", post=False)
    services.invoice_post(invoice=second, actor=acc)
    services.invoice_post(invoice=first, actor=acc)
    order.refresh_from_db()
    assert order.lines.get().invoiced_quantity == D("10") and order.invoice_state == "invoiced"


def test_an_order_goes_from_none_to_partial_to_invoiced_and_to_paid(buyer, confirmed_order, bill, pay):
    order = confirmed_order(buyer, quantity="10")
    assert (order.invoice_state, order.payment_state) == ("none", "none")
    first = bill(order, "4")
    order.refresh_from_db()
    assert (order.invoice_state, order.payment_state, order.invoiced_amount) == ("partial", "none", D("48.40"))
    second = bill(order)
    order.refresh_from_db()
    assert (order.invoice_state, order.payment_state, order.invoiced_amount) == ("invoiced", "none", D("121.00"))
    pay(buyer, "48.40", (first, "48.40"))
    order.refresh_from_db()
    assert (order.payment_state, order.paid_amount) == ("partial", D("48.40"))
    pay(buyer, "72.60", (second, "72.60"))
    order.refresh_from_db()
    assert (order.invoice_state, order.payment_state, order.paid_amount) == ("invoiced", "paid", D("121.00"))


@pytest.mark.parametrize(
    ("price", "total", "per_unit", "left_after"),
    [
        # Billing one unit at a time rounds the tax per invoice: the parts come to more (9.09) or
        # less (8.34) than the order's total, and the last invoice still leaves exactly nothing open.
        ("2.50", "9.08", "3.03", ["6.05", "3.02", "0.00"]),
        ("2.30", "8.35", "2.78", ["5.57", "2.79", "0.00"]),
    ],
)
def test_open_orders_drop_as_invoices_post_and_reach_exactly_zero(buyer, confirmed_order, bill, price, total, per_unit, left_after):
    order = confirmed_order(buyer, quantity="3", price=price)
    assert order.total_amount == D(total)
    assert account(buyer).open_orders == D(total)
    for left in left_after:
        invoice = bill(order, "1")
        assert invoice.total_amount == D(per_unit)
        order.refresh_from_db()
        assert account(buyer).open_orders == D(left) == order.open_amount
    assert order.invoice_state == "invoiced"


# --- Ledger entries, document by document ------------------------------------------------------------


def test_an_invoice_debits_the_receivable_and_credits_revenue_and_tax(buyer, confirmed_order, bill):
    invoice = bill(confirmed_order(buyer, quantity="3", price="2.50"))
    assert (invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount) == (D("7.50"), D("1.58"), D("9.08"))
    entry = invoice.journal_entry
    assert booked(entry) == [
        ("receivable", buyer.pk, D("9.08"), D("0")),
        ("revenue", 0, D("0"), D("7.50")),
        ("tax_payable", 0, D("0"), D("1.58")),
    ]
    assert (entry.date, entry.content_type, entry.object_id) == (invoice.issue_date, ContentType.objects.get_for_model(Invoice), invoice.pk)
    assert JournalEntry.objects.filter(object_id=invoice.pk, content_type=entry.content_type).count() == 1


def test_a_credit_note_mirrors_the_invoice_entry(acc, buyer, confirmed_order, bill):
    invoice = bill(confirmed_order(buyer, quantity="3", price="2.50"))
    note = services.invoice_credit(invoice=invoice, actor=acc, lines=[{"invoice_line": invoice.lines.get().pk, "quantity": D("1")}])
    assert (note.untaxed_amount, note.tax_amount, note.total_amount) == (D("2.50"), D("0.53"), D("3.03"))
    assert booked(note.journal_entry) == [
        ("receivable", buyer.pk, D("0"), D("3.03")),
        ("revenue", 0, D("2.50"), D("0")),
        ("tax_payable", 0, D("0.53"), D("0")),
    ]
    invoice.refresh_from_db()
    assert (invoice.amount_credited, invoice.amount_due) == (D("3.03"), D("6.05"))
    assert account(buyer).receivable == D("6.05")


def test_a_payment_debits_cash_and_credits_the_receivable(buyer, confirmed_order, bill, pay):
    invoice = bill(confirmed_order(buyer))
    payment = pay(buyer, "50.05", (invoice, "50.00"))
    assert booked(payment.journal_entry) == [("cash", 0, D("50.05"), D("0")), ("receivable", buyer.pk, D("0"), D("50.05"))]
    assert payment.number == f"PAY-{today().year}-00001"
    assert (payment.allocated_amount, payment.unallocated_amount) == (D("50.00"), D("0.05"))
    assert account(buyer).receivable == D("70.95")


def test_deposit_entries_receive_apply_and_refund(company, acc, buyer, confirmed_order, bill):
    deposit = services.deposit_create(company=company, actor=acc, customer=buyer, amount=D("30.00"))
    assert booked(deposit.journal_entry) == [("cash", 0, D("30.00"), D("0")), ("customer_deposits", 0, D("0"), D("30.00"))]
    invoice = bill(confirmed_order(buyer))
    services.deposit_apply(deposit=deposit, invoice=invoice, amount=D("20.01"), actor=acc)
    applied = DepositApplication.objects.get(deposit=deposit, invoice=invoice)
    assert applied.amount == D("20.01")
    assert booked(applied.journal_entry) == [("customer_deposits", 0, D("20.01"), D("0")), ("receivable", buyer.pk, D("0"), D("20.01"))]
    services.deposit_refund(deposit=deposit, actor=acc)
    refund = DepositApplication.objects.get(deposit=deposit, invoice=None)
    assert refund.amount == D("9.99")
    assert booked(refund.journal_entry) == [("cash", 0, D("0"), D("9.99")), ("customer_deposits", 0, D("9.99"), D("0"))]
    assert account(buyer).receivable == D("100.99")


def test_a_write_off_debits_bad_debts_and_credits_the_receivable(acc, buyer, confirmed_order, bill, pay):
    invoice = bill(confirmed_order(buyer))
    pay(buyer, "21.00", (invoice, "21.00"))
    write_off = services.invoice_write_off(invoice=invoice, actor=acc, reason="customer insolvent")
    assert (write_off.amount, write_off.reason, write_off.actor) == (D("100.00"), "customer insolvent", acc)
    assert booked(write_off.journal_entry) == [("bad_debt", 0, D("100.00"), D("0")), ("receivable", buyer.pk, D("0"), D("100.00"))]
    assert account(buyer).receivable == D("0.00")


# --- Every maintained balance can be rebuilt from the entries and documents --------------------------------


def test_every_maintained_balance_rebuilds_from_the_entries_and_documents(
    company, users, acc, member, customer_of, confirmed_order, bill, pay
):
    a = customer_of("sales", code="R001", status="active")
    b = customer_of("sales2", code="R002", status="active")
    c = customer_of("sales3", code="R003", status="active")
    customers = [a, b, c]

    # A: a deposit on the order pays its invoices as they post; a payment with money left over;
    # a credit note of a paid invoice used against another invoice.
    order_a = confirmed_order(a, quantity="10")
    services.deposit_create(company=company, actor=acc, customer=a, amount=D("50.00"), sales_order=order_a)
    inv_a1 = bill(order_a, "4")
    inv_a2 = bill(order_a)
    pay(a, "100.00", (inv_a2, "50.00"))
    note_a = services.invoice_credit(invoice=inv_a1, actor=acc, lines=[{"invoice_line": inv_a1.lines.get().pk, "quantity": D("1")}])
    services.credit_note_apply(credit_note=note_a, invoice=inv_a2, amount=D("5.00"), actor=acc)
    bill(confirmed_order(a, quantity="3", price="2.30"), "2")  # partly invoiced order stays open

    # B: a partial write-off, a payment charged back, a payment allocated later.
    inv_b = bill(confirmed_order(b, quantity="3", price="2.50"))
    services.invoice_write_off(invoice=inv_b, actor=acc, reason="damaged in transit", amount=D("1.00"))
    charged_back = pay(b, "20.00", (inv_b, "2.03"))
    services.payment_reverse(payment=charged_back, actor=acc, reason="chargeback")
    later = pay(b, "5.00")
    services.payment_allocate(payment=later, actor=acc, allocations=[{"invoice": inv_b, "amount": D("3.00")}])

    # C: a deposit partly refunded, an order not invoiced, an order cancelled, a held order.
    deposit_c = services.deposit_create(company=company, actor=acc, customer=c, amount=D("40.00"))
    services.deposit_refund(deposit=deposit_c, actor=acc, amount=D("15.00"))
    confirmed_order(c, quantity="2")
    cancelled = confirmed_order(c, quantity="1")
    sales_services.order_cancel(order=cancelled, actor=users["admin"])
    c.credit_limit = D("1.00")
    c.save(update_fields=["credit_limit"])
    held = sales_services.order_create(
        company=company,
        actor=users["admin"],
        membership=member("admin"),
        customer=c,
        lines=[{"product": order_a.lines.get().product, "quantity": D("1"), "unit_price": D("10.00")}],
    )
    with pytest.raises(CreditLimitExceeded):
        sales_services.order_confirm(order=held, actor=users["admin"], membership=member("admin"))

    # The ledger's maintained rows equal the sums of its lines.
    assert ledger_selectors.maintained_balances(company) == ledger_selectors.balances_from_entries(company)
    trial = ledger_selectors.trial_balance(company)
    assert trial.total_debit == trial.total_credit > 0
    from_entries = ledger_selectors.customer_receivables_from_entries(company)
    held_total = D(0)
    for customer in customers:
        acc_row = account(customer)
        assert acc_row.receivable == from_entries.get(customer.pk, D("0.00")), customer.code
        # The receivable is also what the documents leave open: invoices due, less open credit
        # notes and unallocated money (every document here is in euros).
        invoices = Invoice.objects.filter(customer=customer, status__in=["posted", "paid"])
        due = invoices.filter(kind="invoice").aggregate(s=Sum("amount_due"))["s"] or D(0)
        credit = invoices.filter(kind="credit_note").aggregate(s=Sum("amount_due"))["s"] or D(0)
        unallocated = Payment.objects.filter(customer=customer, status="posted").aggregate(s=Sum("unallocated_amount"))["s"] or D(0)
        assert acc_row.receivable == D(due) - D(credit) - D(unallocated), customer.code
        held = Deposit.objects.filter(customer=customer).aggregate(s=Sum("held_amount"))["s"] or D(0)
        assert acc_row.unapplied_deposits == D(held), customer.code
        held_total += D(held)
        orders = SalesOrder.objects.filter(customer=customer)
        open_amount = orders.filter(status__in=["confirmed", "closed"]).aggregate(s=Sum("open_amount"))["s"] or D(0)
        assert acc_row.open_orders == D(open_amount), customer.code
        assert not orders.exclude(status__in=["confirmed", "closed"]).exclude(open_amount=0).exists()

    deposits_row = next(r for r in trial.rows if r.account.role == "customer_deposits")
    assert -deposits_row.balance == held_total == D("25.00")
    assert [account(x).receivable for x in customers] == [D("-35.53"), D("3.08"), D("0.00")]
    assert [account(x).open_orders for x in customers] == [D("2.78"), D("0.00"), D("24.20")]

    # Documents agree with their parts: payments with their allocations, invoices with what paid
    # them, deposits with their applications.
    for payment in Payment.objects.filter(status="posted"):
        allocated = payment.allocations.aggregate(s=Sum("amount"))["s"] or D(0)
        assert (payment.allocated_amount, payment.unallocated_amount) == (D(allocated), payment.amount - D(allocated))
    for invoice in Invoice.objects.filter(kind="invoice", status__in=["posted", "paid"]):
        allocations = PaymentAllocation.objects.filter(invoice=invoice, payment__status="posted").aggregate(s=Sum("amount"))["s"] or D(0)
        from_deposits = DepositApplication.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or D(0)
        assert invoice.amount_paid == D(allocations) + D(from_deposits), invoice.number
        assert invoice.amount_due == invoice.total_amount - invoice.amount_paid - invoice.amount_credited - invoice.amount_written_off
    for deposit in Deposit.objects.all():
        applied = deposit.applications.exclude(invoice=None).aggregate(s=Sum("amount"))["s"] or D(0)
        refunded = deposit.applications.filter(invoice=None).aggregate(s=Sum("amount"))["s"] or D(0)
        assert (deposit.applied_amount, deposit.refunded_amount) == (D(applied), D(refunded))
        assert deposit.held_amount == deposit.amount - D(applied) - D(refunded)
