"""The quote-to-order story through the REST API, as an outside client sees it (names from API.md)."""

from decimal import Decimal as D

import pytest
from django.core import mail

from salesdesk.catalog.models import Product, Tax


@pytest.fixture
def shop(company, unit_pc, customer_of):
    tax10 = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    p10 = Product.objects.create(company=company, sku="P-10", name="Chair", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10)
    p20 = Product.objects.create(
        company=company, sku="P-20", name="Desk", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10, floor_price=D("9.50")
    )
    customer = customer_of("sales", "C001", email="buyer@example.com")
    return {"p10": p10, "p20": p20, "tax": tax10, "customer": customer}


def test_quote_send_accept_convert_approve_and_confirm(api_as, shop):
    sales, manager = api_as("sales"), api_as("manager")
    created = sales.post(
        "/api/v1/quotations/",
        {
            "customer": shop["customer"].pk,
            "lines": [{"product": shop["p10"].pk, "quantity": "2"}, {"product": shop["p20"].pk, "quantity": "3", "unit_price": "10.00"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    quotation = created.json()
    assert (quotation["untaxed_amount"], quotation["tax_amount"], quotation["total_amount"]) == ("50.00", "5.00", "55.00")
    assert quotation["status"] == "draft" and quotation["valid_until"]
    assert [line["amount"] for line in quotation["lines"]] == ["20.00", "30.00"]

    sent = sales.post(f"/api/v1/quotations/{quotation['id']}/send/", {}, format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert mail.outbox[-1].to == ["buyer@example.com"] and mail.outbox[-1].attachments[0][2] == "application/pdf"
    assert sales.post(f"/api/v1/quotations/{quotation['id']}/accept/", {}, format="json").json()["status"] == "accepted"
    converted = sales.post(f"/api/v1/quotations/{quotation['id']}/convert/", {}, format="json")
    assert converted.status_code == 200
    order_id = converted.json()["sales_order"]

    # The salesperson lowers a price below the floor before confirming.
    order = sales.get(f"/api/v1/sales-orders/{order_id}/").json()
    assert (order["status"], order["quotation"], order["total_amount"]) == ("draft", quotation["id"], "55.00")
    lines = [{"product": line["product"], "quantity": line["quantity"], "unit_price": line["unit_price"]} for line in order["lines"]]
    lines[1]["unit_price"] = "9.00"
    patched = sales.patch(f"/api/v1/sales-orders/{order_id}/", {"lines": lines}, format="json")
    assert patched.status_code == 200 and patched.json()["total_amount"] == "51.70"

    refused = sales.post(f"/api/v1/sales-orders/{order_id}/confirm/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "price_approval_required"
    assert sales.get(f"/api/v1/sales-orders/{order_id}/").json()["status"] == "pending_approval"
    approval_id = refused.json()["details"]["price_approval"]

    assert sales.post(f"/api/v1/price-approvals/{approval_id}/approve/", {"reason": "me"}, format="json").status_code == 403
    approved = manager.post(f"/api/v1/price-approvals/{approval_id}/approve/", {"reason": "volume customer"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    confirmed = sales.post(f"/api/v1/sales-orders/{order_id}/confirm/", {}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    body = confirmed.json()
    assert body["status"] == "confirmed" and body["number"].startswith("SO-") and body["sequence"] == 1
    assert (body["untaxed_amount"], body["tax_amount"], body["total_amount"]) == ("47.00", "4.70", "51.70")
    assert (body["delivery_state"], body["invoice_state"], body["payment_state"]) == ("none", "none", "none")
    assert api_as("sales").get(f"/api/v1/customers/{shop['customer'].pk}/credit/").json()["open_orders"] == "51.70"

    again = sales.post(f"/api/v1/sales-orders/{order_id}/confirm/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert sales.get(f"/api/v1/sales-orders/{order_id}/").json()["sequence"] == 1


def test_a_discounted_line_and_bad_input(api_as, shop):
    sales = api_as("sales")
    ok = sales.post(
        "/api/v1/sales-orders/",
        {
            "customer": shop["customer"].pk,
            "lines": [{"product": shop["p10"].pk, "quantity": "3", "unit_price": "9.99", "discount_percent": "15"}],
        },
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["lines"][0]["amount"] == "25.47"
    for bad in ({"quantity": "0"}, {"quantity": "-1"}, {"quantity": "abc"}, {"discount_percent": "101"}):
        line = {"product": shop["p10"].pk, "quantity": "1", **bad}
        response = sales.post("/api/v1/sales-orders/", {"customer": shop["customer"].pk, "lines": [line]}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", (bad, response.json())
        assert "lines" in response.json()["details"]
    unknown = sales.post(
        "/api/v1/sales-orders/", {"customer": 999999, "lines": [{"product": shop["p10"].pk, "quantity": "1"}]}, format="json"
    )
    assert unknown.status_code == 400 and "customer" in unknown.json()["details"]
    from salesdesk.sales.models import SalesOrder

    assert SalesOrder.objects.count() == 1


def test_a_salesperson_cannot_see_another_salespersons_quotation(api_as, shop, customer_of):
    other = customer_of("sales3", "C-SOUTH")
    created = api_as("sales3").post(
        "/api/v1/quotations/", {"customer": other.pk, "lines": [{"product": shop["p10"].pk, "quantity": "1"}]}, format="json"
    )
    assert created.status_code == 201
    assert api_as("sales").get(f"/api/v1/quotations/{created.json()['id']}/").status_code == 404
    assert api_as("manager").get(f"/api/v1/quotations/{created.json()['id']}/").status_code == 404  # South is not the manager's team
    assert api_as("admin").get(f"/api/v1/quotations/{created.json()['id']}/").status_code == 200
