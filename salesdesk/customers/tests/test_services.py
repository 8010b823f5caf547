"""Customer writes at the service level: ownership, status moves, payment terms, credit figures."""

from decimal import Decimal

import pytest

from salesdesk.accounts.models import Membership
from salesdesk.core.audit import history
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.customers import selectors, services
from salesdesk.customers.models import Customer, CustomerAccount, CustomerContact, PaymentTerm, PaymentTermLine


def member(users, company, name):
    return Membership.objects.get(company=company, user=users[name])


def create(users, company, as_, **values):
    return services.customer_create(
        company=company, actor=users[as_], membership=member(users, company, as_), values={"code": "C001", "name": "Alpha", **values}
    )


def test_a_new_customer_is_a_prospect_with_a_zero_credit_account(users, company):
    customer = create(users, company, "admin")
    assert customer.status == "prospect"
    account = CustomerAccount.objects.get(customer=customer)
    assert (account.receivable, account.open_orders, account.unapplied_deposits) == (0, 0, 0)


def test_contacts_filed_with_a_new_customer_are_saved_with_it(users, company):
    customer = services.customer_create(
        company=company,
        actor=users["sales"],
        membership=member(users, company, "sales"),
        values={"code": "C001", "name": "Alpha"},
        contacts=[{"name": "Ana", "is_primary": True}, {"name": "Bob"}],
    )
    assert list(customer.contacts.values_list("name", flat=True)) == ["Ana", "Bob"]


def test_a_bad_contact_leaves_no_customer_behind(users, company):
    with pytest.raises(Invalid):
        services.customer_create(
            company=company,
            actor=users["admin"],
            membership=member(users, company, "admin"),
            values={"code": "C001", "name": "Alpha"},
            contacts=[{"name": "Bob", "email": "not-an-email"}],
        )
    assert not Customer.objects.filter(company=company).exists()
    assert not CustomerAccount.objects.exists()
    assert not CustomerContact.objects.exists()


def test_a_salespersons_new_customer_is_their_own(users, company):
    assert create(users, company, "sales").salesperson == users["sales"]


def test_an_administrator_may_leave_the_salesperson_empty(users, company):
    assert create(users, company, "admin").salesperson is None


def test_a_salesperson_cannot_file_a_customer_for_someone_else(users, company):
    with pytest.raises(Invalid) as refused:
        create(users, company, "sales", salesperson=users["sales2"])
    assert list(refused.value.details) == ["salesperson"]
    assert not Customer.objects.filter(company=company).exists()


def test_a_manager_files_customers_for_their_team_only(users, company):
    assert create(users, company, "manager", salesperson=users["sales2"]).salesperson == users["sales2"]
    with pytest.raises(Invalid):
        create(users, company, "manager", code="C002", salesperson=users["sales3"])


def test_a_status_in_an_update_goes_through_the_workflow(users, company):
    customer = create(users, company, "admin")
    updated = services.customer_update(
        customer=customer, actor=users["admin"], membership=member(users, company, "admin"), values={"status": "blocked", "phone": "123"}
    )
    assert (updated.status, updated.phone) == ("blocked", "123")
    assert DocumentEvent.objects.filter(object_id=customer.pk, to_status="blocked").count() == 1


def test_an_illegal_status_in_an_update_changes_nothing(users, company):
    customer = create(users, company, "admin")
    services.customer_set_status(customer=customer, actor=users["admin"], status="active")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition):
        services.customer_update(
            customer=customer, actor=users["admin"], membership=member(users, company, "admin"), values={"status": "prospect", "phone": "1"}
        )
    customer.refresh_from_db()
    assert (customer.status, customer.phone) == ("active", "")
    assert AuditEntry.objects.count() == audit_before


def test_a_status_change_records_its_reason(users, company):
    customer = create(users, company, "admin")
    services.customer_set_status(customer=customer, actor=users["accountant"], status="blocked", note="90 days overdue")
    event = DocumentEvent.objects.get(object_id=customer.pk)
    assert (event.from_status, event.to_status, event.note, event.actor) == ("prospect", "blocked", "90 days overdue", users["accountant"])


def test_a_customer_with_contacts_is_deleted_with_them_and_audited(users, company):
    customer = create(users, company, "admin")
    services.contact_create(customer=customer, actor=None, values={"name": "Ana"})
    services.customer_delete(customer=customer, actor=users["admin"])
    assert not Customer.objects.filter(company=company).exists()
    assert not CustomerContact.objects.exists()
    assert history(customer).filter(action="delete", field="code", before="C001").exists()


# --- payment terms ------------------------------------------------------------------------


def test_a_payment_term_with_instalments_adding_up_to_one_hundred_is_saved(company):
    term = services.payment_term_save(
        company=company,
        actor=None,
        name="Thirds",
        lines=[{"percent": "33.3333", "days": 30}, {"percent": "33.3333", "days": 60}, {"percent": "33.3334", "days": 90}],
    )
    assert [(line.sequence, line.percent, line.days) for line in term.lines.all()] == [
        (0, Decimal("33.3333"), 30),
        (1, Decimal("33.3333"), 60),
        (2, Decimal("33.3334"), 90),
    ]
    assert history(term).get(field="lines").after == "33.3333% @ 30d; 33.3333% @ 60d; 33.3334% @ 90d"


@pytest.mark.parametrize(
    "lines",
    [[], [{"percent": "99.9999", "days": 0}], [{"percent": "100", "days": 0}, {"percent": "0.0001", "days": 30}]],
)
def test_a_payment_term_whose_instalments_do_not_add_up_is_refused(company, lines):
    with pytest.raises(Invalid) as refused:
        services.payment_term_save(company=company, actor=None, name="Odd", lines=lines)
    assert list(refused.value.details) == ["lines"]
    assert not PaymentTerm.objects.exists()


def test_changing_a_payment_term_replaces_its_lines(company):
    term = services.payment_term_save(company=company, actor=None, name="Net 30", lines=[{"percent": "100", "days": 30}])
    services.payment_term_save(company=company, actor=None, term=term, name="Net 45", lines=[{"percent": "100", "days": 45}])
    assert list(PaymentTermLine.objects.filter(term=term).values_list("days", flat=True)) == [45]
    assert history(term).filter(field="lines").first().before == "100% @ 30d"


def test_a_refused_payment_term_change_keeps_the_old_lines(company):
    term = services.payment_term_save(company=company, actor=None, name="Net 30", lines=[{"percent": "100", "days": 30}])
    with pytest.raises(Invalid):
        services.payment_term_save(company=company, actor=None, term=term, name="Net 45", lines=[{"percent": "50", "days": 45}])
    term.refresh_from_db()
    assert term.name == "Net 30"
    assert list(term.lines.values_list("percent", "days")) == [(Decimal("100"), 30)]


@pytest.mark.parametrize(
    ("percents", "named"),
    [(["100", "0"], ["lines[1]"]), (["60", "-10", "50"], ["lines[1]"]), (["110", "-10"], ["lines[0]", "lines[1]"])],
)
def test_an_instalment_of_zero_or_less_or_over_one_hundred_percent_is_refused_naming_it(company, percents, named):
    lines = [{"percent": p, "days": 30 * i} for i, p in enumerate(percents)]
    with pytest.raises(Invalid) as refused:
        services.payment_term_save(company=company, actor=None, name="Odd", lines=lines)
    assert sorted(refused.value.details) == named
    assert not PaymentTerm.objects.exists() and not PaymentTermLine.objects.exists()


def test_a_zero_percent_instalment_in_a_change_keeps_the_old_term(company):
    term = services.payment_term_save(company=company, actor=None, name="Net 30", lines=[{"percent": "100", "days": 30}])
    lines = [{"percent": "100", "days": 30}, {"percent": "0", "days": 60}]
    with pytest.raises(Invalid):
        services.payment_term_save(company=company, actor=None, term=term, name="Net 30/60", lines=lines)
    term.refresh_from_db()
    assert term.name == "Net 30"
    assert list(term.lines.values_list("percent", "days")) == [(Decimal("100"), 30)]


# --- credit figures -----------------------------------------------------------------------


def test_account_add_moves_the_maintained_figures(users, company):
    customer = create(users, company, "admin", credit_limit=Decimal("1000.00"))
    services.account_add(customer_id=customer.pk, company_id=company.pk, receivable=Decimal("121.00"), open_orders=Decimal("50.00"))
    services.account_add(customer_id=customer.pk, company_id=company.pk, open_orders=Decimal("-50.00"), unapplied_deposits=Decimal("20.00"))
    credit = selectors.customer_credit(customer)
    assert (credit.receivable, credit.open_orders, credit.unapplied_deposits) == (Decimal("121.00"), Decimal("0.00"), Decimal("20.00"))
    assert credit.exposure == Decimal("101.00")
    assert credit.available == Decimal("899.00")


def test_account_add_creates_the_row_when_it_is_missing(users, company):
    customer = create(users, company, "admin")
    CustomerAccount.objects.filter(customer=customer).delete()
    services.account_add(customer_id=customer.pk, company_id=company.pk, receivable=Decimal("10.00"))
    assert CustomerAccount.objects.get(customer=customer).receivable == Decimal("10.00")


def test_credit_without_an_account_row_is_zero(users, company):
    customer = create(users, company, "admin")
    CustomerAccount.objects.filter(customer=customer).delete()
    credit = selectors.customer_credit(customer)
    assert (credit.receivable, credit.exposure, credit.available) == (Decimal("0.00"), Decimal("0.00"), None)


def test_open_orders_cannot_go_below_zero(users, company):
    from django.db import IntegrityError, transaction

    customer = create(users, company, "admin")
    with pytest.raises(IntegrityError), transaction.atomic():
        services.account_add(customer_id=customer.pk, company_id=company.pk, open_orders=Decimal("-1.00"))
    assert CustomerAccount.objects.get(customer=customer).open_orders == Decimal("0")


def test_customers_visible_follows_the_record_scope(users, company, customer_of):
    for owner, code in (("sales", "C001"), ("sales2", "C002"), ("sales3", "C003")):
        customer_of(owner, code)
    visible = {
        name: sorted(selectors.customers_visible(company, member(users, company, name)).values_list("code", flat=True)) for name in users
    }
    assert visible["sales"] == ["C001"]
    assert visible["manager"] == ["C001", "C002"]
    assert visible["accountant"] == visible["admin"] == ["C001", "C002", "C003"]


def test_the_filing_salespeople_are_those_of_the_companys_customers_and_none_for_those_without(users, company, other_company):
    assert selectors.filing_salespeople(company) == set()
    for code, seller in (("F1", "sales"), ("F2", "sales"), ("F3", "sales2")):
        Customer.objects.create(company=company, code=code, name=code, salesperson=users[seller])
    Customer.objects.create(company=other_company, code="F9", name="Elsewhere", salesperson=users["sales3"])
    assert selectors.filing_salespeople(company) == {users["sales"].pk, users["sales2"].pk}
    Customer.objects.create(company=company, code="F4", name="Nobody's")
    assert selectors.filing_salespeople(company) == {users["sales"].pk, users["sales2"].pk, None}
    assert selectors.filing_salespeople(other_company) == {users["sales3"].pk}
