"""Receivables: ageing by instalment, customer statements from the ledger, dunning letters by level,
and write-offs to bad debts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from salesdesk.billing import ageing, selectors, services
from salesdesk.billing.errors import NotOpen, OverAllocation
from salesdesk.billing.models import DunningLetter, Invoice, WriteOff
from salesdesk.billing.services.dunning import level_for
from salesdesk.catalog.models import Currency, CurrencyRate
from salesdesk.core.errors import Invalid
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.customers.models import CustomerAccount, PaymentTerm, PaymentTermLine
from salesdesk.ledger.models import AccountBalance, JournalEntry

D = Decimal
BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90", "total")


def today() -> date:
    return timezone.localdate()


def ago(days: int) -> date:
    return today() - timedelta(days=days)


def receivable(customer) -> Decimal:
    return CustomerAccount.objects.get(customer=customer).receivable


def figures(row) -> dict:
    return {name: row[name] for name in BUCKETS}


def expect(**amounts) -> dict:
    return {name: D(amounts.get(name, "0.00")) for name in BUCKETS}


@pytest.fixture
def pay(company, acc):
    def make(customer, amount, *allocations, on=None):
        return services.payment_create(
            company=company,
            actor=acc,
            customer=customer,
            amount=D(amount),
            date=on,
            allocations=[{"invoice": invoice, "amount": D(a)} for invoice, a in allocations],
        )

    return make


@pytest.fixture
def report(company, member):
    def run(who="accountant", on=None, customer=None):
        result = selectors.ageing_report(company, member(who), on or today(), customer=customer)
        if customer is None:
            # The dashboards' totals, summed by the database, are the report's to the cent.
            assert selectors.ageing_totals(company, member(who), on or today()) == result["totals"]
        return result

    return run


# --- Ageing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_overdue", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
    ],
)
def test_the_bucket_of_an_amount_is_how_long_past_its_due_date(days_overdue, bucket):
    on = date(2026, 3, 1)
    assert ageing.bucket(on - timedelta(days=days_overdue), on) == bucket


def test_open_invoices_fall_in_their_ageing_buckets_at_the_edges(buyer, manual, report):
    for days, amount in [(0, "1.00"), (1, "2.00"), (30, "4.00"), (31, "8.00"), (60, "16.00"), (61, "32.00"), (90, "64.00"), (91, "128.00")]:
        manual(buyer, amount, issue_date=ago(days))
    result = report()
    assert [row["customer"] for row in result["rows"]] == [buyer]
    assert figures(result["rows"][0]) == expect(
        current="1.00", **{"1_30": "6.00", "31_60": "24.00", "61_90": "96.00", "over_90": "128.00", "total": "255.00"}
    )
    assert result["totals"] == figures(result["rows"][0])
    assert result["on"] == today()


def test_each_instalment_ages_from_its_own_due_date_and_unallocated_money_is_negative_current(company, buyer, manual, pay, report):
    term = PaymentTerm.objects.create(company=company, name="Half now, half in 45 days")
    PaymentTermLine.objects.create(company=company, term=term, sequence=0, percent=D("50"), days=0)
    PaymentTermLine.objects.create(company=company, term=term, sequence=1, percent=D("50"), days=45)
    invoice = manual(buyer, "200.00", issue_date=ago(100), payment_term=term)
    assert figures(report()["rows"][0]) == expect(**{"31_60": "100.00", "over_90": "100.00", "total": "200.00"})

    pay(buyer, "60.00", (invoice, "60.00"))  # pays the oldest instalment first
    assert figures(report()["rows"][0]) == expect(**{"31_60": "100.00", "over_90": "40.00", "total": "140.00"})

    pay(buyer, "25.00")  # not allocated: the customer's money in hand
    row = report()["rows"][0]
    assert figures(row) == expect(current="-25.00", **{"31_60": "100.00", "over_90": "40.00", "total": "115.00"})
    assert row["total"] == receivable(buyer)
    # Ten days on, the second instalment (then 65 days overdue) is in the next bucket; nothing else moves.
    later = report(on=today() + timedelta(days=10))["rows"][0]
    assert figures(later) == expect(current="-25.00", **{"61_90": "100.00", "over_90": "40.00", "total": "115.00"})


def test_rows_per_customer_add_up_to_the_totals_within_each_members_scope(customer_of, manual, pay, report):
    north1 = customer_of("sales", code="A001", status="active")
    north2 = customer_of("sales2", code="A002", status="active")
    south = customer_of("sales3", code="A003", status="active")
    manual(north1, "121.00", issue_date=ago(10))
    manual(north2, "50.00")
    paid = manual(north2, "70.00", issue_date=ago(200))
    pay(north2, "90.00", (paid, "70.00"))  # 20.00 left as credit
    pay(south, "15.00")

    result = report()
    assert [row["customer"] for row in result["rows"]] == [north1, north2, south]  # largest total first
    assert [figures(row) for row in result["rows"]] == [
        expect(**{"1_30": "121.00", "total": "121.00"}),
        expect(current="30.00", total="30.00"),
        expect(current="-15.00", total="-15.00"),
    ]
    for name in BUCKETS:
        assert result["totals"][name] == sum((row[name] for row in result["rows"]), D(0))
    assert result["totals"] == expect(current="15.00", **{"1_30": "121.00", "total": "136.00"})
    for row in result["rows"]:
        assert row["total"] == receivable(row["customer"])

    assert [row["customer"] for row in report("sales3")["rows"]] == [south]
    assert report("sales3")["totals"] == expect(current="-15.00", total="-15.00")
    assert [row["customer"] for row in report("sales")["rows"]] == [north1]
    assert [row["customer"] for row in report("manager")["rows"]] == [north1, north2]
    only = report(customer=north2)
    assert [row["customer"] for row in only["rows"]] == [north2] and only["totals"]["total"] == D("30.00")


def test_open_credit_on_a_credit_note_counts_as_negative_current(acc, buyer, manual, pay, report):
    invoice = manual(buyer, "121.00", issue_date=ago(50))
    pay(buyer, "121.00", (invoice, "121.00"))
    services.invoice_credit(invoice=invoice, actor=acc, reason="returned")
    assert figures(report()["rows"][0]) == expect(current="-121.00", total="-121.00")
    assert receivable(buyer) == D("-121.00")


# --- Statements ---------------------------------------------------------------------------------------


def test_a_statement_shows_the_opening_balance_the_movements_and_the_closing_balance(customer_of, buyer, manual, pay, company):
    first = manual(buyer, "121.00", issue_date=ago(40))
    payment = pay(buyer, "50.00", (first, "50.00"), on=ago(20))
    second = manual(buyer, "48.40", issue_date=ago(5))
    manual(customer_of("sales2", code="O001", status="active"), "999.00", issue_date=ago(6))  # someone else's

    statement = selectors.customer_statement(company, buyer, ago(30), today())
    assert (statement.opening_balance, statement.closing_balance) == (D("121.00"), D("119.40"))
    assert [(line["date"], line["document"], line["debit"], line["credit"], line["balance"]) for line in statement.lines] == [
        (ago(20), payment.number, D("0.00"), D("50.00"), D("71.00")),
        (ago(5), second.number, D("48.40"), D("0.00"), D("119.40")),
    ]
    assert statement.closing_balance == receivable(buyer)

    earlier = selectors.customer_statement(company, buyer, ago(45), ago(10))
    assert (earlier.opening_balance, earlier.closing_balance) == (D("0.00"), D("71.00"))
    assert [line["document"] for line in earlier.lines] == [first.number, payment.number]

    quiet = selectors.customer_statement(company, buyer, today() + timedelta(days=1), today() + timedelta(days=30))
    assert (quiet.opening_balance, quiet.closing_balance, quiet.lines) == (D("119.40"), D("119.40"), [])


# --- Dunning ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "level"), [(0, 0), (6, 0), (7, 1), (29, 1), (30, 2), (59, 2), (60, 3), (400, 3)])
def test_the_dunning_level_is_the_firmest_threshold_reached(days, level):
    assert level_for(days, [(1, 7), (2, 30), (3, 60)]) == level


def test_dunning_raises_levels_over_time_and_runs_once_a_day(company, acc, buyer, manual):
    old = manual(buyer, "100.00", issue_date=ago(10))
    recent = manual(buyer, "20.00", issue_date=ago(3))
    manual(buyer, "5.00")  # due today: not overdue

    letters = services.dunning_run(company=company, actor=acc, send=False)
    assert len(letters) == 1
    letter = letters[0]
    assert (letter.customer, letter.level, letter.date, letter.total_overdue) == (buyer, 1, today(), D("120.00"))
    assert letter.number == f"DUN-{today().year}-00001"
    assert list(letter.lines.values_list("invoice_id", "due_date", "days_overdue", "amount_due")) == [
        (old.pk, ago(10), 10, D("100.00")),
        (recent.pk, ago(3), 3, D("20.00")),
    ]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.dunning_level, recent.dunning_level) == (1, 0)
    assert DocumentEvent.objects.filter(object_id=old.pk, note__contains="dunning level 1").exists()

    assert services.dunning_run(company=company, actor=acc, send=False) == []
    assert DunningLetter.objects.count() == 1

    in_25_days = services.dunning_run(company=company, actor=acc, on=today() + timedelta(days=25), send=False)
    # old: 35 days overdue, recent: 28, the one due today: 25.
    assert [(x.level, x.total_overdue) for x in in_25_days] == [(2, D("125.00"))]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.dunning_level, recent.dunning_level) == (2, 1)
    in_55_days = services.dunning_run(company=company, actor=acc, on=today() + timedelta(days=55), send=False)
    assert [x.level for x in in_55_days] == [3]
    assert services.dunning_run(company=company, actor=acc, on=today() + timedelta(days=56), send=False) == []
    assert DunningLetter.objects.count() == 3


def test_dunning_follows_the_companys_thresholds_and_skips_paid_and_disputed_invoices(company, users, acc, customer_of, buyer, manual, pay):
    services.billing_settings_update(
        company=company, actor=users["admin"], values={"dunning_level_1_days": 3, "dunning_level_2_days": 9, "dunning_level_3_days": 20}
    )
    with pytest.raises(Invalid):
        services.billing_settings_update(company=company, actor=users["admin"], values={"dunning_level_2_days": 25})
    overdue = manual(buyer, "10.00", issue_date=ago(10))
    paid = manual(buyer, "11.00", issue_date=ago(50))
    pay(buyer, "11.00", (paid, "11.00"))
    disputed = manual(buyer, "12.00", issue_date=ago(50))
    services.dispute_open(invoice=disputed, actor=acc, reason="quality")
    other = customer_of("sales2", code="N001", status="active")
    manual(other, "13.00", issue_date=ago(2))  # 2 days: below the first threshold

    letters = services.dunning_run(company=company, actor=acc, send=False)
    assert [(x.customer, x.level, x.total_overdue) for x in letters] == [(buyer, 2, D("10.00"))]
    assert list(letters[0].lines.values_list("invoice_id", flat=True)) == [overdue.pk]


def test_dunning_letters_are_emailed_to_the_customer(company, acc, customer_of, buyer, manual):
    manual(buyer, "100.00", issue_date=ago(10))
    silent = customer_of("sales2", code="N002", status="active")  # no email address
    manual(silent, "10.00", issue_date=ago(10))
    letters = services.dunning_run(company=company, actor=acc)
    assert len(letters) == 2
    by_customer = {x.customer_id: x for x in letters}
    sent, unsent = by_customer[buyer.pk], by_customer[silent.pk]
    sent.refresh_from_db()
    unsent.refresh_from_db()
    assert (sent.sent_to, sent.sent_at is not None) == ("buyer@example.com", True)
    assert (unsent.sent_to, unsent.sent_at) == ("", None)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.com"]
    assert len(message.attachments) == 1 and message.attachments[0][1].startswith(b"%PDF")

    services.dunning_send(letter=sent, actor=acc, to="accounts@example.com")
    assert mail.outbox[-1].to == ["accounts@example.com"]
    sent.refresh_from_db()
    assert sent.sent_to == "accounts@example.com"


# --- Write-offs ---------------------------------------------------------------------------------------


def test_a_write_off_with_a_reason_goes_to_bad_debts(company, acc, buyer, manual):
    invoice = manual(buyer, "121.00")
    part = services.invoice_write_off(invoice=invoice, actor=acc, reason="disputed delivery charge", amount=D("20.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_written_off, invoice.amount_due) == ("posted", D("20.00"), D("101.00"))
    assert (part.amount, part.reason, part.actor) == (D("20.00"), "disputed delivery charge", acc)
    assert receivable(buyer) == D("101.00")
    rest = services.invoice_write_off(invoice=invoice, actor=acc, reason="customer insolvent")
    invoice.refresh_from_db()
    assert (rest.amount, invoice.status, invoice.amount_written_off, invoice.amount_due) == (D("101.00"), "paid", D("121.00"), D("0.00"))
    bad_debts = AccountBalance.objects.get(company=company, account__role="bad_debt")
    assert (bad_debts.debit, bad_debts.credit) == (D("121.00"), D("0.00"))
    assert receivable(buyer) == D("0.00")
    assert AuditEntry.objects.filter(object_id=invoice.pk, after__contains="customer insolvent").exists()


def _untouched(invoice):
    return (
        Invoice.objects.filter(pk=invoice.pk).values("status", "amount_due", "amount_written_off").get(),
        WriteOff.objects.count(),
        JournalEntry.objects.count(),
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_write_off_without_a_reason_is_a_400(acc, buyer, manual, reason):
    invoice = manual(buyer, "121.00")
    before = _untouched(invoice)
    with pytest.raises(Invalid) as refused:
        services.invoice_write_off(invoice=invoice, actor=acc, reason=reason)
    assert refused.value.status == 400 and "reason" in refused.value.details
    assert _untouched(invoice) == before


def test_a_write_off_of_a_paid_draft_or_credit_note_is_not_open(acc, buyer, manual, pay):
    paid = manual(buyer, "50.00")
    pay(buyer, "50.00", (paid, "50.00"))
    draft = manual(buyer, "10.00", post=False)
    open_invoice = manual(buyer, "121.00")
    note = services.invoice_credit(
        invoice=open_invoice, actor=acc, lines=[{"invoice_line": open_invoice.lines.get().pk, "quantity": D("1")}]
    )
    for invoice in (paid, draft, note):
        before = _untouched(invoice)
        with pytest.raises(NotOpen) as refused:
            services.invoice_write_off(invoice=invoice, actor=acc, reason="give up")
        assert (refused.value.code, refused.value.status) == ("not_open", 409)
        assert _untouched(invoice) == before


def test_writing_off_more_than_is_due_or_a_bad_amount_is_refused(acc, buyer, manual):
    invoice = manual(buyer, "121.00")
    before = _untouched(invoice)
    with pytest.raises(OverAllocation):
        services.invoice_write_off(invoice=invoice, actor=acc, reason="give up", amount=D("121.01"))
    for amount in ("0", "-1.00", "1.001", "NaN"):
        with pytest.raises(Invalid):
            services.invoice_write_off(invoice=invoice, actor=acc, reason="give up", amount=amount)
    assert _untouched(invoice) == before


def test_the_totals_summed_by_the_database_equal_the_report_with_instalments_currencies_and_credit(
    company, acc, customer_of, manual, pay, report
):
    """Instalments due on the same day, in another order than their sequence, paid in part; an
    invoice in dollars; a credit note's open credit; money in hand. `report()` compares the two."""
    usd = Currency.objects.create(company=company, code="USD", name="US dollar", decimal_places=2)
    CurrencyRate.objects.create(company=company, currency=usd, date=ago(400), rate=D("1.10"))
    term = PaymentTerm.objects.create(company=company, name="Three parts")
    for sequence, (percent, days) in enumerate([("30", 60), ("30", 0), ("40", 0)]):
        PaymentTermLine.objects.create(company=company, term=term, sequence=sequence, percent=D(percent), days=days)
    north = customer_of("sales", code="T001", status="active")
    south = customer_of("sales3", code="T002", status="active")
    split = manual(north, "333.33", issue_date=ago(75), payment_term=term)
    pay(north, "120.00", (split, "120.00"))  # covers the 100.00 due first and part of the next part due that day
    manual(north, "99.99", issue_date=ago(40), payment_term=term, currency=usd)
    manual(south, "500.00", issue_date=ago(120), currency=usd)
    pay(south, "50.00")  # money in hand
    credited = manual(south, "80.00", issue_date=ago(5))
    pay(south, "80.00", (credited, "80.00"))
    services.invoice_credit(invoice=credited, actor=acc, reason="returned")  # 80.00 of open credit
    result = report()
    assert result["totals"]["total"] > 0 and result["totals"]["31_60"] > 0 and result["totals"]["over_90"] > 0
    for who in ("sales", "sales3", "manager", "admin"):
        report(who)
    report(on=today() + timedelta(days=45))


def test_a_customer_owing_in_two_currencies_gets_a_letter_per_currency(company, acc, buyer, manual):
    from salesdesk.billing import documents

    dollars = Currency.objects.create(company=company, code="USD", name="US dollar")
    CurrencyRate.objects.create(company=company, currency=dollars, date=date(2020, 1, 1), rate=Decimal("1.10"))
    on = timezone.localdate()
    manual(buyer, "100.00", issue_date=on - timedelta(days=40))
    manual(buyer, "250.00", currency=dollars, issue_date=on - timedelta(days=20))
    letters = services.dunning_run(company=company, actor=acc, on=on, send=False)
    assert sorted((letter.currency.code, letter.total_overdue) for letter in letters) == [
        ("EUR", Decimal("100.00")),
        ("USD", Decimal("250.00")),
    ]
    for letter in letters:
        assert {line.invoice.currency_id for line in letter.lines.all()} == {letter.currency_id}
        assert f"{letter.total_overdue} {letter.currency.code}" in documents.render_dunning_html(letter)
