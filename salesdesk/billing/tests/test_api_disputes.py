"""Disputes through the API: an accountant opens one on (part of) a posted invoice and resolves it by credit
note, write-off or collection. Allowed and refused cases (refused ones leave nothing behind), bad input
naming the field, roles and record scope, filters and query counts."""

from decimal import Decimal

import pytest

from salesdesk.billing import services
from salesdesk.billing.models import Dispute, Invoice

pytestmark = pytest.mark.django_db

DISPUTES = "/api/v1/disputes/"


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code, response.json()
    return response.json()


def post(client, url, body=None, **headers):
    return client.post(url, body or {}, format="json", **headers)


@pytest.fixture
def accountant(api_as):
    return api_as("accountant")


@pytest.fixture
def posted(users, member, confirmed_order):
    """`posted(customer)`: the customer's order of 10 x 10.00 billed and posted, 121.00 due."""

    def make(customer):
        order = confirmed_order(customer)
        invoice = services.invoice_from_order(order=order, actor=users["accountant"], membership=member("accountant"))
        return services.invoice_post(invoice=invoice, actor=users["accountant"])

    return make


@pytest.fixture
def invoice(posted, buyer):
    return posted(buyer)


def invoice_figures(client, invoice):
    body = ok(client.get(f"/api/v1/invoices/{invoice.pk}/"))
    return body["amount_due"], body["disputed"], body["disputed_amount"]


def test_an_accountant_disputes_part_of_an_invoice(accountant, users, invoice, buyer):
    made = ok(post(accountant, DISPUTES, {"invoice": invoice.pk, "amount": "40.00", "reason": "quality", "note": "two broken"}), 201)
    assert {k: made[k] for k in ("invoice", "invoice_number", "customer", "amount", "reason", "note", "status", "outcome")} == {
        "invoice": invoice.pk,
        "invoice_number": invoice.number,
        "customer": buyer.pk,
        "amount": "40.00",
        "reason": "quality",
        "note": "two broken",
        "status": "open",
        "outcome": "",
    }
    assert (made["opened_by"], made["credit_note"], made["write_off"], made["resolved_at"]) == (users["accountant"].pk, None, None, None)
    assert invoice_figures(accountant, invoice) == ("121.00", True, "40.00")


def test_without_an_amount_all_that_is_due_is_disputed(accountant, invoice):
    assert ok(post(accountant, DISPUTES, {"invoice": invoice.pk, "reason": "not_received"}), 201)["amount"] == "121.00"
    assert invoice_figures(accountant, invoice) == ("121.00", True, "121.00")


def test_disputing_more_than_is_due_and_undisputed_is_over_allocation(accountant, invoice):
    refused(post(accountant, DISPUTES, {"invoice": invoice.pk, "amount": "121.01", "reason": "price"}), 409, "over_allocation")
    ok(post(accountant, DISPUTES, {"invoice": invoice.pk, "amount": "100.00", "reason": "price"}), 201)
    body = refused(post(accountant, DISPUTES, {"invoice": invoice.pk, "amount": "30.00", "reason": "price"}), 409, "over_allocation")
    assert body["details"]["undisputed_due"] == "21.00"
    assert Dispute.objects.count() == 1
    assert invoice_figures(accountant, invoice) == ("121.00", True, "100.00")


def test_only_a_posted_invoice_with_money_due_is_disputed(accountant, users, member, buyer, product):
    draft = services.invoice_create(
        company=buyer.company,
        actor=users["accountant"],
        membership=member("accountant"),
        customer=buyer,
        lines=[{"product": product, "quantity": Decimal("1")}],
    )
    refused(post(accountant, DISPUTES, {"invoice": draft.pk, "reason": "price"}), 409, "not_open")
    assert not Dispute.objects.exists()


BAD_BODIES = {
    "no invoice": (lambda i: {"reason": "price"}, "invoice"),
    "unknown invoice": (lambda i: {"invoice": 999999, "reason": "price"}, "invoice"),
    "no reason": (lambda i: {"invoice": i}, "reason"),
    "unknown reason": (lambda i: {"invoice": i, "reason": "mood"}, "reason"),
    "negative amount": (lambda i: {"invoice": i, "reason": "price", "amount": "-5"}, "amount"),
    "three decimals": (lambda i: {"invoice": i, "reason": "price", "amount": "1.005"}, "amount"),
    "amount not a number": (lambda i: {"invoice": i, "reason": "price", "amount": "NaN"}, "amount"),
    "NUL in the note": (lambda i: {"invoice": i, "reason": "price", "note": "a\x00"}, "note"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_input_is_400_naming_the_field_and_saves_nothing(accountant, invoice, case):
    make, field = BAD_BODIES[case]
    assert field in refused(post(accountant, DISPUTES, make(invoice.pk)), 400, "invalid")["details"]
    assert not Dispute.objects.exists()
    assert invoice_figures(accountant, invoice) == ("121.00", False, "0.00")


# --- resolution ---------------------------------------------------------------------------


def resolve(client, dispute_id, body):
    return post(client, f"{DISPUTES}{dispute_id}/resolve/", body)


def test_a_credit_note_settles_the_disputed_amount(accountant, invoice):
    made = ok(post(accountant, DISPUTES, {"invoice": invoice.pk, "amount": "40.00", "reason": "price"}), 201)
    answer = ok(resolve(accountant, made["id"], {"outcome": "credit_note", "note": "agreed"}))
    assert (answer["status"], answer["outcome"], answer["resolution_note"]) == ("resolved", "credit_note", "agreed")
    note = ok(accountant.get(f"/api/v1/invoices/{answer['credit_note']}/"))
    assert (note["kind"], note["original_invoice"], note["total_amount"]) == ("credit_note", invoice.pk, "40.00")
    assert invoice_figures(accountant, invoice) == ("81.00", False, "0.00")


def test_a_write_off_settles_the_disputed_amount(accountant, invoice):
    made = ok(post(accountant, DISPUTES, {"invoice": invoice.pk, "amount": "21.00", "reason": "quantity"}), 201)
    answer = ok(resolve(accountant, made["id"], {"outcome": "write_off"}))
    assert answer["write_off"] and answer["credit_note"] is None
    assert invoice_figures(accountant, invoice) == ("100.00", False, "0.00")


def test_collecting_keeps_the_money_due_and_a_second_resolution_is_refused(accountant, invoice):
    made = ok(post(accountant, DISPUTES, {"invoice": invoice.pk, "amount": "21.00", "reason": "duplicate"}), 201)
    assert "outcome" in refused(resolve(accountant, made["id"], {"outcome": "forget"}), 400, "invalid")["details"]
    assert "outcome" in refused(resolve(accountant, made["id"], {}), 400, "invalid")["details"]
    ok(resolve(accountant, made["id"], {"outcome": "collect"}))
    assert invoice_figures(accountant, invoice) == ("121.00", False, "0.00")
    refused(resolve(accountant, made["id"], {"outcome": "write_off"}), 409, "invalid_transition")
    assert invoice_figures(accountant, invoice) == ("121.00", False, "0.00")
    assert Invoice.objects.filter(kind="credit_note").count() == 0


# --- roles, scope, lists ------------------------------------------------------------------


def test_sellers_read_their_customers_disputes_and_change_none(api_as, accountant, posted, buyer, customer_of):
    own = ok(post(accountant, DISPUTES, {"invoice": posted(buyer).pk, "reason": "price"}), 201)
    south_invoice = posted(customer_of("sales3", "S001", status="active"))
    south = ok(post(accountant, DISPUTES, {"invoice": south_invoice.pk, "reason": "price"}), 201)
    for username in ("sales", "manager"):
        client = api_as(username)
        assert [row["id"] for row in ok(client.get(DISPUTES))["results"]] == [own["id"]], username
        assert client.get(f"{DISPUTES}{south['id']}/").status_code == 404
        refused(post(client, DISPUTES, {"invoice": posted(buyer).pk, "reason": "price"}), 403, "permission_denied")
        refused(resolve(client, own["id"], {"outcome": "collect"}), 403, "permission_denied")
    assert api_as("sales3").get(f"{DISPUTES}{own['id']}/").status_code == 404
    refused(api_as("warehouse").get(DISPUTES), 403, "permission_denied")
    assert ok(api_as("admin").get(DISPUTES))["results"][0]["id"] == south["id"]
    assert Dispute.objects.filter(status="open").count() == 2


def test_disputes_are_filtered_by_status_invoice_and_customer(accountant, posted, buyer, customer_of):
    first_invoice, second_invoice = posted(buyer), posted(buyer)
    first = ok(post(accountant, DISPUTES, {"invoice": first_invoice.pk, "amount": "1.00", "reason": "price"}), 201)
    second = ok(post(accountant, DISPUTES, {"invoice": second_invoice.pk, "amount": "1.00", "reason": "price"}), 201)
    ok(resolve(accountant, first["id"], {"outcome": "collect"}))

    def found(**query):
        return [row["id"] for row in ok(accountant.get(DISPUTES, query))["results"]]

    assert found(status="open") == [second["id"]]
    assert found(status="resolved") == [first["id"]]
    assert found(invoice=first_invoice.pk) == [first["id"]]
    assert found(customer=buyer.pk) == [second["id"], first["id"]]
    assert found(customer=customer_of("sales", "NONE").pk) == []
    assert "invoice" in refused(accountant.get(DISPUTES, {"invoice": 999999}), 400, "invalid")["details"]


def test_a_retried_dispute_with_the_same_idempotency_key_is_opened_once(accountant, invoice):
    body = {"invoice": invoice.pk, "amount": "5.00", "reason": "price"}
    first = ok(post(accountant, DISPUTES, body, HTTP_IDEMPOTENCY_KEY="dsp-1"), 201)
    again = post(accountant, DISPUTES, body, HTTP_IDEMPOTENCY_KEY="dsp-1")
    assert (again.status_code, again.json()["id"]) == (201, first["id"])
    assert Dispute.objects.count() == 1
    assert invoice_figures(accountant, invoice) == ("121.00", True, "5.00")


@pytest.mark.parametrize("count", [2, 8])
def test_list_and_detail_cost_a_fixed_number_of_queries(api_as, accountant, posted, buyer, count, django_assert_max_num_queries):
    for _ in range(count):
        ok(post(accountant, DISPUTES, {"invoice": posted(buyer).pk, "amount": "1.00", "reason": "price"}), 201)
    detail = f"{DISPUTES}{Dispute.objects.first().pk}/"
    for username in ("accountant", "sales"):
        client = api_as(username)
        with django_assert_max_num_queries(5, info=username):
            assert len(ok(client.get(DISPUTES, {"page_size": 50}))["results"]) == count
        with django_assert_max_num_queries(5, info=username):
            ok(client.get(detail))
