"""Invoices and credit notes through the API.

The money story with exact figures, each action's allowed and refused case, and bad input that
names the field with nothing saved. Roles, record scope, lists, query counts and documents:
`test_api_access.py`; payments and deposits: `test_api_money.py`; receivables: `test_api_receivables.py`.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from salesdesk.billing.models import Invoice, InvoiceLine, WriteOff
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices/"
ORDERS = "/api/v1/sales-orders/"


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


def url(invoice_id, action=None):
    return f"{INVOICES}{invoice_id}/" + (f"{action}/" if action else "")


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, format="json", **headers)


def invoice_from(client, order, **extra):
    return ok(post(client, INVOICES, {"sales_order": order.pk, **extra}), 201)


def posted_invoice(client, order, **extra):
    draft = invoice_from(client, order, **extra)
    return ok(post(client, url(draft["id"], "post")))


def manual_invoice(client, customer, product, quantity="2", price="50.00", **extra):
    line = {"product": product.pk, "quantity": quantity, "unit_price": price}
    return ok(post(client, INVOICES, {"customer": customer.pk, "lines": [line], **extra}), 201)


def year():
    return timezone.localdate().year


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


# --- the money story ----------------------------------------------------------------------


def test_an_order_is_invoiced_posted_paid_in_part_and_credited_with_exact_figures(accountant, order, buyer):
    draft = invoice_from(accountant, order)
    assert (draft["kind"], draft["status"], draft["number"], draft["sequence"], draft["payment_state"]) == (
        "invoice",
        "draft",
        "",
        None,
        "unpaid",
    )
    assert (draft["customer"], draft["sales_order"], draft["delivery"], draft["currency"]) == (buyer.pk, order.pk, None, "EUR")
    assert (draft["untaxed_amount"], draft["tax_amount"], draft["total_amount"]) == ("100.00", "21.00", "121.00")
    [line] = draft["lines"]
    assert (line["quantity"], line["unit_price"], line["amount"], line["order_line"], line["credited_quantity"]) == (
        "10.00",
        "10.00",
        "100.00",
        order.lines.get().pk,
        "0.00",
    )

    posted = ok(post(accountant, url(draft["id"], "post")))
    today = timezone.localdate()
    assert (posted["status"], posted["number"], posted["series"], posted["sequence"], posted["year"]) == (
        "posted",
        f"INV-{year()}-00001",
        "INV",
        1,
        year(),
    )
    assert (posted["issue_date"], posted["due_date"], posted["amount_due"]) == (today.isoformat(), today.isoformat(), "121.00")
    assert posted["instalments"] == [{"due_date": today.isoformat(), "amount": "121.00"}]
    assert CustomerAccount.objects.get(customer=buyer).receivable == Decimal("121.00")

    payment = ok(
        post(
            accountant,
            "/api/v1/payments/",
            {"customer": buyer.pk, "amount": "50.00", "allocations": [{"invoice": posted["id"], "amount": "50.00"}]},
        ),
        201,
    )
    assert (payment["allocated_amount"], payment["unallocated_amount"]) == ("50.00", "0.00")
    paid = ok(accountant.get(url(posted["id"])))
    assert (paid["amount_paid"], paid["amount_due"], paid["payment_state"], paid["status"]) == ("50.00", "71.00", "partial", "posted")

    so = ok(accountant.get(f"{ORDERS}{order.pk}/"))
    assert (so["invoice_state"], so["payment_state"], so["invoiced_amount"], so["paid_amount"], so["open_amount"]) == (
        "invoiced",
        "partial",
        "121.00",
        "50.00",
        "0.00",
    )

    line_id = posted["lines"][0]["id"]
    note = ok(
        post(accountant, url(posted["id"], "credit"), {"lines": [{"invoice_line": line_id, "quantity": "2"}], "reason": "Damaged"}), 201
    )
    assert (note["kind"], note["status"], note["number"], note["original_invoice"], note["reason"]) == (
        "credit_note",
        "paid",
        f"CN-{year()}-00001",
        posted["id"],
        "Damaged",
    )
    assert (note["total_amount"], note["amount_due"], note["lines"][0]["original_line"]) == ("24.20", "0.00", line_id)
    after = ok(accountant.get(url(posted["id"])))
    assert (after["amount_credited"], after["amount_due"], after["lines"][0]["credited_quantity"]) == ("24.20", "46.80", "2.00")
    assert CustomerAccount.objects.get(customer=buyer).receivable == Decimal("46.80")


def test_a_manual_draft_is_changed_then_posted_with_instalments_from_the_payment_term(accountant, buyer, product, company):
    from salesdesk.customers import services as customer_services

    term = customer_services.payment_term_save(
        company=company, actor=None, name="30/60", lines=[{"percent": Decimal("50"), "days": 30}, {"percent": Decimal("50"), "days": 60}]
    )
    draft = manual_invoice(accountant, buyer, product, quantity="3", price="10.00", notes="By hand")
    assert (draft["total_amount"], draft["sales_order"], draft["notes"], draft["lines"][0]["description"]) == (
        "36.30",
        None,
        "By hand",
        "Widget",
    )
    changed = ok(
        accountant.patch(
            url(draft["id"]),
            {
                "payment_term": term.pk,
                "customer_reference": "PO-7",
                "lines": [{"product": product.pk, "quantity": "1", "unit_price": "33.33"}],
            },
            format="json",
        )
    )
    assert (changed["payment_term"], changed["customer_reference"], changed["total_amount"], changed["tax_amount"]) == (
        term.pk,
        "PO-7",
        "40.33",
        "7.00",
    )
    assert len(changed["lines"]) == 1

    posted = ok(post(accountant, url(draft["id"], "post")))
    issue = timezone.localdate()
    assert posted["instalments"] == [
        {"due_date": (issue + timedelta(days=30)).isoformat(), "amount": "20.17"},
        {"due_date": (issue + timedelta(days=60)).isoformat(), "amount": "20.16"},
    ]
    assert posted["due_date"] == (issue + timedelta(days=60)).isoformat()
    refused(accountant.patch(url(draft["id"]), {"notes": "late"}, format="json"), 409, "not_editable")
    assert Invoice.objects.get(pk=draft["id"]).notes == "By hand"


def test_part_of_an_order_is_billed_and_more_than_is_left_is_refused_with_nothing_saved(accountant, order):
    order_line = order.lines.get().pk
    part = invoice_from(accountant, order, lines=[{"order_line": order_line, "quantity": "4"}])
    assert (part["total_amount"], part["lines"][0]["quantity"]) == ("48.40", "4.00")
    body = refused(
        post(accountant, INVOICES, {"sales_order": order.pk, "lines": [{"order_line": order_line, "quantity": "6.5"}]}),
        409,
        "over_invoicing",
    )
    assert body["details"]["billable"] == "6.0000"
    assert Invoice.objects.count() == 1


def test_posting_twice_and_cancelling_a_posted_invoice_are_refused(accountant, invoice):
    refused(post(accountant, url(invoice["id"], "post")), 409, "invalid_transition")
    refused(post(accountant, url(invoice["id"], "cancel"), {"reason": "oops"}), 409, "invalid_transition")
    stored = Invoice.objects.get(pk=invoice["id"])
    assert (stored.status, stored.sequence) == ("posted", 1)
    assert JournalEntry.objects.count() == 1


def test_a_cancelled_draft_gives_the_order_back_to_bill(accountant, order):
    draft = invoice_from(accountant, order)
    cancelled = ok(post(accountant, url(draft["id"], "cancel"), {"reason": "wrong date"}))
    assert (cancelled["status"], cancelled["number"]) == ("cancelled", "")
    again = invoice_from(accountant, order)
    assert again["total_amount"] == "121.00"


def test_a_credit_note_over_the_invoiced_quantity_is_refused_and_nothing_is_saved(accountant, invoice):
    line_id = invoice["lines"][0]["id"]
    body = refused(
        post(accountant, url(invoice["id"], "credit"), {"lines": [{"invoice_line": line_id, "quantity": "10.0001"}]}), 409, "over_credit"
    )
    assert body["details"]["creditable"] == "10.0000"
    assert not Invoice.objects.filter(kind="credit_note").exists()
    assert InvoiceLine.objects.get(pk=line_id).credited_quantity == 0
    # The whole invoice can still be credited, once.
    whole = ok(post(accountant, url(invoice["id"], "credit")), 201)
    assert whole["total_amount"] == "121.00"
    refused(post(accountant, url(invoice["id"], "credit")), 409, "over_credit")
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_crediting_a_draft_or_a_line_of_another_invoice_is_refused(accountant, order, invoice, buyer, product):
    other = manual_invoice(accountant, buyer, product)
    refused(post(accountant, url(other["id"], "credit")), 409, "invalid_transition")
    body = refused(
        post(accountant, url(other["id"], "credit"), {"lines": [{"invoice_line": invoice["lines"][0]["id"], "quantity": "1"}]}),
        409,
        "invalid_transition",
    )
    assert body["details"]["from_status"] == "draft"
    posted_other = ok(post(accountant, url(other["id"], "post")))
    body = refused(
        post(accountant, url(posted_other["id"], "credit"), {"lines": [{"invoice_line": invoice["lines"][0]["id"], "quantity": "1"}]}),
        400,
        "invalid",
    )
    assert body["details"]["lines"] == [{"invoice_line": ["Not a line of this invoice."]}]
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_the_rest_of_an_invoice_is_written_off_with_a_reason(accountant, invoice, buyer):
    refused(post(accountant, url(invoice["id"], "write-off"), {}), 400, "invalid")
    part = ok(post(accountant, url(invoice["id"], "write-off"), {"reason": "Disputed freight", "amount": "21.00"}))
    assert (part["amount_written_off"], part["amount_due"], part["status"]) == ("21.00", "100.00", "posted")
    body = refused(post(accountant, url(invoice["id"], "write-off"), {"reason": "too much", "amount": "100.01"}), 409, "over_allocation")
    assert body["details"]["amount_due"] == "100.00"
    rest = ok(post(accountant, url(invoice["id"], "write-off"), {"reason": "Customer insolvent"}))
    assert (rest["amount_written_off"], rest["amount_due"], rest["status"], rest["payment_state"]) == ("121.00", "0.00", "paid", "paid")
    assert list(WriteOff.objects.order_by("id").values_list("amount", flat=True)) == [Decimal("21.00"), Decimal("100.00")]
    assert CustomerAccount.objects.get(customer=buyer).receivable == Decimal("0.00")
    refused(post(accountant, url(invoice["id"], "write-off"), {"reason": "again"}), 409, "not_open")


def test_a_credit_note_left_open_pays_another_invoice(accountant, invoice, buyer, product):
    ok(post(accountant, url(invoice["id"], "write-off"), {"reason": "settled elsewhere", "amount": "101.00"}))
    note = ok(post(accountant, url(invoice["id"], "credit"), {"reason": "returned"}), 201)
    # Only 20.00 was due, so 101.00 of credit stays on the note.
    assert (note["total_amount"], note["amount_due"], note["status"]) == ("121.00", "101.00", "posted")
    second = ok(post(accountant, url(manual_invoice(accountant, buyer, product)["id"], "post")))
    assert second["total_amount"] == "121.00"
    refused(post(accountant, url(note["id"], "apply-credit"), {"invoice": second["id"], "amount": "101.01"}), 409, "over_allocation")
    used = ok(post(accountant, url(note["id"], "apply-credit"), {"invoice": second["id"], "amount": "100.00"}))
    assert (used["id"], used["amount_due"]) == (note["id"], "1.00")
    assert ok(accountant.get(url(second["id"])))["amount_due"] == "21.00"
    body = refused(post(accountant, url(note["id"], "apply-credit"), {"invoice": second["id"], "amount": "-1"}), 400, "invalid")
    assert "amount" in body["details"]


def test_sending_an_invoice_emails_its_pdf(accountant, invoice, buyer):
    sent = ok(post(accountant, url(invoice["id"], "send")))
    assert sent["sent_to"] == "buyer@example.com"
    assert [m.to for m in mail.outbox] == [["buyer@example.com"]]
    assert Invoice.objects.get(pk=invoice["id"]).sent_to == "buyer@example.com"


def test_a_draft_cannot_be_sent(accountant, order):
    draft = invoice_from(accountant, order)
    refused(post(accountant, url(draft["id"], "send")), 409, "invalid_transition")
    assert mail.outbox == []


# --- bad input names the field and saves nothing ------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"quantity": "1"}]}, "customer"),
        ({"customer": "CUSTOMER"}, "lines"),
        ({"customer": "CUSTOMER", "lines": []}, "lines"),
        ({"customer": "CUSTOMER", "lines": [{"quantity": "1"}]}, "lines"),
        ({"customer": "CUSTOMER", "lines": [{"product": "PRODUCT", "quantity": "0"}]}, "lines"),
        ({"customer": "CUSTOMER", "lines": [{"product": "PRODUCT", "quantity": "1", "discount_percent": "101"}]}, "lines"),
        ({"customer": "CUSTOMER", "lines": [{"product": "PRODUCT", "quantity": "1", "unit_price": "-1"}]}, "lines"),
        ({"sales_order": "ORDER", "currency": "EUR"}, "currency"),
        ({"sales_order": "ORDER", "lines": [{"quantity": "1"}]}, "lines"),
        ({"sales_order": 999999}, "sales_order"),
    ],
)
def test_a_bad_invoice_is_refused_naming_the_field(accountant, buyer, product, order, body, field):
    swap = {"CUSTOMER": buyer.pk, "PRODUCT": product.pk, "ORDER": order.pk}

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return swap.get(value, value) if isinstance(value, str) else value

    refused_body = refused(post(accountant, INVOICES, fill(body)), 400, "invalid")
    assert field in refused_body["details"], refused_body
    assert not Invoice.objects.exists()


def test_an_order_that_is_not_confirmed_cannot_be_invoiced(accountant, api_as, buyer, product):
    draft = ok(post(api_as("sales"), ORDERS, {"customer": buyer.pk, "lines": [{"product": product.pk, "quantity": "1"}]}), 201)
    refused(post(accountant, INVOICES, {"sales_order": draft["id"]}), 409, "invalid_transition")
    assert not Invoice.objects.exists()
