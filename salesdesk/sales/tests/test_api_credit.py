"""Credit control on sales orders through the API: the 409 bodies of `confirm` with their
figures, the credit hold and its release, and the invoicing and payment figures billing keeps
on the order (stored, filtered in the database)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.billing import services as billing
from salesdesk.core.models import AuditEntry
from salesdesk.customers.models import CustomerAccount
from salesdesk.sales.models import SalesOrder

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/sales-orders/"


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


def post(client, path, body=None):
    return client.post(path, body or {}, format="json")


def new_order(client, customer, product, quantity="10", price="10.00"):
    """`quantity` × `price` at 21 % VAT (10 × 10.00: 121.00)."""
    line = {"product": product.pk, "quantity": quantity, "unit_price": price}
    return ok(post(client, ORDERS, {"customer": customer.pk, "lines": [line]}), 201)


@pytest.fixture
def limited(customer_of):
    """A customer with a credit limit of 200.00 and nothing owed yet."""
    return customer_of("sales", "L001", status="active", credit_limit=Decimal("200.00"))


def test_an_order_over_the_credit_limit_is_held_with_the_figures_and_released_by_a_manager(api_as, limited, product):
    sales, manager = api_as("sales"), api_as("manager")
    first = new_order(sales, limited, product)
    assert ok(post(sales, f"{ORDERS}{first['id']}/confirm/"))["open_amount"] == "121.00"

    second = new_order(sales, limited, product, quantity="7")  # 84.70: 121.00 + 84.70 > 200.00
    body = refused(post(sales, f"{ORDERS}{second['id']}/confirm/"), 409, "credit_limit_exceeded")
    assert body["details"] == {"credit_limit": "200.00", "exposure": "121.00", "order_amount": "84.70"}
    held = ok(sales.get(f"{ORDERS}{second['id']}/"))
    assert (held["status"], held["number"], held["total_amount"], held["open_amount"]) == ("credit_hold", "", "84.70", "0.00")
    assert CustomerAccount.objects.get(customer=limited).open_orders == Decimal("121.00")

    # The salesperson cannot release it, and must say why when they could.
    refused(post(sales, f"{ORDERS}{second['id']}/release-credit/", {"reason": "I know them"}), 403, "permission_denied")
    assert "reason" in refused(post(manager, f"{ORDERS}{second['id']}/release-credit/", {}), 400, "invalid")["details"]
    assert SalesOrder.objects.get(pk=second["id"]).status == "credit_hold"

    released = ok(post(manager, f"{ORDERS}{second['id']}/release-credit/", {"reason": "Paid on time for ten years"}))
    year = timezone.localdate().year
    assert (released["status"], released["number"], released["credit_release_reason"], released["open_amount"]) == (
        "confirmed",
        f"SO-{year}-00002",
        "Paid on time for ten years",
        "84.70",
    )
    assert CustomerAccount.objects.get(customer=limited).open_orders == Decimal("205.70")
    assert AuditEntry.objects.filter(object_id=str(second["id"])).exists()
    refused(post(manager, f"{ORDERS}{second['id']}/release-credit/", {"reason": "again"}), 409, "invalid_transition")


def test_reaching_the_limit_exactly_is_allowed(api_as, customer_of, product):
    exact = customer_of("sales", "L002", status="active", credit_limit=Decimal("121.00"))
    order = new_order(api_as("sales"), exact, product)
    assert ok(post(api_as("sales"), f"{ORDERS}{order['id']}/confirm/"))["status"] == "confirmed"


@pytest.mark.parametrize("username", ["accountant", "admin"])
def test_accountants_and_administrators_release_too(api_as, customer_of, product, username):
    tight = customer_of("sales", "L003", status="active", credit_limit=Decimal("50.00"))
    order = new_order(api_as("sales"), tight, product)
    refused(post(api_as("sales"), f"{ORDERS}{order['id']}/confirm/"), 409, "credit_limit_exceeded")
    assert ok(post(api_as(username), f"{ORDERS}{order['id']}/release-credit/", {"reason": "Prepaid by card"}))["status"] == "confirmed"


def test_the_warehouse_cannot_release_and_nothing_changes(api_as, customer_of, product):
    tight = customer_of("sales", "L004", status="active", credit_limit=Decimal("50.00"))
    order = new_order(api_as("sales"), tight, product)
    refused(post(api_as("sales"), f"{ORDERS}{order['id']}/confirm/"), 409, "credit_limit_exceeded")
    refused(post(api_as("warehouse"), f"{ORDERS}{order['id']}/release-credit/", {"reason": "x"}), 403, "permission_denied")
    stored = SalesOrder.objects.get(pk=order["id"])
    assert (stored.status, stored.number, stored.credit_release_reason) == ("credit_hold", "", "")
    assert CustomerAccount.objects.get(customer=tight).open_orders == Decimal("0.00")


def test_an_invoice_overdue_too_long_blocks_the_customer(api_as, users, company, customer_of, product):
    late_payer = customer_of("sales", "L005", status="active", overdue_block_days=30)
    accountant = users["accountant"]
    invoice = billing.invoice_create(
        company=company,
        actor=accountant,
        membership=accountant.memberships.get(company=company),
        customer=late_payer,
        lines=[{"product": product, "quantity": Decimal("1"), "unit_price": Decimal("10.00")}],
        issue_date=timezone.localdate() - timedelta(days=45),
    )
    billing.invoice_post(invoice=invoice, actor=accountant)
    order = new_order(api_as("sales"), late_payer, product)
    body = refused(post(api_as("sales"), f"{ORDERS}{order['id']}/confirm/"), 409, "customer_blocked")
    assert body["details"] == {
        "reason": "overdue",
        "oldest_due_date": (timezone.localdate() - timedelta(days=45)).isoformat(),
        "days_overdue": 45,
        "overdue_block_days": 30,
    }
    assert SalesOrder.objects.get(pk=order["id"]).status == "credit_hold"


def test_a_blocked_customer_file_refuses_confirmation_and_changes_nothing(api_as, users, customer_of, product):
    from salesdesk.customers import services as customer_services

    customer = customer_of("sales", "L006", status="active")
    order = new_order(api_as("sales"), customer, product)
    customer_services.customer_set_status(customer=customer, actor=users["admin"], status="blocked")
    refused(post(api_as("sales"), f"{ORDERS}{order['id']}/confirm/"), 409, "customer_blocked")
    stored = SalesOrder.objects.get(pk=order["id"])
    assert (stored.status, stored.number) == ("draft", "")


def test_the_order_shows_the_stored_billing_figures_and_lists_filter_on_them(
    api_as, users, company, customer_of, product, django_assert_max_num_queries
):
    sales, accountant_user = api_as("sales"), users["accountant"]
    customer = customer_of("sales", "L007", status="active")
    billed, waiting = new_order(sales, customer, product), new_order(sales, customer, product, quantity="1")
    for order in (billed, waiting):
        ok(post(sales, f"{ORDERS}{order['id']}/confirm/"))
    draft = new_order(sales, customer, product, quantity="2")
    membership = accountant_user.memberships.get(company=company)
    order = SalesOrder.objects.get(pk=billed["id"])
    line = order.lines.get()
    invoice = billing.invoice_from_order(
        order=order, actor=accountant_user, membership=membership, lines=[{"order_line": line.pk, "quantity": Decimal("4")}]
    )
    invoice = billing.invoice_post(invoice=invoice, actor=accountant_user)
    billing.payment_create(
        company=company,
        actor=accountant_user,
        customer=customer,
        amount=Decimal("20.00"),
        allocations=[{"invoice": invoice, "amount": Decimal("20.00")}],
    )

    shown = ok(sales.get(f"{ORDERS}{billed['id']}/"))
    assert (shown["invoice_state"], shown["payment_state"], shown["invoiced_amount"], shown["paid_amount"], shown["open_amount"]) == (
        "partial",
        "partial",
        "48.40",
        "20.00",
        "72.60",
    )

    def ids(**params):
        with django_assert_max_num_queries(7, info=str(params)):
            return sorted(row["id"] for row in ok(sales.get(ORDERS, params))["results"])

    assert ids(invoice_state="partial") == [billed["id"]]
    assert ids(invoice_state="none") == sorted([waiting["id"], draft["id"]])
    assert ids(invoice_state="invoiced") == []
    assert ids(payment_state="partial") == [billed["id"]]
    assert ids(payment_state="none", invoice_state="none") == sorted([waiting["id"], draft["id"]])
    assert "invoice_state" in refused(sales.get(ORDERS, {"invoice_state": "billed"}), 400, "invalid")["details"]


def test_the_schema_documents_the_credit_refusals_and_the_release():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    confirm = schema["paths"]["/api/v1/sales-orders/{id}/confirm/"]["post"]
    described = confirm["description"] + confirm["responses"]["409"]["description"]
    for words in ("credit_limit_exceeded", "customer_blocked", "credit_limit", "exposure", "order_amount", "credit_hold"):
        assert words in described, words
    release = schema["paths"]["/api/v1/sales-orders/{id}/release-credit/"]["post"]
    assert "not_allowed_to_release" in release["responses"]["403"]["description"]
    assert "invalid_transition" in release["responses"]["409"]["description"]
    codes = schema["components"]["schemas"]["Error"]["description"]
    assert "`credit_limit_exceeded`" in codes and "`customer_blocked`" in codes and "`not_allowed_to_release`" in codes
