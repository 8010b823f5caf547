"""Invoices through the API: who may do what (the role table for billing writes, with nothing
saved on a refusal), record scope, list filters in the database, query-count pins, and the
PDF and e-invoice documents."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from salesdesk.billing.models import Invoice
from salesdesk.billing.tests.test_api import INVOICES, invoice_from, manual_invoice, ok, post, posted_invoice, refused, url
from salesdesk.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant(api_as):
    return api_as("accountant")


@pytest.fixture
def order(buyer, confirmed_order):
    """10 × 10.00 at 21 % VAT: 121.00."""
    return confirmed_order(buyer, quantity="10", price="10.00")


@pytest.fixture
def invoice(accountant, order):
    """The order billed and posted: 121.00 due."""
    return posted_invoice(accountant, order)


# --- who may do what ----------------------------------------------------------------------


def test_a_salesperson_reads_own_invoices_but_every_write_is_forbidden(api_as, accountant, order, invoice, buyer, product):
    sales = api_as("sales")
    assert ok(sales.get(url(invoice["id"])))["total_amount"] == "121.00"
    assert [row["id"] for row in ok(sales.get(INVOICES))["results"]] == [invoice["id"]]
    draft = manual_invoice(accountant, buyer, product)
    before = (Invoice.objects.count(), JournalEntry.objects.count())
    line = {"product": product.pk, "quantity": "1"}
    attempts = [
        post(sales, INVOICES, {"customer": buyer.pk, "lines": [line]}),
        post(sales, INVOICES, {"sales_order": order.pk}),
        sales.patch(url(draft["id"]), {"notes": "mine"}, format="json"),
        post(sales, url(draft["id"], "post")),
        post(sales, url(draft["id"], "cancel")),
        post(sales, url(invoice["id"], "credit")),
        post(sales, url(invoice["id"], "send")),
        post(sales, url(invoice["id"], "write-off"), {"reason": "no"}),
        post(sales, url(invoice["id"], "apply-credit"), {"invoice": invoice["id"], "amount": "1.00"}),
        sales.delete(url(draft["id"])),
    ]
    for response in attempts:
        refused(response, 403, "permission_denied")
    assert (Invoice.objects.count(), JournalEntry.objects.count()) == before
    stored = Invoice.objects.get(pk=draft["id"])
    assert (stored.status, stored.notes) == ("draft", "")
    assert Invoice.objects.get(pk=invoice["id"]).amount_due == Decimal("121.00")
    assert mail.outbox == []


def test_the_warehouse_sees_no_invoices_at_all(api_as, invoice, order):
    warehouse = api_as("warehouse")
    refused(warehouse.get(INVOICES), 403, "permission_denied")
    refused(warehouse.get(url(invoice["id"])), 403, "permission_denied")
    refused(warehouse.get(url(invoice["id"], "pdf")), 403, "permission_denied")
    refused(post(warehouse, INVOICES, {"sales_order": order.pk}), 403, "permission_denied")
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize("username", ["manager", "sales", "warehouse"])
def test_only_accountants_and_administrators_post_invoices(api_as, accountant, order, username):
    draft = invoice_from(accountant, order)
    refused(post(api_as(username), url(draft["id"], "post")), 403, "permission_denied")
    assert Invoice.objects.get(pk=draft["id"]).status == "draft"
    assert ok(post(api_as("admin"), url(draft["id"], "post")))["status"] == "posted"


def test_record_scope_hides_other_salespeoples_customers_invoices(api_as, accountant, invoice, customer_of, product):
    south = customer_of("sales3", "S001", status="active")
    theirs = manual_invoice(accountant, south, product)
    sales, sales3, manager = api_as("sales"), api_as("sales3"), api_as("manager")
    refused(sales3.get(url(invoice["id"])), 404, "not_found")
    refused(sales.get(url(theirs["id"])), 404, "not_found")
    assert [row["id"] for row in ok(sales3.get(INVOICES))["results"]] == [theirs["id"]]
    # The North manager sees the team's customers, not South's.
    assert [row["id"] for row in ok(manager.get(INVOICES))["results"]] == [invoice["id"]]
    refused(manager.get(url(theirs["id"])), 404, "not_found")
    assert {row["id"] for row in ok(accountant.get(INVOICES))["results"]} == {invoice["id"], theirs["id"]}


# --- lists --------------------------------------------------------------------------------


def test_invoice_lists_filter_in_the_database(accountant, company, buyer, customer_of, product, order, invoice):
    other = customer_of("sales2", "B002", status="active")
    draft = manual_invoice(accountant, other, product)
    partial = ok(post(accountant, url(manual_invoice(accountant, buyer, product, issue_date="2020-01-15")["id"], "post")))
    ok(
        post(
            accountant,
            "/api/v1/payments/",
            {"customer": buyer.pk, "amount": "10.00", "allocations": [{"invoice": partial["id"], "amount": "10.00"}]},
        ),
        201,
    )
    paid = ok(post(accountant, url(manual_invoice(accountant, buyer, product, quantity="1", price="10.00")["id"], "post")))
    ok(
        post(
            accountant,
            "/api/v1/payments/",
            {"customer": buyer.pk, "amount": "12.10", "allocations": [{"invoice": paid["id"], "amount": "12.10"}]},
        ),
        201,
    )

    def ids(**params):
        return sorted(row["id"] for row in ok(accountant.get(INVOICES, params))["results"])

    assert ids(payment_state="unpaid") == sorted([invoice["id"], draft["id"]])
    assert ids(payment_state="partial") == [partial["id"]]
    assert ids(payment_state="paid") == [paid["id"]]
    assert ids(status="draft") == [draft["id"]]
    assert ids(customer=other.pk) == [draft["id"]]
    assert ids(sales_order=order.pk) == [invoice["id"]]
    assert ids(overdue="true") == [partial["id"]]
    assert ids(overdue="false") == sorted([invoice["id"], draft["id"], paid["id"]])
    assert ids(issue_date_to="2020-12-31") == [partial["id"]]
    assert ids(issue_date_from=timezone.localdate().isoformat(), kind="invoice") == sorted([invoice["id"], draft["id"], paid["id"]])
    assert ids(search="B002") == [draft["id"]]
    assert ids(search=invoice["number"]) == [invoice["id"]]
    refused(accountant.get(INVOICES, {"payment_state": "settled"}), 400, "invalid")


@pytest.mark.parametrize("count", [3, 20])
def test_invoice_list_and_detail_cost_a_fixed_number_of_queries(accountant, api_as, buyer, product, count, django_assert_max_num_queries):
    for _ in range(count):
        draft = post(
            accountant,
            INVOICES,
            {"customer": buyer.pk, "lines": [{"product": product.pk, "quantity": "1"}, {"product": product.pk, "quantity": "2"}]},
        )
        ok(post(accountant, url(draft.json()["id"], "post")))
    detail = url(Invoice.objects.first().pk)
    for username in ("accountant", "sales"):
        client = api_as(username)
        with django_assert_max_num_queries(7, info=username):
            assert len(ok(client.get(INVOICES, {"page_size": 50}))["results"]) == count
        with django_assert_max_num_queries(7, info=username):
            assert len(ok(client.get(detail))["lines"]) == 2


# --- documents ----------------------------------------------------------------------------


def test_the_invoice_pdf_and_e_invoices_are_served(accountant, invoice):
    pdf = accountant.get(url(invoice["id"], "pdf"))
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:4]) == (200, "application/pdf", b"%PDF")
    assert invoice["number"] in pdf["Content-Disposition"]
    for fmt in ("cii", "ubl"):
        exported = accountant.get(url(invoice["id"], "einvoice"), {"format": fmt})
        assert (exported.status_code, exported["Content-Type"]) == (200, "application/xml"), exported.content[:300]
        assert invoice["number"].encode() in exported.content
    body = refused(accountant.get(url(invoice["id"], "einvoice"), {"format": "docx"}), 400, "invalid")
    assert "format" in body["details"]


def test_a_draft_is_no_e_invoice(accountant, buyer, product):
    draft = manual_invoice(accountant, buyer, product)
    refused(accountant.get(url(draft["id"], "einvoice"), {"format": "ubl"}), 409, "invalid_transition")
    pdf = accountant.get(url(draft["id"], "pdf"))
    assert (pdf.status_code, pdf.content[:4]) == (200, b"%PDF")
