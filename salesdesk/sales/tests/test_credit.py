"""The credit rule at confirmation and amendment, the release of held orders, and its cost.

Exposure = receivable + open orders - unapplied deposits (company currency, tax included); an
order passes when exposure + order <= credit limit.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.billing import services as billing
from salesdesk.billing.models import Invoice
from salesdesk.catalog.models import Currency
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import AuditEntry, DocumentEvent, NumberCounter
from salesdesk.core.workflow import events_for
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import CustomerAccount
from salesdesk.customers.selectors import customer_credit
from salesdesk.sales import credit
from salesdesk.sales import services as sales
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked, NotAllowedToRelease
from salesdesk.sales.models import SalesOrder, SalesOrderRevision

D = Decimal


def today() -> date:
    return timezone.localdate()


def account(customer) -> CustomerAccount:
    return CustomerAccount.objects.get(customer=customer)


@pytest.fixture
def member(company, users):
    return lambda username: users[username].memberships.get(company=company)


@pytest.fixture
def draft(company, users, member, product):
    """`draft(customer, "10")`: a draft order of that many widgets at 10.00 + 21 % tax (12.10 each)."""

    def make(customer, quantity="10", who="admin"):
        return sales.order_create(
            company=company,
            actor=users[who],
            membership=member(who),
            customer=customer,
            lines=[{"product": product, "quantity": D(quantity), "unit_price": D("10.00")}],
        )

    return make


@pytest.fixture
def confirm(users, member):
    def run(order, who="admin"):
        return sales.order_confirm(order=order, actor=users[who], membership=member(who))

    return run


@pytest.fixture
def invoice(company, users, member, product):
    """`invoice(customer, "121.00", issued=...)`: a posted invoice (untaxed line) the customer owes."""

    def make(customer, amount, issued=None):
        accountant = users["accountant"]
        made = billing.invoice_create(
            company=company,
            actor=accountant,
            membership=member("accountant"),
            customer=customer,
            lines=[{"product": product, "quantity": D("1"), "unit_price": D(amount), "tax": None}],
            issue_date=issued,
        )
        return billing.invoice_post(invoice=made, actor=accountant)

    return make


def untouched(order) -> tuple:
    """What a refusal must leave as it was."""
    return (
        SalesOrder.objects.filter(pk=order.pk).values("status", "number", "sequence", "total_amount", "open_amount", "revision").get(),
        list(order.lines.values_list("id", "quantity", "amount")),
        events_for(order).count(),
        SalesOrderRevision.objects.filter(order=order).count(),
        sorted(NumberCounter.objects.values_list("series", "last_value")),
        sorted(CustomerAccount.objects.values_list("customer_id", "receivable", "open_orders", "unapplied_deposits")),
    )


# --- The rule at confirmation -----------------------------------------------------------------------


def test_exposure_is_receivable_plus_open_orders_less_unapplied_deposits(company, users, customer_of, draft, confirm, invoice):
    customer = customer_of("sales", code="K001", status="active", credit_limit=D("1000.00"))
    invoice(customer, "100.01")
    confirm(draft(customer, "3"))  # 36.30
    billing.deposit_create(company=company, actor=users["accountant"], customer=customer, amount=D("20.00"))
    figures = customer_credit(customer)
    assert (figures.receivable, figures.open_orders, figures.unapplied_deposits) == (D("100.01"), D("36.30"), D("20.00"))
    assert figures.exposure == D("116.31")
    assert figures.available == D("883.69")


def test_an_order_reaching_the_limit_exactly_is_confirmed(customer_of, draft, confirm, invoice):
    customer = customer_of("sales", code="K002", status="active", credit_limit=D("242.00"))
    invoice(customer, "121.00")
    order = confirm(draft(customer, "10"))  # 121.00 + 121.00 = 242.00
    assert order.status == "confirmed" and order.number.startswith("SO-")
    assert customer_credit(customer).available == D("0.00")


def test_one_cent_over_the_limit_holds_the_order_unnumbered(customer_of, draft, confirm, invoice):
    customer = customer_of("sales", code="K003", status="active", credit_limit=D("241.99"))
    invoice(customer, "121.00")
    order = draft(customer, "10")
    accounts_before = sorted(CustomerAccount.objects.values_list("customer_id", "receivable", "open_orders", "unapplied_deposits"))
    with pytest.raises(CreditLimitExceeded) as refused:
        confirm(order, who="sales")
    assert (refused.value.code, refused.value.status) == ("credit_limit_exceeded", 409)
    assert refused.value.details == {"credit_limit": "241.99", "exposure": "121.00", "order_amount": "121.00"}
    order.refresh_from_db()
    assert (order.status, order.number, order.sequence) == ("credit_hold", "", None)
    assert order.total_amount == D("121.00") and order.open_amount == D("0.00")
    assert sorted(CustomerAccount.objects.values_list("customer_id", "receivable", "open_orders", "unapplied_deposits")) == accounts_before
    assert [(e.from_status, e.to_status, e.note) for e in events_for(order)] == [("draft", "credit_hold", "credit_limit_exceeded")]
    with pytest.raises(InvalidTransition):
        confirm(order)  # a held order waits for its release


def test_without_a_credit_limit_every_order_passes(customer_of, draft, confirm, invoice):
    customer = customer_of("sales", code="K004", status="active")
    invoice(customer, "99999999.99")
    order = confirm(draft(customer, "100000"))
    assert order.status == "confirmed" and account(customer).open_orders == D("1210000.00")
    assert customer_credit(customer).available is None


def test_deposits_raise_the_available_credit(company, users, customer_of, draft, confirm):
    customer = customer_of("sales", code="K005", status="active", credit_limit=D("121.00"))
    confirm(draft(customer, "10"))
    second = draft(customer, "10")
    with pytest.raises(CreditLimitExceeded) as refused:
        confirm(second)
    assert refused.value.details["exposure"] == "121.00"
    third = draft(customer, "10")
    billing.deposit_create(company=company, actor=users["accountant"], customer=customer, amount=D("121.00"))
    assert customer_credit(customer).available == D("121.00")
    assert confirm(third).status == "confirmed"
    assert customer_credit(customer).available == D("0.00")


# --- Overdue invoices and blocked customers ---------------------------------------------------------------


def test_an_invoice_overdue_longer_than_allowed_blocks_the_customer(company, users, customer_of, draft, confirm, invoice):
    customer = customer_of("sales", code="K006", status="active", credit_limit=D("100000.00"), overdue_block_days=30)
    overdue = invoice(customer, "10.00", issued=today() - timedelta(days=31))
    order = draft(customer, "1")
    with pytest.raises(CustomerBlocked) as refused:
        confirm(order)
    assert (refused.value.code, refused.value.status) == ("customer_blocked", 409)
    assert refused.value.details == {
        "reason": "overdue",
        "oldest_due_date": (today() - timedelta(days=31)).isoformat(),
        "days_overdue": 31,
        "overdue_block_days": 30,
    }
    order.refresh_from_db()
    assert (order.status, order.number) == ("credit_hold", "")

    # Paid, the block lifts.
    billing.payment_create(
        company=company,
        actor=users["accountant"],
        customer=customer,
        amount=D("10.00"),
        allocations=[{"invoice": overdue, "amount": D("10.00")}],
    )
    assert account(customer).oldest_overdue_due_date is None
    assert confirm(draft(customer, "1")).status == "confirmed"


def test_an_invoice_overdue_exactly_the_allowed_days_does_not_block(customer_of, draft, confirm, invoice):
    customer = customer_of("sales", code="K007", status="active", overdue_block_days=30)
    invoice(customer, "10.00", issued=today() - timedelta(days=30))
    assert confirm(draft(customer, "1")).status == "confirmed"


def test_a_blocked_customer_file_refuses_the_order_and_leaves_it_a_draft(users, customer_of, draft, confirm):
    customer = customer_of("sales", code="K008", status="active")
    order = draft(customer, "1")
    customer_services.customer_set_status(customer=customer, actor=users["admin"], status="blocked", note="fraud check")
    before = untouched(order)
    with pytest.raises(CustomerBlocked) as refused:
        confirm(order)
    assert refused.value.code == "customer_blocked"
    assert untouched(order) == before
    order.refresh_from_db()
    assert order.status == "draft"


# --- Releasing a held order -----------------------------------------------------------------------------------


@pytest.fixture
def held(customer_of, draft, confirm):
    customer = customer_of("sales", code="K010", status="active", credit_limit=D("100.00"))
    order = draft(customer, "10")
    with pytest.raises(CreditLimitExceeded):
        confirm(order)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("who", ["manager", "accountant", "admin"])
def test_a_manager_accountant_or_administrator_releases_a_held_order(who, users, member, held):
    released = sales.order_release_credit(order=held, actor=users[who], membership=member(who), reason="pays on delivery, known 10 years")
    released.refresh_from_db()
    assert released.status == "confirmed" and released.number == f"SO-{held.date.year}-00001" and released.sequence == 1
    assert (released.credit_released_by, released.credit_release_reason) == (users[who], "pays on delivery, known 10 years")
    assert account(held.customer).open_orders == D("121.00")
    assert AuditEntry.objects.filter(
        object_id=held.pk, field="credit_release_reason", after="pays on delivery, known 10 years", actor=users[who]
    ).exists()
    last = list(events_for(held))[-1]
    assert (last.from_status, last.to_status, last.actor) == ("credit_hold", "confirmed", users[who])
    assert "pays on delivery, known 10 years" in last.note


@pytest.mark.parametrize("who", ["sales", "warehouse"])
def test_others_cannot_release_and_nothing_changes(who, users, member, held):
    before = untouched(held)
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(NotAllowedToRelease) as refused:
        sales.order_release_credit(order=held, actor=users[who], membership=member(who), reason="I know them")
    assert (refused.value.code, refused.value.status) == ("not_allowed_to_release", 403)
    assert untouched(held) == before and AuditEntry.objects.count() == audit_rows


def test_a_release_needs_a_reason_and_a_held_order(users, member, customer_of, draft, held):
    before = untouched(held)
    for reason in ("", "   "):
        with pytest.raises(Invalid) as refused:
            sales.order_release_credit(order=held, actor=users["manager"], membership=member("manager"), reason=reason)
        assert "reason" in refused.value.details
    assert untouched(held) == before
    not_held = draft(customer_of("sales", code="K011", status="active"), "1")
    with pytest.raises(InvalidTransition):
        sales.order_release_credit(order=not_held, actor=users["manager"], membership=member("manager"), reason="fine")


# --- Amendments ------------------------------------------------------------------------------------------------


def test_an_amendment_beyond_the_limit_is_refused_and_nothing_changes(users, member, product, customer_of, draft, confirm):
    customer = customer_of("sales", code="K012", status="active", credit_limit=D("150.00"))
    order = confirm(draft(customer, "10"))
    line = order.lines.get()
    before = untouched(order)
    with pytest.raises(CreditLimitExceeded) as refused:
        sales.order_amend(
            order=order,
            actor=users["admin"],
            membership=member("admin"),
            lines=[{"id": line.pk, "product": product, "quantity": D("13"), "unit_price": D("10.00")}],
            reason="more chairs",
        )
    # Only the increase (36.30) is new exposure: 121.00 are already in the open orders.
    assert refused.value.details == {"credit_limit": "150.00", "exposure": "121.00", "order_amount": "36.30"}
    assert untouched(order) == before

    amended = sales.order_amend(
        order=order,
        actor=users["admin"],
        membership=member("admin"),
        lines=[{"id": line.pk, "product": product, "quantity": D("12"), "unit_price": D("10.00")}],
        reason="two more",
    )
    assert (amended.total_amount, amended.revision) == (D("145.20"), 1)
    assert account(customer).open_orders == D("145.20")


def test_lowering_an_order_passes_even_over_the_limit(users, member, product, customer_of, draft, confirm, invoice):
    customer = customer_of("sales", code="K013", status="active", credit_limit=D("121.00"))
    order = confirm(draft(customer, "10"))
    invoice(customer, "50.00")  # now over the limit
    amended = sales.order_amend(
        order=order,
        actor=users["admin"],
        membership=member("admin"),
        lines=[{"id": order.lines.get().pk, "product": product, "quantity": D("5"), "unit_price": D("10.00")}],
    )
    assert amended.total_amount == D("60.50") and account(customer).open_orders == D("60.50")


# --- The pure rule ------------------------------------------------------------------------------------------------


def decide(limit, receivable="0", open_orders="0", deposits="0", order="0", oldest=None, block_days=None, today_=date(2026, 5, 31)):
    return credit.decide(
        credit_limit=None if limit is None else D(limit),
        receivable=D(receivable),
        open_orders=D(open_orders),
        unapplied_deposits=D(deposits),
        order_amount=D(order),
        oldest_due_date=oldest,
        overdue_block_days=block_days,
        today=today_,
    )


@pytest.mark.parametrize(
    ("kwargs", "refusal"),
    [
        ({"limit": "100.00", "receivable": "40.00", "open_orders": "30.00", "deposits": "10.00", "order": "40.00"}, None),
        (
            {"limit": "100.00", "receivable": "40.00", "open_orders": "30.00", "deposits": "10.00", "order": "40.01"},
            "credit_limit_exceeded",
        ),
        ({"limit": "0.00", "order": "0.01"}, "credit_limit_exceeded"),
        ({"limit": "0.00", "deposits": "5.00", "order": "5.00"}, None),
        ({"limit": None, "receivable": "1000000.00", "order": "1000000.00"}, None),
        ({"limit": "10.00", "receivable": "500.00", "order": "0.00"}, None),  # nothing new to risk
        ({"limit": None, "oldest": date(2026, 4, 30), "block_days": 30, "order": "1.00"}, "customer_blocked"),  # 31 days
        ({"limit": None, "oldest": date(2026, 5, 1), "block_days": 30, "order": "1.00"}, None),  # exactly 30 days
        ({"limit": "1000.00", "oldest": date(2020, 1, 1), "block_days": None, "order": "1.00"}, None),  # block off
        ({"limit": "1000.00", "oldest": None, "block_days": 0, "order": "1.00"}, None),  # nothing overdue
        ({"limit": "0.00", "oldest": date(2026, 5, 1), "block_days": 10, "order": "5.00"}, "customer_blocked"),  # block first
    ],
)
def test_decide(kwargs, refusal):
    assert decide(**kwargs).refusal == refusal


def test_the_refusal_details_are_strings():
    decision = decide("100.00", receivable="60.50", open_orders="20.00", deposits="0.50", order="20.01")
    assert decision.details == {"credit_limit": "100.00", "exposure": "80.00", "order_amount": "20.01"}


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(limit=money, receivable=st.decimals(min_value=-(10**9), max_value=10**9, places=2), open_orders=money, deposits=money, order=money)
def test_an_order_passes_if_and_only_if_it_fits_under_the_limit(limit, receivable, open_orders, deposits, order):
    decision = credit.decide(
        credit_limit=limit,
        receivable=receivable,
        open_orders=open_orders,
        unapplied_deposits=deposits,
        order_amount=order,
        oldest_due_date=None,
        overdue_block_days=None,
        today=date(2026, 5, 31),
    )
    fits = receivable + open_orders - deposits + order <= limit
    assert (decision.refusal is None) == (fits or order == 0)
    if decision.refusal:
        assert decision.refusal == "credit_limit_exceeded"
        assert D(decision.details["exposure"]) == receivable + open_orders - deposits


# --- Cost ------------------------------------------------------------------------------------------------------------


def test_confirming_costs_the_same_queries_whatever_the_customers_history(company, customer_of, draft, confirm):
    quiet = customer_of("sales", code="Q001", status="active", credit_limit=D("100000000.00"))
    busy = customer_of("sales", code="Q002", status="active", credit_limit=D("100000000.00"))
    warm_up = customer_of("sales", code="Q003", status="active", credit_limit=D("100000000.00"))
    confirm(draft(warm_up, "1"))  # counters, content types and settings exist from here on

    history = 3000
    euro = Currency.objects.get(company=company, code=company.base_currency)
    Invoice.objects.bulk_create(
        Invoice(
            company=company,
            customer=busy,
            currency=euro,
            status="posted",
            number=f"INV-2001-{n:05d}",
            series="INV",
            year=2001,
            sequence=n,
            issue_date=date(2001, 1, 1),
            due_date=today() + timedelta(days=30),
            next_due_date=today() + timedelta(days=30),
            untaxed_amount=D("100.00"),
            tax_amount=D("21.00"),
            total_amount=D("121.00"),
            amount_due=D("121.00"),
        )
        for n in range(1, history + 1)
    )
    CustomerAccount.objects.filter(customer=busy).update(receivable=D("121.00") * history)

    quiet_order, busy_order = draft(quiet, "1"), draft(busy, "1")
    with CaptureQueriesContext(connection) as for_quiet:
        confirm(quiet_order)
    with CaptureQueriesContext(connection) as for_busy:
        confirm(busy_order)
    assert len(for_busy.captured_queries) == len(for_quiet.captured_queries)
    assert not [q["sql"] for q in for_busy.captured_queries if "billing_invoice" in q["sql"]]
    assert customer_credit(busy).exposure == D("363012.10")
    assert DocumentEvent.objects.filter(object_id=busy_order.pk, to_status="confirmed").exists()
