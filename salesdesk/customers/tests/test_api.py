"""Customer files through the API: fields, contacts, status actions, credit, scopes, payment terms."""

from decimal import Decimal

import pytest

from salesdesk.catalog.models import Currency, PriceList
from salesdesk.core.audit import history
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.customers import services
from salesdesk.customers.models import Customer, CustomerContact, CustomerGroup, PaymentTerm


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def codes(response):
    return [c["code"] for c in results(response)]


@pytest.fixture
def net30(company):
    return services.payment_term_save(company=company, actor=None, name="Net 30", lines=[{"percent": Decimal("100"), "days": 30}])


@pytest.fixture
def retail(company):
    return PriceList.objects.create(company=company, name="Retail", currency=Currency.objects.get(company=company, code="EUR"))


@pytest.fixture
def wholesale(company, retail):
    return CustomerGroup.objects.create(company=company, name="Wholesale", price_list=retail)


# --- create, read, change -----------------------------------------------------------------


def test_a_customer_is_created_with_every_field(admin_api, org, users, net30, retail, wholesale):
    body = {
        "code": "C001",
        "name": "Alpha Traders",
        "legal_name": "Alpha Traders S.L.",
        "tax_id": "ESB12345678",
        "group": wholesale.pk,
        "region": org["regions"]["North"].pk,
        "salesperson": users["sales"].pk,
        "currency": "EUR",
        "payment_term": net30.pk,
        "price_list": retail.pk,
        "credit_limit": "5000.00",
        "overdue_block_days": 60,
        "email": "buyer@alpha.example",
        "phone": "+34 600 000 000",
        "billing_address": "Calle Mayor 1\nMadrid",
        "country": "ES",
        "shipping_address": "Polígono 7\nGetafe",
        "invoice_policy": "on_delivery",
        "notes": "Pays on time.",
        "contacts": [{"name": "Ana", "job_title": "Buyer", "email": "ana@alpha.example", "is_primary": True}],
    }
    response = admin_api.post("/api/v1/customers/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    contacts = data.pop("contacts")
    assert data == {**{k: v for k, v in body.items() if k != "contacts"}, "id": data["id"], "status": "prospect"}
    assert [(c["name"], c["job_title"], c["is_primary"]) for c in contacts] == [("Ana", "Buyer", True)]
    assert admin_api.get(f"/api/v1/customers/{data['id']}/").json()["credit_limit"] == "5000.00"
    customer = Customer.objects.get(pk=data["id"])
    assert history(customer).filter(action="create", field="credit_limit", after="5000.00").exists()


def test_a_customer_needs_only_a_code_and_a_name(admin_api):
    response = admin_api.post("/api/v1/customers/", {"code": "C001", "name": "Alpha"}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["credit_limit"], data["overdue_block_days"], data["currency"], data["salesperson"], data["status"]) == (
        None,
        None,
        None,
        None,
        "prospect",
    )


def test_patching_a_customer_changes_only_the_given_fields_and_audits_them(api_as, users, customer_of):
    customer = customer_of("sales", "C001", credit_limit=Decimal("1000.00"), email="old@example.com")
    response = api_as("accountant").patch(f"/api/v1/customers/{customer.pk}/", {"credit_limit": "2500.50"}, format="json")

    assert response.status_code == 200
    assert (response.json()["credit_limit"], response.json()["email"]) == ("2500.50", "old@example.com")
    [change] = history(customer).filter(action="update")
    assert (change.field, change.before, change.after, change.actor) == ("credit_limit", "1000.00", "2500.50", users["accountant"])


def test_clearing_the_credit_limit_means_no_limit(admin_api, customer_of):
    customer = customer_of("sales", "C001", credit_limit=Decimal("1000.00"))
    response = admin_api.patch(f"/api/v1/customers/{customer.pk}/", {"credit_limit": None}, format="json")
    assert response.json()["credit_limit"] is None
    assert admin_api.get(f"/api/v1/customers/{customer.pk}/credit/").json()["available"] is None


def test_an_invalid_patch_changes_nothing(admin_api, customer_of):
    customer = customer_of("sales", "C001", email="ok@example.com")
    audit_before = AuditEntry.objects.count()
    response = admin_api.patch(f"/api/v1/customers/{customer.pk}/", {"email": "nope", "name": "Renamed"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["email"]
    customer.refresh_from_db()
    assert (customer.email, customer.name) == ("ok@example.com", "Customer C001")
    assert AuditEntry.objects.count() == audit_before


def test_a_customer_without_documents_can_be_deleted(admin_api, customer_of):
    customer = customer_of("sales", "C001")
    assert admin_api.delete(f"/api/v1/customers/{customer.pk}/").status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_customers_are_searched_and_filtered(admin_api, customer_of, wholesale):
    customer_of("sales", "C001", name="Alpha Traders", group=wholesale)
    customer_of("sales2", "C002", name="Beta Foods", tax_id="ESB999")
    assert codes(admin_api.get("/api/v1/customers/?search=beta")) == ["C002"]
    assert codes(admin_api.get("/api/v1/customers/?search=ESB999")) == ["C002"]
    assert codes(admin_api.get(f"/api/v1/customers/?group={wholesale.pk}")) == ["C001"]
    assert codes(admin_api.get("/api/v1/customers/?status=prospect&ordering=-code")) == ["C002", "C001"]


# --- contacts -----------------------------------------------------------------------------


def test_contacts_are_filed_with_the_customer_and_then_on_their_own(admin_api, customer_of):
    created = admin_api.post("/api/v1/customers/", {"code": "C001", "name": "Alpha", "contacts": [{"name": "Ana"}]}, format="json").json()

    refused = admin_api.patch(f"/api/v1/customers/{created['id']}/", {"contacts": [{"name": "Bob"}]}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["details"]) == ["contacts"]

    added = admin_api.post(
        "/api/v1/customer-contacts/", {"customer": created["id"], "name": "Bob", "email": "bob@example.com"}, format="json"
    )
    assert added.status_code == 201
    listed = results(admin_api.get(f"/api/v1/customer-contacts/?customer={created['id']}"))
    assert sorted(c["name"] for c in listed) == ["Ana", "Bob"]
    assert sorted(c["name"] for c in admin_api.get(f"/api/v1/customers/{created['id']}/").json()["contacts"]) == ["Ana", "Bob"]

    contact_url = f"/api/v1/customer-contacts/{added.json()['id']}/"
    assert admin_api.patch(contact_url, {"job_title": "CFO"}, format="json").json()["job_title"] == "CFO"
    assert admin_api.delete(contact_url).status_code == 204
    assert list(CustomerContact.objects.values_list("name", flat=True)) == ["Ana"]


def test_a_contact_with_a_bad_email_is_refused(admin_api, customer_of):
    customer = customer_of("sales", "C001")
    response = admin_api.post("/api/v1/customer-contacts/", {"customer": customer.pk, "name": "Bob", "email": "bob"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["email"]


def test_contacts_of_customers_a_salesperson_cannot_see_are_invisible(api_as, customer_of):
    mine = customer_of("sales", "C001")
    theirs = customer_of("sales3", "C003")
    services.contact_create(customer=mine, actor=None, values={"name": "Mine"})
    hidden = services.contact_create(customer=theirs, actor=None, values={"name": "Theirs"})
    client = api_as("sales")

    assert [c["name"] for c in results(client.get("/api/v1/customer-contacts/"))] == ["Mine"]
    assert client.get(f"/api/v1/customer-contacts/{hidden.pk}/").status_code == 404
    assert client.patch(f"/api/v1/customer-contacts/{hidden.pk}/", {"name": "X"}, format="json").status_code == 404
    filed = client.post("/api/v1/customer-contacts/", {"customer": theirs.pk, "name": "Sneaky"}, format="json")
    assert filed.status_code == 400
    assert "customer" in filed.json()["details"]
    assert not CustomerContact.objects.filter(name="Sneaky").exists()


# --- status actions -----------------------------------------------------------------------


def test_a_prospect_is_activated_blocked_and_unblocked(api_as, users, customer_of):
    customer = customer_of("sales", "C001")
    client = api_as("sales")
    url = f"/api/v1/customers/{customer.pk}/"

    assert client.post(url + "activate/", {}, format="json").json()["status"] == "active"
    blocked = client.post(url + "block/", {"reason": "unpaid invoices"}, format="json")
    assert (blocked.status_code, blocked.json()["status"]) == (200, "blocked")
    assert client.post(url + "activate/", {}, format="json").json()["status"] == "active"

    events = DocumentEvent.objects.filter(object_id=customer.pk).order_by("id")
    assert [(e.from_status, e.to_status) for e in events] == [("prospect", "active"), ("active", "blocked"), ("blocked", "active")]
    assert events[1].note == "unpaid invoices"
    assert {e.actor for e in events} == {users["sales"]}


def test_an_illegal_status_change_is_a_409_and_changes_nothing(admin_api, customer_of):
    customer = customer_of("sales", "C001")
    admin_api.post(f"/api/v1/customers/{customer.pk}/activate/", {}, format="json")

    response = admin_api.post(f"/api/v1/customers/{customer.pk}/activate/", {}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert body["details"] == {"from_status": "active", "to_status": "active", "allowed": ["blocked"]}
    assert DocumentEvent.objects.filter(object_id=customer.pk).count() == 1


def test_a_warehouse_clerk_cannot_block_a_customer(api_as, customer_of):
    customer = customer_of("sales", "C001")
    response = api_as("warehouse").post(f"/api/v1/customers/{customer.pk}/block/", {}, format="json")
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).status == "prospect"


# --- credit -------------------------------------------------------------------------------


def test_a_new_customer_has_all_credit_figures_at_zero(admin_api, customer_of):
    customer = customer_of("sales", "C001", credit_limit=Decimal("1000"))
    assert admin_api.get(f"/api/v1/customers/{customer.pk}/credit/").json() == {
        "credit_limit": "1000.00",
        "receivable": "0.00",
        "open_orders": "0.00",
        "unapplied_deposits": "0.00",
        "exposure": "0.00",
        "available": "1000.00",
    }


def test_credit_exposure_is_receivable_plus_open_orders_less_deposits(api_as, customer_of):
    customer = customer_of("sales", "C001", credit_limit=Decimal("1000.00"))
    services.account_add(
        customer_id=customer.pk,
        company_id=customer.company_id,
        receivable=Decimal("300.10"),
        open_orders=Decimal("250.25"),
        unapplied_deposits=Decimal("50.00"),
    )
    services.account_add(customer_id=customer.pk, company_id=customer.company_id, receivable=Decimal("-100.00"))

    assert api_as("sales").get(f"/api/v1/customers/{customer.pk}/credit/").json() == {
        "credit_limit": "1000.00",
        "receivable": "200.10",
        "open_orders": "250.25",
        "unapplied_deposits": "50.00",
        "exposure": "400.35",
        "available": "599.65",
    }


def test_available_credit_is_null_without_a_limit_and_negative_when_exceeded(admin_api, customer_of):
    unlimited = customer_of("sales", "C001")
    tight = customer_of("sales", "C002", credit_limit=Decimal("100.00"))
    for c in (unlimited, tight):
        services.account_add(customer_id=c.pk, company_id=c.company_id, receivable=Decimal("150.00"))

    free = admin_api.get(f"/api/v1/customers/{unlimited.pk}/credit/").json()
    assert (free["credit_limit"], free["exposure"], free["available"]) == (None, "150.00", None)
    assert admin_api.get(f"/api/v1/customers/{tight.pk}/credit/").json()["available"] == "-50.00"


# --- record scopes ------------------------------------------------------------------------


@pytest.fixture
def book(customer_of):
    """One customer per salesperson and one of the manager's own."""
    for owner, code in (("sales", "C001"), ("sales2", "C002"), ("sales3", "C003"), ("manager", "C004")):
        customer_of(owner, code)


def test_a_salesperson_lists_only_their_own_customers(api_as, book):
    assert codes(api_as("sales").get("/api/v1/customers/")) == ["C001"]
    assert codes(api_as("sales3").get("/api/v1/customers/")) == ["C003"]


def test_a_manager_sees_their_team_and_their_own_but_not_other_teams(api_as, book):
    assert codes(api_as("manager").get("/api/v1/customers/")) == ["C001", "C002", "C004"]


@pytest.mark.parametrize("username", ["admin", "accountant", "warehouse"])
def test_company_wide_roles_see_every_customer(api_as, book, username):
    assert codes(api_as(username).get("/api/v1/customers/")) == ["C001", "C002", "C003", "C004"]


def test_a_salesperson_filing_a_customer_becomes_its_salesperson(api_as, users):
    response = api_as("sales").post("/api/v1/customers/", {"code": "C009", "name": "Mine"}, format="json")
    assert response.status_code == 201
    assert response.json()["salesperson"] == users["sales"].pk


def test_a_salesperson_cannot_give_a_customer_to_someone_else(api_as, users, customer_of, company):
    client = api_as("sales")
    response = client.post("/api/v1/customers/", {"code": "C009", "name": "X", "salesperson": users["sales2"].pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["salesperson"]
    assert not Customer.objects.filter(company=company, code="C009").exists()

    mine = customer_of("sales", "C001")
    moved = client.patch(f"/api/v1/customers/{mine.pk}/", {"salesperson": users["sales2"].pk}, format="json")
    assert moved.status_code == 400
    assert Customer.objects.get(pk=mine.pk).salesperson == users["sales"]


def test_a_manager_may_move_a_customer_within_the_team_but_not_outside(api_as, users, customer_of):
    customer = customer_of("sales", "C001")
    client = api_as("manager")
    assert client.patch(f"/api/v1/customers/{customer.pk}/", {"salesperson": users["sales2"].pk}, format="json").status_code == 200
    outside = client.patch(f"/api/v1/customers/{customer.pk}/", {"salesperson": users["sales3"].pk}, format="json")
    assert outside.status_code == 400
    assert Customer.objects.get(pk=customer.pk).salesperson == users["sales2"]


def test_a_manager_cannot_see_another_teams_customer(api_as, customer_of):
    theirs = customer_of("sales3", "C003")
    assert api_as("manager").get(f"/api/v1/customers/{theirs.pk}/").status_code == 404


# --- payment terms ------------------------------------------------------------------------


def test_payment_terms_are_created_changed_and_deleted(api_as, company):
    client = api_as("accountant")
    body = {"name": "30/60", "lines": [{"percent": "50", "days": 30}, {"percent": "50", "days": 60}]}
    created = client.post("/api/v1/payment-terms/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["lines"] == [{"percent": "50.00", "days": 30}, {"percent": "50.00", "days": 60}]
    url = f"/api/v1/payment-terms/{created.json()['id']}/"

    renamed = client.patch(url, {"name": "Half and half"}, format="json")
    assert renamed.json()["lines"] == created.json()["lines"]

    relined = client.patch(url, {"lines": [{"percent": "33.3333", "days": 0}, {"percent": "66.6667", "days": 90}]}, format="json")
    assert relined.status_code == 200
    assert relined.json() == {
        "id": created.json()["id"],
        "name": "Half and half",
        "lines": [{"percent": "33.3333", "days": 0}, {"percent": "66.6667", "days": 90}],
    }
    term = PaymentTerm.objects.get(pk=created.json()["id"])
    change = history(term).filter(field="lines").first()
    assert (change.before, change.after) == ("50% @ 30d; 50% @ 60d", "33.3333% @ 0d; 66.6667% @ 90d")

    assert client.delete(url).status_code == 204
    assert not PaymentTerm.objects.filter(company=company).exists()


def test_changing_lines_that_no_longer_add_up_is_refused_and_keeps_the_old_ones(api_as, net30):
    client = api_as("accountant")
    response = client.patch(f"/api/v1/payment-terms/{net30.pk}/", {"lines": [{"percent": "99.99", "days": 30}]}, format="json")
    assert response.status_code == 400
    assert "lines" in response.json()["details"]
    assert [(line.percent, line.days) for line in net30.lines.all()] == [(Decimal("100"), 30)]


def test_a_payment_term_in_use_cannot_be_deleted(api_as, customer_of, net30):
    customer_of("sales", "C001", payment_term=net30)
    response = api_as("accountant").delete(f"/api/v1/payment-terms/{net30.pk}/")
    assert (response.status_code, response.json()["code"]) == (409, "protected")


def test_only_accountants_and_administrators_change_payment_terms(api_as, net30):
    assert api_as("sales").get("/api/v1/payment-terms/").status_code == 200
    assert api_as("manager").patch(f"/api/v1/payment-terms/{net30.pk}/", {"name": "X"}, format="json").status_code == 403


# --- customer groups ----------------------------------------------------------------------


def test_customer_groups_carry_a_price_list(api_as, retail):
    response = api_as("manager").post("/api/v1/customer-groups/", {"name": "Retail", "price_list": retail.pk}, format="json")
    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "name": "Retail", "price_list": retail.pk}


# --- query counts -------------------------------------------------------------------------


def _many_customers(customer_of, wholesale, net30, retail, start, count):
    contact_values = {"name": "Someone", "email": "someone@example.com"}
    for i in range(start, start + count):
        owner = ("sales", "sales2")[i % 2]
        c = customer_of(owner, f"Q{i:03d}", group=wholesale, payment_term=net30, price_list=retail, credit_limit=Decimal("100"))
        services.contact_create(customer=c, actor=None, values=contact_values)


@pytest.mark.parametrize("username", ["admin", "manager"])
def test_the_customer_list_and_detail_cost_a_fixed_number_of_queries(
    api_as, customer_of, wholesale, net30, retail, company, django_assert_max_num_queries, username
):
    client = api_as(username)
    _many_customers(customer_of, wholesale, net30, retail, 0, 3)
    with django_assert_max_num_queries(9):
        assert len(results(client.get("/api/v1/customers/"))) == 3
    _many_customers(customer_of, wholesale, net30, retail, 3, 20)
    with django_assert_max_num_queries(9):
        assert len(results(client.get("/api/v1/customers/?page_size=50"))) == 23
    one = Customer.objects.filter(company=company).first()
    with django_assert_max_num_queries(9):
        assert client.get(f"/api/v1/customers/{one.pk}/").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(f"/api/v1/customers/{one.pk}/credit/").status_code == 200
    with django_assert_max_num_queries(9):
        assert len(results(client.get("/api/v1/customer-contacts/?page_size=50"))) == 23


def test_patching_the_status_is_refused_with_the_actions_named(api_as, customer_of):
    customer = customer_of("sales", "C-ST")
    response = api_as("admin").patch(f"/api/v1/customers/{customer.pk}/", {"status": "blocked", "name": "Renamed"}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["status"] == ["Change the status with the activate and block actions."]
    customer.refresh_from_db()
    assert (customer.status, customer.name) == ("prospect", "Customer C-ST")
