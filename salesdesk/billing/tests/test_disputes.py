"""Disputes: (part of) a posted invoice contested and kept out of dunning, then resolved by a credit
note worth exactly the disputed amount, a write-off, or collection; refused calls save nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.billing import services
from salesdesk.billing.errors import NotOpen, OverAllocation
from salesdesk.billing.models import Dispute, DunningLetter, Invoice, WriteOff
from salesdesk.catalog.models import Product, Tax
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import Account, AccountBalance, JournalEntry

D = Decimal
ROLE = Account.Role


def today() -> date:
    return timezone.localdate()


def ago(days: int) -> date:
    return today() - timedelta(days=days)


def balance(company, role) -> D:
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0.00")


def snapshot(company) -> dict:
    return {
        "invoices": sorted(
            Invoice.objects.filter(company=company).values_list("pk", "status", "amount_due", "disputed_amount", "disputed")
        ),
        "disputes": sorted(
            Dispute.objects.filter(company=company).values_list("pk", "status", "outcome", "credit_note_id", "write_off_id")
        ),
        "write_offs": WriteOff.objects.filter(company=company).count(),
        "entries": JournalEntry.objects.filter(company=company).count(),
        "counters": sorted(NumberCounter.objects.filter(company=company).values_list("series", "last_value")),
    }


@pytest.fixture
def vat10(company):
    return Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))


@pytest.fixture
def billed(company, acc, member, buyer, product, vat21):
    """`billed("1000.00", issued=ago(40))`: a posted invoice of one line at 21 % VAT (1210.00 for 1000.00)."""

    def make(net, *, issued=None, lines=None, post=True):
        invoice = services.invoice_create(
            company=company,
            actor=acc,
            membership=member("accountant"),
            customer=buyer,
            lines=lines or [{"product": product, "quantity": D("1"), "unit_price": D(net), "tax": vat21}],
            issue_date=issued,
        )
        return services.invoice_post(invoice=invoice, actor=acc) if post else invoice

    return make


# --- Opening ------------------------------------------------------------------------------------------------


def test_a_dispute_over_everything_due(company, acc, billed):
    invoice = billed("100.00")
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="not_received", note="never arrived")
    assert (dispute.amount, dispute.status, dispute.reason, dispute.note, dispute.opened_by) == (
        D("121.00"),
        "open",
        "not_received",
        "never arrived",
        acc,
    )
    invoice.refresh_from_db()
    assert (invoice.disputed_amount, invoice.disputed, invoice.amount_due) == (D("121.00"), True, D("121.00"))


def test_partial_disputes_add_up_to_what_is_due_and_no_further(company, acc, billed):
    invoice = billed("100.00")
    services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D("21.00"))
    services.dispute_open(invoice=invoice, actor=acc, reason="quality", amount="50.00")
    invoice.refresh_from_db()
    assert invoice.disputed_amount == D("71.00")
    before = snapshot(company)
    with pytest.raises(OverAllocation) as refused:
        services.dispute_open(invoice=invoice, actor=acc, reason="quality", amount=D("50.01"))
    assert refused.value.code == "over_allocation" and refused.value.status == 409
    assert D(refused.value.details["undisputed_due"]) == D("50.00")
    assert snapshot(company) == before
    rest = services.dispute_open(invoice=invoice, actor=acc, reason="other")  # all that is left undisputed
    assert rest.amount == D("50.00")
    with pytest.raises(OverAllocation):
        services.dispute_open(invoice=invoice, actor=acc, reason="other")
    invoice.refresh_from_db()
    assert invoice.disputed_amount == invoice.amount_due == D("121.00")


def test_disputing_more_than_is_due_is_refused_and_nothing_is_saved(company, acc, billed, buyer):
    invoice = billed("100.00")
    services.payment_create(
        company=company, actor=acc, customer=buyer, amount=D("100.00"), allocations=[{"invoice": invoice, "amount": D("100.00")}]
    )
    before = snapshot(company)
    with pytest.raises(OverAllocation):
        services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D("21.01"))
    assert snapshot(company) == before


@pytest.mark.parametrize(
    ("field", "value"), [("reason", "angry"), ("amount", D("-1")), ("amount", D("0")), ("amount", "1.001"), ("amount", "x")]
)
def test_bad_input_is_refused_and_nothing_is_saved(company, acc, billed, field, value):
    invoice = billed("100.00")
    values = {"reason": "price", "amount": D("10.00"), field: value}
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        services.dispute_open(invoice=invoice, actor=acc, **values)
    assert field in refused.value.details
    assert snapshot(company) == before


def test_only_a_posted_invoice_with_something_due_can_be_disputed(company, acc, billed, buyer):
    draft = billed("10.00", post=False)
    paid = billed("10.00")
    services.payment_create(
        company=company, actor=acc, customer=buyer, amount=D("12.10"), allocations=[{"invoice": paid, "amount": D("12.10")}]
    )
    note = services.invoice_credit(invoice=billed("10.00"), actor=acc, reason="wrong")
    before = snapshot(company)
    for invoice in (draft, paid, note):
        with pytest.raises(NotOpen):
            services.dispute_open(invoice=invoice, actor=acc, reason="price")
    assert snapshot(company) == before


# --- Dunning --------------------------------------------------------------------------------------------------


def test_dunning_skips_the_disputed_part_of_an_invoice(company, acc, billed, buyer):
    partly = billed("100.00", issued=ago(40))
    wholly = billed("50.00", issued=ago(40))
    services.dispute_open(invoice=partly, actor=acc, reason="price", amount=D("21.00"))
    services.dispute_open(invoice=wholly, actor=acc, reason="not_received")
    [letter] = services.dunning_run(company=company, actor=acc, send=False)
    assert (letter.customer, letter.total_overdue) == (buyer, D("100.00"))
    assert list(letter.lines.values_list("invoice_id", "amount_due")) == [(partly.pk, D("100.00"))]


def test_a_collected_dispute_is_dunned_again(company, acc, billed):
    invoice = billed("100.00", issued=ago(40))
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="quality")
    assert services.dunning_run(company=company, actor=acc, send=False) == []
    services.dispute_resolve(dispute=dispute, actor=acc, outcome="collect", note="customer agreed to pay")
    invoice.refresh_from_db()
    assert (invoice.disputed_amount, invoice.disputed, invoice.amount_due) == (D("0.00"), False, D("121.00"))
    [letter] = services.dunning_run(company=company, actor=acc, send=False)
    assert letter.total_overdue == D("121.00")
    assert DunningLetter.objects.count() == 1


# --- Resolving ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["121.00", "100.00", "50.00", "33.33", "12.10", "0.03", "0.01", "1.12", "60.50", "99.99"])
def test_a_credit_note_settles_exactly_the_disputed_amount_of_a_21_percent_invoice(company, acc, billed, buyer, amount):
    invoice = billed("100.00")
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D(amount))
    dispute = services.dispute_resolve(dispute=dispute, actor=acc, outcome="credit_note", note="agreed")
    note = dispute.credit_note
    assert (dispute.status, dispute.outcome, dispute.resolution_note, dispute.resolved_by) == ("resolved", "credit_note", "agreed", acc)
    assert (note.kind, note.original_invoice, note.total_amount) == ("credit_note", invoice, D(amount))
    assert note.untaxed_amount + note.tax_amount == D(amount)
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.disputed_amount, invoice.disputed) == (D("121.00") - D(amount), D("0.00"), False)
    assert CustomerAccount.objects.get(customer=buyer).receivable == D("121.00") - D(amount)
    assert balance(company, ROLE.RECEIVABLE) == D("121.00") - D(amount)
    tb = ledger_selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit


def test_a_cent_no_taxed_net_can_reach_goes_on_an_untaxed_line(company, acc, billed):
    """100.00 at 21 %: 82.64 + 17.35 = 99.99 and 82.65 + 17.36 = 100.01, so 0.01 goes on a line without tax."""
    invoice = billed("100.00")
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D("100.00"))
    note = services.dispute_resolve(dispute=dispute, actor=acc, outcome="credit_note").credit_note
    assert list(note.lines.order_by("sequence").values_list("amount", "tax_rate")) == [(D("82.64"), D("21.00")), (D("0.01"), None)]
    assert (note.untaxed_amount, note.tax_amount, note.total_amount) == (D("82.65"), D("17.35"), D("100.00"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cents=st.integers(min_value=1, max_value=121000))
def test_any_disputed_amount_is_credited_to_the_cent(company, acc, billed, buyer, cents):
    amount = D(cents) / 100
    with transaction.atomic():
        invoice = billed("1000.00")
        dispute = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=amount)
        note = services.dispute_resolve(dispute=dispute, actor=acc, outcome="credit_note").credit_note
        invoice.refresh_from_db()
        assert note.total_amount == amount
        assert invoice.amount_due == D("1210.00") - amount
        assert CustomerAccount.objects.get(customer=buyer).receivable == D("1210.00") - amount
        transaction.set_rollback(True)


def test_a_credit_note_over_two_tax_rates_is_exact_too(company, acc, billed, product, vat21, vat10):
    invoice = billed(
        None,
        lines=[
            {"product": product, "quantity": D("1"), "unit_price": D("100.00"), "tax": vat21},
            {"product": product, "quantity": D("1"), "unit_price": D("50.00"), "tax": vat10},
        ],
    )
    assert invoice.total_amount == D("176.00")
    for amount in ("100.00", "17.60", "0.37"):
        dispute = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D(amount))
        assert services.dispute_resolve(dispute=dispute, actor=acc, outcome="credit_note").credit_note.total_amount == D(amount)
    invoice.refresh_from_db()
    assert invoice.amount_due == D("176.00") - D("117.97")


def test_a_whole_invoice_disputed_over_a_tax_included_rate_takes_back_each_rates_tax(company, acc, billed, unit_pc, vat10):
    included21 = Tax.objects.create(company=company, name="VAT 21% incl.", rate=D("21"), included_in_price=True)
    a = Product.objects.create(company=company, sku="A", name="A", unit=unit_pc, list_price=D("121"), cost=D("1"), tax=included21)
    invoice = billed(
        None,
        lines=[
            {"product": a, "quantity": D("1"), "unit_price": D("121.00"), "tax": included21},  # 100.00 + 21.00
            {"product": a, "quantity": D("1"), "unit_price": D("100.00"), "tax": vat10},  # 100.00 + 10.00
        ],
    )
    assert (invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount) == (D("200.00"), D("31.00"), D("231.00"))
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="not_received")
    note = services.dispute_resolve(dispute=dispute, actor=acc, outcome="credit_note").credit_note
    assert (note.untaxed_amount, note.tax_amount, note.total_amount) == (D("200.00"), D("31.00"), D("231.00"))
    assert balance(company, Account.Role.TAX_PAYABLE) == D("0.00")


def test_a_write_off_takes_the_disputed_amount_to_bad_debts(company, acc, billed, buyer):
    invoice = billed("100.00")
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="quality", amount=D("40.00"))
    dispute = services.dispute_resolve(dispute=dispute, actor=acc, outcome="write_off", note="goodwill")
    assert (dispute.outcome, dispute.write_off.amount, dispute.write_off.reason) == ("write_off", D("40.00"), "goodwill")
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.disputed_amount, invoice.disputed) == (D("81.00"), D("0.00"), False)
    assert (balance(company, ROLE.BAD_DEBT), balance(company, ROLE.RECEIVABLE)) == (D("40.00"), D("81.00"))
    assert CustomerAccount.objects.get(customer=buyer).receivable == D("81.00")


def test_collect_changes_no_money(company, acc, billed):
    invoice = billed("100.00")
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="duplicate")
    entries = JournalEntry.objects.count()
    dispute = services.dispute_resolve(dispute=dispute, actor=acc, outcome="collect")
    assert (dispute.status, dispute.outcome, dispute.credit_note, dispute.write_off) == ("resolved", "collect", None, None)
    assert JournalEntry.objects.count() == entries
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.disputed_amount) == (D("121.00"), D("0.00"))


def test_resolving_one_of_two_disputes_keeps_the_other_out_of_dunning(company, acc, billed):
    invoice = billed("100.00", issued=ago(40))
    first = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D("21.00"))
    services.dispute_open(invoice=invoice, actor=acc, reason="quality", amount=D("30.00"))
    services.dispute_resolve(dispute=first, actor=acc, outcome="credit_note")
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.disputed_amount, invoice.disputed) == (D("100.00"), D("30.00"), True)
    [letter] = services.dunning_run(company=company, actor=acc, send=False)
    assert letter.total_overdue == D("70.00")


@pytest.mark.parametrize("outcome", ["credit_note", "write_off", "collect"])
def test_resolving_twice_is_an_invalid_transition_and_changes_nothing(company, acc, billed, outcome):
    invoice = billed("100.00")
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D("10.00"))
    services.dispute_open(invoice=invoice, actor=acc, reason="quality", amount=D("5.00"))
    services.dispute_resolve(dispute=dispute, actor=acc, outcome=outcome)
    before = snapshot(company)
    for again in ("credit_note", "write_off", "collect"):
        with pytest.raises(InvalidTransition) as refused:
            services.dispute_resolve(dispute=dispute, actor=acc, outcome=again)
        assert refused.value.code == "invalid_transition"
    assert snapshot(company) == before


def test_an_unknown_outcome_is_refused_and_the_dispute_stays_open(company, acc, billed):
    dispute = services.dispute_open(invoice=billed("100.00"), actor=acc, reason="price")
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        services.dispute_resolve(dispute=dispute, actor=acc, outcome="forget_it")
    assert "outcome" in refused.value.details
    assert snapshot(company) == before


def test_a_dispute_on_an_invoice_paid_meanwhile_is_collected_by_the_payment(company, acc, billed, buyer):
    invoice = billed("100.00")
    dispute = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D("21.00"))
    services.payment_create(
        company=company, actor=acc, customer=buyer, amount=D("121.00"), allocations=[{"invoice": invoice, "amount": D("121.00")}]
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due, invoice.disputed_amount, invoice.disputed) == ("paid", D("0.00"), D("0.00"), False)
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome, dispute.amount, dispute.resolved_by) == ("resolved", "collect", D("21.00"), acc)
    before = snapshot(company)
    for outcome in ("credit_note", "write_off", "collect"):
        with pytest.raises(InvalidTransition):
            services.dispute_resolve(dispute=dispute, actor=acc, outcome=outcome)
    assert snapshot(company) == before


def test_money_paid_into_the_disputed_part_lowers_the_newest_dispute_first(company, acc, billed, buyer):
    invoice = billed("100.00")  # 121.00
    older = services.dispute_open(invoice=invoice, actor=acc, reason="price", amount=D("21.00"))
    newer = services.dispute_open(invoice=invoice, actor=acc, reason="quality", amount=D("30.00"))
    # 70.00 is undisputed; the customer pays 80.00: 10.00 of it goes into what they disputed.
    services.payment_create(
        company=company, actor=acc, customer=buyer, amount=D("80.00"), allocations=[{"invoice": invoice, "amount": D("80.00")}]
    )
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.disputed_amount, invoice.disputed) == (D("41.00"), D("41.00"), True)
    assert list(Dispute.objects.filter(pk__in=[older.pk, newer.pk]).order_by("pk").values_list("status", "amount")) == [
        ("open", D("21.00")),
        ("open", D("20.00")),
    ]
    assert not DunningLetter.objects.exists() and services.dunning_run(company=company, actor=acc, on=today() + timedelta(days=400)) == []
