"""Receivables through the API: the ageing report, customer statements, dunning letters and the
billing settings, with exact figures, roles and record scope."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from salesdesk.billing.models import BillingSettings, DunningLetter, Invoice
from salesdesk.billing.tests.test_api import manual_invoice, ok, post, refused

pytestmark = pytest.mark.django_db

AGING = "/api/v1/receivables/aging/"
LETTERS = "/api/v1/dunning-letters/"
SETTINGS = "/api/v1/billing-settings/"


@pytest.fixture
def accountant(api_as):
    return api_as("accountant")


def billed(client, customer, product, issued: date, quantity="2", price="50.00"):
    """A posted manual invoice issued (and, with no payment term, due) on `issued`: 2 × 50.00 + 21 % = 121.00."""
    draft = manual_invoice(client, customer, product, quantity=quantity, price=price, issue_date=issued.isoformat())
    return ok(post(client, f"/api/v1/invoices/{draft['id']}/post/"))


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


# --- ageing -------------------------------------------------------------------------------


def test_ageing_puts_each_open_amount_in_its_bucket_per_customer_and_in_total(accountant, api_as, buyer, customer_of, product):
    other = customer_of("sales3", "S001", name="South Ltd", status="active")
    billed(accountant, buyer, product, days_ago(0))
    late = billed(accountant, buyer, product, days_ago(45))
    billed(accountant, other, product, days_ago(100), quantity="1", price="10.00")
    ok(
        post(
            accountant,
            "/api/v1/payments/",
            {"customer": buyer.pk, "amount": "30.00", "allocations": [{"invoice": late["id"], "amount": "10.00"}]},
        ),
        201,
    )

    report = ok(accountant.get(AGING))
    assert report["date"] == timezone.localdate().isoformat()
    assert report["rows"] == [
        {
            "customer": buyer.pk,
            "customer_code": "B001",
            "customer_name": buyer.name,
            "current": "101.00",  # 121.00 not yet due less the 20.00 the customer has in hand
            "1_30": "0.00",
            "31_60": "111.00",
            "61_90": "0.00",
            "over_90": "0.00",
            "total": "212.00",
        },
        {
            "customer": other.pk,
            "customer_code": "S001",
            "customer_name": "South Ltd",
            "current": "0.00",
            "1_30": "0.00",
            "31_60": "0.00",
            "61_90": "0.00",
            "over_90": "12.10",
            "total": "12.10",
        },
    ]
    assert report["totals"] == {
        "current": "101.00",
        "1_30": "0.00",
        "31_60": "111.00",
        "61_90": "0.00",
        "over_90": "12.10",
        "total": "224.10",
    }

    # Thirty days on, everything has aged by a bucket; one customer at a time on request.
    later = ok(accountant.get(AGING, {"date": (timezone.localdate() + timedelta(days=30)).isoformat(), "customer": buyer.pk}))
    assert [(r["customer"], r["current"], r["1_30"], r["61_90"], r["total"]) for r in later["rows"]] == [
        (buyer.pk, "-20.00", "121.00", "111.00", "212.00")
    ]
    # A salesperson sees their own customers only, and cannot ask for another's.
    sales = api_as("sales")
    assert [r["customer"] for r in ok(sales.get(AGING))["rows"]] == [buyer.pk]
    assert ok(sales.get(AGING))["totals"]["total"] == "212.00"
    refused(sales.get(AGING, {"customer": other.pk}), 400, "invalid")
    refused(api_as("warehouse").get(AGING), 403, "permission_denied")
    refused(accountant.get(AGING, {"date": "yesterday"}), 400, "invalid")


# --- statements ---------------------------------------------------------------------------


def test_a_statement_shows_the_opening_balance_each_document_and_the_closing_balance(accountant, buyer, product):
    last_year = timezone.localdate().year - 1
    first = billed(accountant, buyer, product, date(last_year, 2, 10))
    payment = ok(post(accountant, "/api/v1/payments/", {"customer": buyer.pk, "amount": "50.00", "date": f"{last_year}-03-05"}), 201)
    second = billed(accountant, buyer, product, date(last_year, 6, 1), quantity="1", price="10.00")

    url = f"/api/v1/customers/{buyer.pk}/statement/"
    statement = ok(accountant.get(url, {"date_from": f"{last_year}-03-01", "date_to": f"{last_year}-12-31"}))
    assert (statement["customer"], statement["customer_code"], statement["date_from"], statement["date_to"]) == (
        buyer.pk,
        "B001",
        f"{last_year}-03-01",
        f"{last_year}-12-31",
    )
    assert statement["opening_balance"] == "121.00"
    assert [(line["date"], line["document"], line["debit"], line["credit"], line["balance"]) for line in statement["lines"]] == [
        (f"{last_year}-03-05", payment["number"], "0.00", "50.00", "71.00"),
        (f"{last_year}-06-01", second["number"], "12.10", "0.00", "83.10"),
    ]
    assert statement["closing_balance"] == "83.10"
    assert first["number"] not in {line["document"] for line in statement["lines"]}

    # By default: from the first of this year to today, so last year's documents are the opening balance.
    this_year = ok(accountant.get(url))
    assert (this_year["date_from"], this_year["date_to"]) == (
        date(timezone.localdate().year, 1, 1).isoformat(),
        timezone.localdate().isoformat(),
    )
    assert (this_year["opening_balance"], this_year["lines"], this_year["closing_balance"]) == ("83.10", [], "83.10")

    pdf = accountant.get(url, {"format": "pdf"})
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:4]) == (200, "application/pdf", b"%PDF")
    assert "B001" in pdf["Content-Disposition"]


def test_a_statement_is_refused_for_bad_dates_a_bad_format_and_customers_out_of_scope(accountant, api_as, buyer, customer_of):
    url = f"/api/v1/customers/{buyer.pk}/statement/"
    assert "date_from" in refused(accountant.get(url, {"date_from": "2025-02-01", "date_to": "2025-01-01"}), 400, "invalid")["details"]
    assert "format" in refused(accountant.get(url, {"format": "xlsx"}), 400, "invalid")["details"]
    south = customer_of("sales3", "S001")
    assert ok(api_as("sales").get(url))["closing_balance"] == "0.00"
    refused(api_as("sales").get(f"/api/v1/customers/{south.pk}/statement/"), 404, "not_found")
    refused(accountant.get("/api/v1/customers/999999/statement/"), 404, "not_found")
    refused(api_as("warehouse").get(url), 403, "permission_denied")


# --- dunning ------------------------------------------------------------------------------


def test_a_dunning_run_writes_and_emails_one_letter_per_customer_and_only_once(accountant, buyer, product):
    overdue = billed(accountant, buyer, product, days_ago(10))
    letters = ok(post(accountant, f"{LETTERS}run/"))
    assert len(letters) == 1
    [letter] = letters
    assert letter["number"].startswith("DUN-")
    assert (letter["customer"], letter["level"], letter["currency"], letter["total_overdue"], letter["sent_to"]) == (
        buyer.pk,
        1,
        "EUR",
        "121.00",
        "buyer@example.com",
    )
    assert letter["lines"] == [
        {
            "invoice": overdue["id"],
            "invoice_number": overdue["number"],
            "due_date": days_ago(10).isoformat(),
            "days_overdue": 10,
            "amount_due": "121.00",
        }
    ]
    assert [m.to for m in mail.outbox] == [["buyer@example.com"]]
    assert ok(post(accountant, f"{LETTERS}run/")) == []

    # Three weeks later the invoice deserves the second level.
    later = ok(post(accountant, f"{LETTERS}run/", {"date": (timezone.localdate() + timedelta(days=21)).isoformat()}))
    assert [(x["level"], x["lines"][0]["days_overdue"]) for x in later] == [(2, 31)]
    assert Invoice.objects.get(pk=overdue["id"]).dunning_level == 2

    resent = ok(post(accountant, f"{LETTERS}{letter['id']}/send/", {"to": "ap@buyer.example"}))
    assert resent["sent_to"] == "ap@buyer.example"
    assert mail.outbox[-1].to == ["ap@buyer.example"]
    assert [row["id"] for row in ok(accountant.get(LETTERS, {"level": 1}))["results"]] == [letter["id"]]


def test_salespeople_read_their_customers_letters_but_cannot_run_or_send_them(accountant, api_as, buyer, customer_of, product):
    south = customer_of("sales3", "S001", status="active")
    billed(accountant, buyer, product, days_ago(10))
    billed(accountant, south, product, days_ago(10))
    sales = api_as("sales")
    refused(post(sales, f"{LETTERS}run/"), 403, "permission_denied")
    assert not DunningLetter.objects.exists()
    assert mail.outbox == []
    letters = ok(post(accountant, f"{LETTERS}run/"))
    assert len(letters) == 2
    mine = next(x for x in letters if x["customer"] == buyer.pk)
    theirs = next(x for x in letters if x["customer"] == south.pk)
    assert [row["id"] for row in ok(sales.get(LETTERS))["results"]] == [mine["id"]]
    refused(sales.get(f"{LETTERS}{theirs['id']}/"), 404, "not_found")
    sent = len(mail.outbox)
    refused(post(sales, f"{LETTERS}{mine['id']}/send/"), 403, "permission_denied")
    assert len(mail.outbox) == sent
    refused(api_as("warehouse").get(LETTERS), 403, "permission_denied")


# --- settings -----------------------------------------------------------------------------


def test_billing_settings_are_read_by_sellers_and_changed_by_accountants(accountant, api_as, company):
    defaults = {
        "invoice_policy": "on_order",
        "apply_deposits_automatically": True,
        "dunning_level_1_days": 7,
        "dunning_level_2_days": 30,
        "dunning_level_3_days": 60,
    }
    assert ok(api_as("sales").get(SETTINGS)) == defaults
    refused(api_as("warehouse").get(SETTINGS), 403, "permission_denied")
    refused(api_as("sales").patch(SETTINGS, {"dunning_level_1_days": 3}, format="json"), 403, "permission_denied")
    refused(api_as("manager").patch(SETTINGS, {"dunning_level_1_days": 3}, format="json"), 403, "permission_denied")
    assert ok(accountant.get(SETTINGS)) == defaults

    changed = ok(accountant.patch(SETTINGS, {"invoice_policy": "on_delivery", "dunning_level_1_days": 3}, format="json"))
    assert changed == {**defaults, "invoice_policy": "on_delivery", "dunning_level_1_days": 3}
    body = refused(accountant.patch(SETTINGS, {"dunning_level_2_days": 2}, format="json"), 400, "invalid")
    assert "dunning_level_2_days" in body["details"]
    body = refused(accountant.patch(SETTINGS, {"invoice_policy": "on_whim"}, format="json"), 400, "invalid")
    assert "invoice_policy" in body["details"]
    stored = BillingSettings.objects.get(company=company)
    assert (stored.invoice_policy, stored.dunning_level_1_days, stored.dunning_level_2_days) == ("on_delivery", 3, 30)
