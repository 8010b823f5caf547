"""Customer pages in the web_as UI: scope, forms, actions and exports."""

from django.urls import reverse

from salesdesk.core.models import AuditEntry
from salesdesk.customers.models import Customer, CustomerContact


def test_customer_list_shows_customers_and_search_filters_them(web_as, customer_of):
    customer_of("sales", code="C001", name="Alpha Foods")
    customer_of("sales", code="C002", name="Beta Tools")
    page = web_as("admin").get(reverse("customers:customer-list"))
    assert page.status_code == 200
    assert b"Alpha Foods" in page.content and b"Beta Tools" in page.content
    found = web_as("admin").get(reverse("customers:customer-list"), {"q": "beta"})
    assert b"Beta Tools" in found.content and b"Alpha Foods" not in found.content


def test_customer_list_filters_by_status_and_sorts(web_as, customer_of):
    customer_of("sales", code="C001", name="Zulu")
    customer_of("sales", code="C002", name="Alpha", status="active")
    page = web_as("admin").get(reverse("customers:customer-list"), {"status": "active"})
    assert b"Alpha" in page.content and b"Zulu" not in page.content
    page = web_as("admin").get(reverse("customers:customer-list"), {"sort": "-name"})
    assert page.content.index(b"Zulu") < page.content.index(b"Alpha")


def test_salesperson_sees_only_own_customers_and_gets_404_on_another(web_as, customer_of):
    mine = customer_of("sales", code="C001", name="Mine Ltd")
    theirs = customer_of("sales3", code="C002", name="Theirs Ltd")
    client = web_as("sales")
    page = client.get(reverse("customers:customer-list"))
    assert b"Mine Ltd" in page.content and b"Theirs Ltd" not in page.content
    assert client.get(reverse("customers:customer-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("customers:customer-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("customers:customer-update", args=[theirs.pk])).status_code == 404


def test_manager_sees_team_customers_but_not_other_teams(web_as, customer_of):
    customer_of("sales2", code="C001", name="Team Mate Co")
    customer_of("sales3", code="C002", name="South Co")
    page = web_as("manager").get(reverse("customers:customer-list"))
    assert b"Team Mate Co" in page.content and b"South Co" not in page.content


def test_create_with_duplicate_code_shows_error_next_to_field_and_saves_nothing(web_as, customer_of):
    customer_of("sales", code="C001")
    before = Customer.objects.count()
    page = web_as("sales").post(reverse("customers:customer-create"), {"code": "C001", "name": "Again"})
    assert page.status_code == 400
    assert b'id="error-code"' in page.content
    assert b"already exists" in page.content
    assert Customer.objects.count() == before


def test_create_without_name_shows_required_error(web_as, company):
    page = web_as("sales").post(reverse("customers:customer-create"), {"code": "C009"})
    assert page.status_code == 400
    assert b'id="error-name"' in page.content
    assert not Customer.objects.filter(code="C009").exists()


def test_salesperson_creates_customer_owned_by_themselves(web_as, users):
    response = web_as("sales").post(reverse("customers:customer-create"), {"code": "C100", "name": "New Co", "credit_limit": "500"})
    customer = Customer.objects.get(code="C100")
    assert response.status_code == 302 and response.url == reverse("customers:customer-detail", args=[customer.pk])
    assert customer.salesperson == users["sales"]
    assert AuditEntry.objects.filter(object_id=customer.pk, action="create").exists()
    page = web_as("sales").get(response.url)
    assert b"was created" in page.content


def test_salesperson_cannot_assign_customer_to_another_salesperson(web_as, users, customer_of):
    customer = customer_of("sales", code="C001")
    page = web_as("sales").post(
        reverse("customers:customer-update", args=[customer.pk]),
        {"code": "C001", "name": "Renamed", "salesperson": users["sales3"].pk},
    )
    assert page.status_code == 400
    customer.refresh_from_db()
    assert customer.salesperson == users["sales"] and customer.name != "Renamed"


def test_edit_customer_saves_and_records_history(web_as, customer_of):
    customer = customer_of("sales", code="C001", name="Old Name")
    response = web_as("admin").post(reverse("customers:customer-update", args=[customer.pk]), {"code": "C001", "name": "New Name"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "New Name"
    page = web_as("admin").get(reverse("customers:customer-detail", args=[customer.pk]))
    assert b"Old Name" in page.content  # the history shows the value before


def test_detail_shows_credit_with_no_limit(web_as, customer_of):
    customer = customer_of("sales", code="C001")
    page = web_as("sales").get(reverse("customers:customer-detail", args=[customer.pk]))
    assert b'id="no-limit"' in page.content


def test_block_needs_reason_and_then_blocks(web_as, customer_of):
    customer = customer_of("sales", code="C001")
    url = reverse("customers:customer-status", args=[customer.pk])
    web_as("sales").post(url, {"status": "blocked", "reason": ""})
    customer.refresh_from_db()
    assert customer.status == "prospect"
    web_as("sales").post(url, {"status": "blocked", "reason": "Unpaid invoices"})
    customer.refresh_from_db()
    assert customer.status == "blocked"


def test_salesperson_may_not_delete_a_customer(web_as, customer_of):
    customer = customer_of("sales", code="C001")
    client = web_as("sales")
    assert client.post(reverse("customers:customer-delete", args=[customer.pk])).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()
    page = client.get(reverse("customers:customer-detail", args=[customer.pk]))
    assert b'id="delete-button"' not in page.content


def test_warehouse_clerk_may_not_create_customers(web_as, company):
    assert web_as("warehouse").post(reverse("customers:customer-create"), {"code": "X", "name": "X"}).status_code == 403


def test_contacts_are_added_edited_and_deleted(web_as, customer_of):
    customer = customer_of("sales", code="C001")
    client = web_as("sales")
    client.post(reverse("customers:contact-create", args=[customer.pk]), {"name": "Ana", "email": "ana@example.com"})
    contact = CustomerContact.objects.get(customer=customer)
    client.post(reverse("customers:contact-update", args=[customer.pk, contact.pk]), {"name": "Ana Ruiz"})
    contact.refresh_from_db()
    assert contact.name == "Ana Ruiz"
    client.post(reverse("customers:contact-delete", args=[customer.pk, contact.pk]))
    assert not CustomerContact.objects.filter(pk=contact.pk).exists()


def test_csv_export_neutralizes_formula_cells(web_as, customer_of):
    customer_of("sales", code="C001", name='=HYPERLINK("http://x")')
    response = web_as("admin").get(reverse("customers:customer-list"), {"export": "csv"})
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body


def test_xlsx_export_is_a_workbook(web_as, customer_of):
    customer_of("sales", code="C001", name="+Plus")
    response = web_as("admin").get(reverse("customers:customer-list"), {"export": "xlsx"})
    assert response.content[:2] == b"PK"


def test_payment_term_lines_must_add_up_to_100(web_as, company):
    from salesdesk.customers.models import PaymentTerm

    data = {
        "name": "30/60",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-percent": "50",
        "lines-0-days": "30",
        "lines-1-percent": "40",
        "lines-1-days": "60",
    }
    page = web_as("accountant").post(reverse("customers:paymentterm-create"), data)
    assert page.status_code == 400 and b"100" in page.content
    assert not PaymentTerm.objects.filter(company=company).exists()
    data["lines-1-percent"] = "50"
    response = web_as("accountant").post(reverse("customers:paymentterm-create"), data)
    assert response.status_code == 302
    assert PaymentTerm.objects.get(company=company).lines.count() == 2


def test_a_zero_percent_instalment_is_a_form_error_not_a_server_error(web_as, company):
    from salesdesk.customers.models import PaymentTerm

    data = {
        "name": "Odd",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-percent": "100",
        "lines-0-days": "30",
        "lines-1-percent": "0",
        "lines-1-days": "60",
    }
    client = web_as("accountant")
    client.raise_request_exception = False
    page = client.post(reverse("customers:paymentterm-create"), data)
    assert page.status_code == 400
    assert page.context["formset"].forms[1].errors["percent"]
    assert not PaymentTerm.objects.filter(company=company).exists()


def test_customer_group_create_and_protected_delete(web_as, customer_of):
    from salesdesk.customers.models import CustomerGroup

    client = web_as("manager")
    client.post(reverse("customers:group-create"), {"name": "Retail"})
    group = CustomerGroup.objects.get(name="Retail")
    customer_of("sales", code="C001", group=group)
    response = client.post(reverse("customers:group-delete", args=[group.pk]), follow=True)
    assert CustomerGroup.objects.filter(pk=group.pk).exists()
    assert b"cannot be deleted" in response.content
