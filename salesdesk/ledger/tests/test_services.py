import datetime
import itertools
import random
from decimal import Decimal

import pytest
from django.db import transaction

from salesdesk.core.errors import DomainError, Invalid
from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import CustomerAccount
from salesdesk.customers.selectors import customer_credit
from salesdesk.ledger import selectors, services
from salesdesk.ledger.models import Account, AccountBalance, JournalEntry, JournalLine

D = Decimal
DAY = datetime.date(2026, 3, 15)


def sale(customer, net="100.00", tax="21.00"):
    total = D(net) + D(tax)
    return [
        {"role": "receivable", "debit": total, "credit": D(0), "customer": customer},
        {"role": "revenue", "debit": D(0), "credit": D(net)},
        {"role": "tax_payable", "debit": D(0), "credit": D(tax)},
    ]


def balance_of(company, role):
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit, row.credit) if row else (D(0), D(0))


def snapshot(company):
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        sorted(AccountBalance.objects.values_list("account_id", "debit", "credit")),
        sorted(CustomerAccount.objects.values_list("customer_id", "receivable")),
        sorted(NumberCounter.objects.values_list("company_id", "series", "year", "last_value")),
    )


@pytest.mark.django_db
def test_company_setup_creates_the_standard_chart_once(company):
    roles = set(Account.objects.filter(company=company).values_list("role", flat=True))
    assert roles == {r.value for r in Account.Role}
    assert Account.objects.get(company=company, role="receivable").code == "1100"
    services.chart_setup(company)
    assert Account.objects.filter(company=company).count() == len(Account.Role)


@pytest.mark.django_db
def test_account_for_sets_up_the_chart_of_an_older_company(company):
    Account.objects.filter(company=company).delete()
    assert services.account_for(company, "cash").code == "1000"
    assert Account.objects.filter(company=company).count() == len(Account.Role)


@pytest.mark.django_db
def test_posting_moves_account_balances_and_the_receivable(company, customers, users):
    c = customers[0]
    entry = services.post_entry(company=company, date=DAY, memo="Invoice", lines=sale(c), actor=users["admin"])
    assert entry.number == "JE-2026-00001"
    assert entry.lines.count() == 3
    assert balance_of(company, "receivable") == (D("121.00"), D("0.00"))
    assert balance_of(company, "revenue") == (D("0.00"), D("100.00"))
    assert balance_of(company, "tax_payable") == (D("0.00"), D("21.00"))
    assert customer_credit(c).receivable == D("121.00")
    payment = [
        {"role": "cash", "debit": D("50.10"), "credit": D(0)},
        {"role": "receivable", "debit": D(0), "credit": D("50.10"), "customer": c},
    ]
    second = services.post_entry(company=company, date=DAY, memo="Payment", lines=payment)
    assert second.number == "JE-2026-00002"
    assert customer_credit(c).receivable == D("70.90")
    tb = selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit == D("171.10")


def _bad_cases(customer, other_account, other_customer):
    return {
        "unbalanced": [{"role": "cash", "debit": D("10.00")}, {"role": "revenue", "credit": D("9.99")}],
        "one line": [{"role": "cash", "debit": D("10.00")}],
        "no lines": [],
        "zero": [{"role": "cash", "debit": D("0")}, {"role": "revenue", "credit": D("0")}],
        "both sides": [{"role": "cash", "debit": D("10"), "credit": D("10")}, {"role": "revenue", "credit": D("0.00"), "debit": D(0)}],
        "negative": [{"role": "cash", "debit": D("-10")}, {"role": "revenue", "credit": D("-10")}],
        "three decimals": [{"role": "cash", "debit": D("10.005")}, {"role": "revenue", "credit": D("10.005")}],
        "float": [{"role": "cash", "debit": 10.5}, {"role": "revenue", "credit": 10.5}],
        "other company's account": [{"account": other_account, "debit": D("10")}, {"role": "revenue", "credit": D("10")}],
        "other company's customer": [
            {"role": "receivable", "debit": D("10"), "customer": other_customer},
            {"role": "revenue", "credit": D("10")},
        ],
        "receivable without customer": [{"role": "receivable", "debit": D("10")}, {"role": "revenue", "credit": D("10")}],
        "unknown account": [{"account": 999999, "debit": D("10")}, {"role": "revenue", "credit": D("10")}],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    list(_bad_cases(None, None, None)),
)
def test_bad_entries_are_refused_and_nothing_is_saved(case, company, other_company, customers):
    from salesdesk.customers.models import Customer

    services.post_entry(company=company, date=DAY, lines=sale(customers[0]))  # a counter row and balances exist
    other_account = services.account_for(other_company, "cash")
    other_customer = Customer.objects.create(company=other_company, code="X1", name="Elsewhere")
    lines = _bad_cases(customers[0], other_account, other_customer)[case]
    before = snapshot(company)
    with pytest.raises(DomainError) as info:
        services.post_entry(company=company, date=DAY, lines=lines)
    expected = "unbalanced_entry" if case == "unbalanced" else "invalid"
    assert info.value.code == expected
    assert info.value.status == (409 if case == "unbalanced" else 400)
    assert snapshot(company) == before
    assert services.post_entry(company=company, date=DAY, lines=sale(customers[0])).number == "JE-2026-00002"


@pytest.mark.django_db
def test_a_failure_after_the_number_is_taken_gives_the_number_back(company, customers, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_move_balances", boom)
    # Posting is part of an action (an invoice posted, a payment recorded): the action's
    # transaction is what a failure undoes.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.post_entry(company=company, date=DAY, lines=sale(customers[0]))
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()
    assert customer_credit(customers[0]).receivable == D("0.00")
    monkeypatch.undo()
    assert services.post_entry(company=company, date=DAY, lines=sale(customers[0])).number == "JE-2026-00001"


@pytest.mark.django_db
def test_numbers_restart_each_year(company, customers):
    services.post_entry(company=company, date=DAY, lines=sale(customers[0]))
    entry = services.post_entry(company=company, date=datetime.date(2027, 1, 2), lines=sale(customers[0]))
    assert entry.number == "JE-2027-00001"


@pytest.mark.django_db
def test_reversal_mirrors_the_entry(company, customers, users):
    c = customers[1]
    original = services.post_entry(company=company, date=DAY, lines=sale(c, "40.00", "8.40"), source=c)
    reversal = services.reverse_entry(entry=original, actor=users["accountant"], date=DAY)
    assert reversal.reverses == original
    assert (reversal.content_type, reversal.object_id) == (original.content_type, original.object_id)
    mirrored = sorted((line.account_id, line.customer_id, line.credit, line.debit) for line in original.lines.all())
    assert sorted((line.account_id, line.customer_id, line.debit, line.credit) for line in reversal.lines.all()) == mirrored
    assert customer_credit(c).receivable == D("0.00")
    for row in selectors.trial_balance(company).rows:
        assert row.balance == 0
    assert "JE-2026-00001" in reversal.memo


@pytest.mark.django_db
def test_rebuilding_every_maintained_balance_from_the_entries_gives_the_same_figures(company, customers):
    rng = random.Random(20260315)
    accounts = list(Account.objects.filter(company=company))
    for _ in range(40):
        lines = []
        total = D(0)
        for _ in range(rng.randint(1, 4)):
            amount = D(rng.randint(1, 100_000)) / 100
            account = rng.choice(accounts)
            line = {"account": account, "debit": amount}
            if account.role == "receivable":
                line["customer"] = rng.choice(customers)
            lines.append(line)
            total += amount
        # Credits: the same total split over one to three lines.
        parts = rng.randint(1, 3)
        cents = int(total * 100)
        cuts = sorted(rng.sample(range(1, cents), parts - 1)) if cents > parts else []
        bounds = [0, *cuts, cents]
        for lo, hi in itertools.pairwise(bounds):
            account = rng.choice(accounts)
            line = {"account": account, "credit": D(hi - lo) / 100}
            if account.role == "receivable":
                line["customer"] = rng.choice(customers)
            lines.append(line)
        services.post_entry(company=company, date=DAY, lines=lines)
    assert selectors.maintained_balances(company) == selectors.balances_from_entries(company)
    rebuilt = selectors.customer_receivables_from_entries(company)
    for c in customers:
        assert customer_credit(c).receivable == rebuilt.get(c.pk, D("0.00"))
    tb = selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit > 0
    assert JournalEntry.objects.filter(company=company).count() == 40
    assert NumberCounter.objects.get(company=company, series="JE").last_value == 40


@pytest.mark.django_db
def test_trial_balance_reads_a_fixed_number_of_queries(company, customers, django_assert_max_num_queries):
    for _ in range(5):
        services.post_entry(company=company, date=DAY, lines=sale(customers[0]))
    with django_assert_max_num_queries(2):
        selectors.trial_balance(company)


def test_invalid_is_a_400():
    assert Invalid.status == 400 and services.UnbalancedEntry.status == 409
