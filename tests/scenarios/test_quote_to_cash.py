"""The quote-to-cash story through the REST API, with exact amounts, balances and trial-balance totals at each step."""

from decimal import Decimal as D

import pytest

from salesdesk.catalog.models import Product


@pytest.fixture
def story(company, unit_pc, vat21, customer_of):
    chair = Product.objects.create(company=company, sku="CH", name="Chair", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=vat21)
    customer = customer_of("sales", "Q2C", email="buyer@example.com", status="active", credit_limit=D("1000.00"), tax_id="ESB11111111")
    return {"chair": chair, "customer": customer}


def trial(api):
    body = api.get("/api/v1/ledger/trial-balance/").json()
    assert body["total_debit"] == body["total_credit"]
    return body["total_debit"]


def credit(api, customer):
    body = api.get(f"/api/v1/customers/{customer.pk}/credit/").json()
    return body["receivable"], body["open_orders"], body["unapplied_deposits"], body["exposure"]


def test_quote_order_credit_hold_invoice_payment_deposit_credit_note_and_e_invoice(api_as, story):
    sales, manager, accountant = api_as("sales"), api_as("manager"), api_as("accountant")
    customer, chair = story["customer"], story["chair"]

    quotation = sales.post(
        "/api/v1/quotations/", {"customer": customer.pk, "lines": [{"product": chair.pk, "quantity": "10"}]}, format="json"
    ).json()
    assert quotation["total_amount"] == "1210.00"
    assert sales.post(f"/api/v1/quotations/{quotation['id']}/accept/", {}, format="json").status_code == 200
    order_id = sales.post(f"/api/v1/quotations/{quotation['id']}/convert/", {}, format="json").json()["sales_order"]

    # 1210.00 is over the 1000.00 limit: the order is held, unnumbered, with the figures in the refusal.
    refused = sales.post(f"/api/v1/sales-orders/{order_id}/confirm/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "credit_limit_exceeded"
    assert refused.json()["details"] == {"credit_limit": "1000.00", "exposure": "0.00", "order_amount": "1210.00"}
    order = sales.get(f"/api/v1/sales-orders/{order_id}/").json()
    assert order["status"] == "credit_hold" and order["number"] == ""
    assert sales.post(f"/api/v1/sales-orders/{order_id}/release-credit/", {"reason": "mine"}, format="json").status_code == 403
    released = manager.post(f"/api/v1/sales-orders/{order_id}/release-credit/", {"reason": "signed guarantee"}, format="json")
    assert released.status_code == 200 and released.json()["status"] == "confirmed" and released.json()["number"].startswith("SO-")
    assert credit(accountant, customer) == ("0.00", "1210.00", "0.00", "1210.00")

    deposit = accountant.post(
        "/api/v1/deposits/",
        {"customer": customer.pk, "sales_order": order_id, "amount": "210.00"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="dep-1",
    )
    assert deposit.status_code == 201 and deposit.json()["status"] == "held"
    assert credit(accountant, customer) == ("0.00", "1210.00", "210.00", "1000.00")
    assert trial(accountant) == "210.00"

    draft = accountant.post("/api/v1/invoices/", {"sales_order": order_id}, format="json")
    assert draft.status_code == 201 and draft.json()["status"] == "draft" and draft.json()["total_amount"] == "1210.00"
    invoice_id = draft.json()["id"]
    assert sales.post(f"/api/v1/invoices/{invoice_id}/post/", {}, format="json").status_code == 403
    posted = accountant.post(f"/api/v1/invoices/{invoice_id}/post/", {}, format="json").json()
    assert posted["status"] == "posted" and posted["sequence"] == 1 and posted["number"].startswith("INV-")
    # The order's deposit paid part of it when it posted.
    assert (posted["amount_paid"], posted["amount_due"], posted["payment_state"]) == ("210.00", "1000.00", "partial")
    assert credit(accountant, customer) == ("1000.00", "0.00", "0.00", "1000.00")
    assert trial(accountant) == "1630.00"  # 210 deposit + 1210 invoice + 210 deposit applied

    payment = accountant.post(
        "/api/v1/payments/",
        {
            "customer": customer.pk,
            "amount": "400.00",
            "method": "bank_transfer",
            "allocations": [{"invoice": invoice_id, "amount": "400.00"}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="pay-1",
    )
    assert payment.status_code == 201
    replay = accountant.post(
        "/api/v1/payments/",
        {
            "customer": customer.pk,
            "amount": "400.00",
            "method": "bank_transfer",
            "allocations": [{"invoice": invoice_id, "amount": "400.00"}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="pay-1",
    )
    assert replay.json()["id"] == payment.json()["id"]
    assert accountant.get(f"/api/v1/invoices/{invoice_id}/").json()["amount_due"] == "600.00"
    assert credit(accountant, customer)[0] == "600.00"

    line_id = posted["lines"][0]["id"]
    note = accountant.post(
        f"/api/v1/invoices/{invoice_id}/credit/",
        {"lines": [{"invoice_line": line_id, "quantity": "2"}], "reason": "two damaged"},
        format="json",
    )
    assert note.status_code == 201 and note.json()["kind"] == "credit_note" and note.json()["total_amount"] == "242.00"
    invoice = accountant.get(f"/api/v1/invoices/{invoice_id}/").json()
    assert (invoice["amount_credited"], invoice["amount_due"]) == ("242.00", "358.00")
    too_much = accountant.post(
        f"/api/v1/invoices/{invoice_id}/credit/", {"lines": [{"invoice_line": line_id, "quantity": "9"}]}, format="json"
    )
    assert too_much.status_code == 409 and too_much.json()["code"] == "over_credit"
    assert credit(accountant, customer) == ("358.00", "0.00", "0.00", "358.00")
    assert trial(accountant) == "2272.00"  # + 400 payment + 242 credit note

    order = sales.get(f"/api/v1/sales-orders/{order_id}/").json()
    assert (order["invoice_state"], order["payment_state"]) == ("invoiced", "partial")
    ageing = accountant.get("/api/v1/receivables/aging/").json()
    assert ageing["totals"]["total"] == "358.00"

    ubl = accountant.get(f"/api/v1/invoices/{invoice_id}/einvoice/?format=ubl")
    assert ubl.status_code == 200 and ubl["Content-Type"].startswith("application/xml")
    assert posted["number"].encode() in ubl.content and b"ESB11111111" in ubl.content
    cii = accountant.get(f"/api/v1/invoices/{invoice_id}/einvoice/?format=cii")
    assert cii.status_code == 200 and b"urn:cen.eu:en16931:2017" in cii.content
