"""Quotations, sales orders, price approvals and contracts through the API.

The acceptance story with exact figures, every action's allowed and refused case, bad input
naming the field with nothing saved, record scopes, idempotency and query-count pins.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.catalog.models import Product, Tax, Unit
from salesdesk.sales.models import Contract, PriceApproval, Quotation, SalesOrder, SalesOrderRevision

pytestmark = pytest.mark.django_db

QUOTATIONS = "/api/v1/quotations/"
ORDERS = "/api/v1/sales-orders/"
APPROVALS = "/api/v1/price-approvals/"
CONTRACTS = "/api/v1/contracts/"


@pytest.fixture
def vat10(company):
    return Tax.objects.create(company=company, name="VAT 10%", rate=Decimal("10"))


@pytest.fixture
def p10(company, unit_pc, vat10):
    return Product.objects.create(
        company=company, sku="P-10", name="Widget", unit=unit_pc, list_price=Decimal("10.00"), cost=Decimal("6.00"), tax=vat10
    )


@pytest.fixture
def p20(company, unit_pc, vat10):
    # Sold at 10.00; below 8.00 a salesperson needs a manager's approval.
    return Product.objects.create(
        company=company,
        sku="P-20",
        name="Gadget",
        unit=unit_pc,
        list_price=Decimal("10.00"),
        cost=Decimal("5.00"),
        tax=vat10,
        floor_price=Decimal("8.00"),
    )


@pytest.fixture
def buyer(customer_of):
    return customer_of("sales", "C001", name="Alpha Traders", email="buyer@alpha.example")


def line(product, quantity, unit_price=None, **extra):
    body = {"product": product.pk, "quantity": str(quantity), **extra}
    if unit_price is not None:
        body["unit_price"] = str(unit_price)
    return body


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


def make_quotation(client, customer, lines, **extra):
    return ok(client.post(QUOTATIONS, {"customer": customer.pk, "lines": lines, **extra}, format="json"), 201)


def make_order(client, customer, lines, **extra):
    return ok(client.post(ORDERS, {"customer": customer.pk, "lines": lines, **extra}, format="json"), 201)


# --- the story ----------------------------------------------------------------------------


def test_a_quotation_is_priced_by_the_list_and_totalled_per_rate(api_as, buyer, p10, p20):
    data = make_quotation(api_as("sales"), buyer, [line(p10, 2), line(p20, 3)])

    assert (data["untaxed_amount"], data["tax_amount"], data["total_amount"]) == ("50.00", "5.00", "55.00")
    assert [(x["quantity"], x["unit_price"], x["discount_percent"], x["amount"]) for x in data["lines"]] == [
        ("2.00", "10.00", "0.00", "20.00"),
        ("3.00", "10.00", "0.00", "30.00"),
    ]
    first = data["lines"][0]
    assert set(first) >= {"id", "product", "description", "quantity", "unit_price", "discount_percent", "tax", "amount"}
    assert first["tax"] == p10.tax_id
    assert first["price_explanation"] and all(isinstance(s, str) for s in first["price_explanation"])
    assert data["lines"][1]["floor_price"] == "8.00"
    assert (data["status"], data["customer"], data["salesperson"], data["currency"], data["revision"], data["previous"]) == (
        "draft",
        buyer.pk,
        buyer.salesperson_id,
        "EUR",
        1,
        None,
    )
    assert data["valid_until"] > data["date"]


def test_a_line_discount_is_rounded_half_up_to_the_currency(api_as, buyer, p10):
    data = make_quotation(api_as("sales"), buyer, [line(p10, 3, "9.99", discount_percent="15")])
    assert data["lines"][0]["amount"] == "25.47"
    assert (data["untaxed_amount"], data["tax_amount"], data["total_amount"]) == ("25.47", "2.55", "28.02")


def test_quote_send_accept_convert_confirm_with_a_price_approval(api_as, buyer, p10, p20, mailoutbox):
    sales, manager = api_as("sales"), api_as("manager")
    quotation = make_quotation(sales, buyer, [line(p10, 2), line(p20, 3, "7.00")])

    sent = ok(sales.post(f"{QUOTATIONS}{quotation['id']}/send/", {}, format="json"))
    assert (sent["status"], sent["sent_to"]) == ("sent", "buyer@alpha.example")
    assert [m.to for m in mailoutbox] == [["buyer@alpha.example"]]
    assert ok(sales.post(f"{QUOTATIONS}{quotation['id']}/accept/", {}, format="json"))["status"] == "accepted"
    converted = ok(sales.post(f"{QUOTATIONS}{quotation['id']}/convert/", {}, format="json"))
    order_url = f"{ORDERS}{converted['sales_order']}/"
    order = ok(sales.get(order_url))
    assert (order["status"], order["quotation"], order["number"], order["total_amount"]) == ("draft", quotation["id"], "", "45.10")

    body = refused(sales.post(f"{order_url}confirm/", {}, format="json"), 409, "price_approval_required")
    approval_id = body["details"]["price_approval"]
    assert ok(sales.get(order_url))["status"] == "pending_approval"
    approval = ok(manager.get(f"{APPROVALS}{approval_id}/"))
    assert (approval["sales_order"], approval["status"]) == (order["id"], "pending")
    assert [(x["product"], x["unit_price"], x["floor_price"], x["allowed_price"]) for x in approval["lines"]] == [
        (p20.pk, "7.00", "8.00", "8.00")
    ]

    refused(sales.post(f"{APPROVALS}{approval_id}/approve/", {}, format="json"), 403, "permission_denied")
    decided = ok(manager.post(f"{APPROVALS}{approval_id}/approve/", {"reason": "Volume customer"}, format="json"))
    assert (decided["status"], decided["decided_by"], decided["reason"]) == ("approved", manager_id(api_as), "Volume customer")

    confirmed = ok(sales.post(f"{order_url}confirm/", {}, format="json"))
    year = timezone.localdate().year
    assert (confirmed["status"], confirmed["number"], confirmed["series"], confirmed["sequence"]) == (
        "confirmed",
        f"SO-{year}-00001",
        "SO",
        1,
    )
    assert (confirmed["delivery_state"], confirmed["invoice_state"], confirmed["payment_state"]) == ("none", "none", "none")


def manager_id(api_as):
    from salesdesk.accounts.models import User

    return User.objects.get(username="manager").pk


def test_confirming_twice_is_refused_and_takes_no_second_number(api_as, buyer, p10):
    sales = api_as("sales")
    first = make_order(sales, buyer, [line(p10, 1)])
    confirmed = ok(sales.post(f"{ORDERS}{first['id']}/confirm/", {}, format="json"))

    refused(sales.post(f"{ORDERS}{first['id']}/confirm/", {}, format="json"), 409, "invalid_transition")

    again = ok(sales.get(f"{ORDERS}{first['id']}/"))
    assert (again["number"], again["sequence"]) == (confirmed["number"], 1)
    second = make_order(sales, buyer, [line(p10, 1)])
    assert ok(sales.post(f"{ORDERS}{second['id']}/confirm/", {}, format="json"))["sequence"] == 2


def test_a_rejected_price_sends_the_order_back_to_draft(api_as, buyer, p20):
    sales, manager = api_as("sales"), api_as("manager")
    order = make_order(sales, buyer, [line(p20, 1, "5.00")])
    approval_id = refused(sales.post(f"{ORDERS}{order['id']}/confirm/", {}, format="json"), 409, "price_approval_required")["details"][
        "price_approval"
    ]

    body = refused(manager.post(f"{APPROVALS}{approval_id}/reject/", {}, format="json"), 400, "invalid")
    assert "reason" in body["details"]
    decided = ok(manager.post(f"{APPROVALS}{approval_id}/reject/", {"reason": "Too cheap"}, format="json"))
    assert (decided["status"], decided["reason"]) == ("rejected", "Too cheap")
    assert ok(sales.get(f"{ORDERS}{order['id']}/"))["status"] == "draft"


def test_a_manager_prices_within_their_band_without_approval(api_as, buyer, p20):
    # 7.50 is 6.25 % under the 8.00 floor: within a manager's 10 %.
    manager = api_as("manager")
    order = make_order(manager, buyer, [line(p20, 1, "7.50")])
    assert ok(manager.post(f"{ORDERS}{order['id']}/confirm/", {}, format="json"))["status"] == "confirmed"


def test_a_quotation_is_rejected_with_a_reason(api_as, buyer, p10):
    sales = api_as("sales")
    quotation = make_quotation(sales, buyer, [line(p10, 1)])
    url = f"{QUOTATIONS}{quotation['id']}/"
    ok(sales.post(f"{url}send/", {"to": "other@alpha.example"}, format="json"))

    assert "reason" in refused(sales.post(f"{url}reject/", {}, format="json"), 400, "invalid")["details"]
    rejected = ok(sales.post(f"{url}reject/", {"reason": "Found it cheaper"}, format="json"))
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "Found it cheaper")
    refused(sales.post(f"{url}accept/", {}, format="json"), 409, "invalid_transition")


def test_a_revision_is_a_new_draft_linked_to_the_previous_one(api_as, buyer, p10):
    sales = api_as("sales")
    quotation = make_quotation(sales, buyer, [line(p10, 2)])
    ok(sales.post(f"{QUOTATIONS}{quotation['id']}/send/", {}, format="json"))

    revision = ok(sales.post(f"{QUOTATIONS}{quotation['id']}/revise/", {}, format="json"))

    assert revision["id"] != quotation["id"]
    assert (revision["number"], revision["revision"], revision["previous"], revision["status"]) == (
        quotation["number"],
        2,
        quotation["id"],
        "draft",
    )
    assert revision["total_amount"] == quotation["total_amount"]
    patched = ok(sales.patch(f"{QUOTATIONS}{revision['id']}/", {"lines": [line(p10, 5)]}, format="json"))
    assert (len(patched["lines"]), patched["untaxed_amount"]) == (1, "50.00")
    refused(sales.patch(f"{QUOTATIONS}{quotation['id']}/", {"notes": "x"}, format="json"), 409, "not_editable")


def test_a_draft_is_edited_and_a_sent_quotation_is_not(api_as, buyer, p10, p20):
    sales = api_as("sales")
    quotation = make_quotation(sales, buyer, [line(p10, 1)])
    url = f"{QUOTATIONS}{quotation['id']}/"

    patched = ok(sales.patch(url, {"notes": "Call first", "lines": [line(p10, 1), line(p20, 2, "9.00")]}, format="json"))
    assert (patched["notes"], [x["unit_price"] for x in patched["lines"]], patched["total_amount"]) == (
        "Call first",
        ["10.00", "9.00"],
        "30.80",
    )

    ok(sales.post(f"{url}send/", {}, format="json"))
    refused(sales.patch(url, {"lines": [line(p10, 9)]}, format="json"), 409, "not_editable")
    assert ok(sales.get(url))["total_amount"] == "30.80"


def test_a_quotation_is_cancelled_and_cannot_be_cancelled_twice(api_as, buyer, p10):
    sales = api_as("sales")
    quotation = make_quotation(sales, buyer, [line(p10, 1)])
    assert ok(sales.post(f"{QUOTATIONS}{quotation['id']}/cancel/", {}, format="json"))["status"] == "cancelled"
    refused(sales.post(f"{QUOTATIONS}{quotation['id']}/cancel/", {}, format="json"), 409, "invalid_transition")
    refused(sales.post(f"{QUOTATIONS}{quotation['id']}/convert/", {}, format="json"), 409, "invalid_transition")


def test_an_order_is_cancelled_with_a_reason(api_as, buyer, p10):
    sales = api_as("sales")
    order = make_order(sales, buyer, [line(p10, 1)])
    ok(sales.post(f"{ORDERS}{order['id']}/confirm/", {}, format="json"))
    assert (
        ok(sales.post(f"{ORDERS}{order['id']}/cancel/", {"reason": "Customer changed their mind"}, format="json"))["status"] == "cancelled"
    )
    refused(sales.post(f"{ORDERS}{order['id']}/cancel/", {}, format="json"), 409, "invalid_transition")


def test_a_confirmed_order_is_amended_as_a_revision(api_as, buyer, p10, p20):
    sales = api_as("sales")
    order = make_order(sales, buyer, [line(p10, 2)])
    confirmed = ok(sales.post(f"{ORDERS}{order['id']}/confirm/", {}, format="json"))
    kept = confirmed["lines"][0]["id"]

    body = {"lines": [{"id": kept, **line(p10, 4)}, line(p20, 1)], "reason": "Customer wants more"}
    amended = ok(sales.post(f"{ORDERS}{order['id']}/amend/", body, format="json"))

    assert (amended["revision"], amended["number"], amended["status"], amended["untaxed_amount"]) == (
        1,
        confirmed["number"],
        "confirmed",
        "50.00",
    )
    assert [x["id"] == kept for x in amended["lines"]] == [True, False]
    assert SalesOrderRevision.objects.get(order_id=order["id"]).reason == "Customer wants more"
    assert (
        "reason" in refused(sales.post(f"{ORDERS}{order['id']}/amend/", {"lines": body["lines"]}, format="json"), 400, "invalid")["details"]
    )
    below = {"lines": [{"id": kept, **line(p20, 1, "1.00")}], "reason": "Cheaper"}
    refused(sales.post(f"{ORDERS}{order['id']}/amend/", below, format="json"), 409, "price_approval_required")
    assert ok(sales.get(f"{ORDERS}{order['id']}/"))["revision"] == 1


def test_a_draft_order_cannot_be_amended(api_as, buyer, p10):
    sales = api_as("sales")
    order = make_order(sales, buyer, [line(p10, 1)])
    body = {"lines": [line(p10, 2)], "reason": "More"}
    refused(sales.post(f"{ORDERS}{order['id']}/amend/", body, format="json"), 409, "invalid_transition")


# --- contracts ----------------------------------------------------------------------------


def test_a_contract_prices_orders_and_counts_what_they_consume(api_as, buyer, p10):
    manager, sales = api_as("manager"), api_as("sales")
    today = timezone.localdate()
    body = {
        "customer": buyer.pk,
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
        "items": [{"product": p10.pk, "price": "8.50", "quantity": "100"}],
    }
    refused(sales.post(CONTRACTS, body, format="json"), 403, "permission_denied")
    contract = ok(manager.post(CONTRACTS, body, format="json"), 201)
    assert (contract["status"], contract["currency"], contract["allow_over_commitment"]) == ("draft", "EUR", False)
    assert contract["number"]
    assert ok(manager.post(f"{CONTRACTS}{contract['id']}/activate/", {}, format="json"))["status"] == "active"

    order = make_order(sales, buyer, [line(p10, 10)])
    assert (order["contract"], order["lines"][0]["unit_price"]) == (contract["id"], "8.50")
    ok(sales.post(f"{ORDERS}{order['id']}/confirm/", {}, format="json"))

    item = ok(sales.get(f"{CONTRACTS}{contract['id']}/"))["items"][0]
    assert (item["product"], item["price"], item["quantity"], item["consumed_quantity"], item["remaining_quantity"]) == (
        p10.pk,
        "8.50",
        "100.00",
        "10.00",
        "90.00",
    )
    refused(manager.patch(f"{CONTRACTS}{contract['id']}/", {"notes": "x"}, format="json"), 409, "not_editable")
    assert ok(manager.post(f"{CONTRACTS}{contract['id']}/cancel/", {}, format="json"))["status"] == "cancelled"
    refused(manager.post(f"{CONTRACTS}{contract['id']}/activate/", {}, format="json"), 409, "invalid_transition")


def test_a_contract_refuses_a_period_that_ends_before_it_starts(api_as, buyer, p10):
    body = {
        "customer": buyer.pk,
        "valid_from": "2025-06-01",
        "valid_to": "2025-01-01",
        "items": [{"product": p10.pk, "price": "1", "quantity": "1"}],
    }
    assert "valid_to" in refused(api_as("manager").post(CONTRACTS, body, format="json"), 400, "invalid")["details"]
    assert not Contract.objects.exists()


# --- bad input ----------------------------------------------------------------------------


@pytest.fixture
def foreign_product(other_company):
    unit = Unit.objects.get(company=other_company, code="pc")
    return Product.objects.create(company=other_company, sku="O-1", name="Theirs", unit=unit, list_price=Decimal("1"))


@pytest.mark.parametrize(
    ("make_line", "field"),
    [
        (lambda p, f: line(p, "-1"), "quantity"),
        (lambda p, f: line(p, "0"), "quantity"),
        (lambda p, f: line(p, "abc"), "quantity"),
        (lambda p, f: line(p, "1", "ten"), "unit_price"),
        (lambda p, f: line(p, "1", "-1"), "unit_price"),
        (lambda p, f: line(p, "1", discount_percent="100.01"), "discount_percent"),
        (lambda p, f: {"product": 999999, "quantity": "1"}, "product"),
        (lambda p, f: {"product": f.pk, "quantity": "1"}, "product"),
        (lambda p, f: {"quantity": "1"}, "product"),
    ],
    ids=["negative", "zero", "text", "text-price", "negative-price", "discount", "unknown-product", "foreign-product", "no-product"],
)
def test_a_bad_line_is_refused_naming_the_field_and_nothing_is_saved(api_as, buyer, p10, foreign_product, make_line, field):
    sales = api_as("sales")
    for url in (QUOTATIONS, ORDERS):
        body = {"customer": buyer.pk, "lines": [line(p10, 1), make_line(p10, foreign_product)]}
        details = refused(sales.post(url, body, format="json"), 400, "invalid")["details"]
        assert field in details["lines"][1], details
    assert not Quotation.objects.exists()
    assert not SalesOrder.objects.exists()


@pytest.mark.parametrize("customer", [999999, "abc", None])
def test_an_unknown_customer_is_refused(api_as, p10, customer):
    body = {"lines": [line(p10, 1)], **({"customer": customer} if customer is not None else {})}
    assert "customer" in refused(api_as("sales").post(QUOTATIONS, body, format="json"), 400, "invalid")["details"]
    assert not Quotation.objects.exists()


def test_a_salesperson_cannot_quote_another_salespersons_customer(api_as, customer_of, p10):
    theirs = customer_of("sales3", "C900")
    body = {"customer": theirs.pk, "lines": [line(p10, 1)]}
    assert "customer" in refused(api_as("sales").post(QUOTATIONS, body, format="json"), 400, "invalid")["details"]


def test_a_patch_with_a_bad_line_leaves_the_draft_as_it_was(api_as, buyer, p10):
    sales = api_as("sales")
    quotation = make_quotation(sales, buyer, [line(p10, 2)])
    url = f"{QUOTATIONS}{quotation['id']}/"
    details = refused(sales.patch(url, {"lines": [{"product": p10.pk}]}, format="json"), 400, "invalid")["details"]
    assert "quantity" in details["lines"][0]
    assert ok(sales.get(url))["lines"][0]["quantity"] == "2.00"


# --- scopes, roles, idempotency -----------------------------------------------------------


def test_a_salesperson_sees_only_their_own_documents_and_a_manager_the_teams(api_as, buyer, customer_of, p10):
    sales = api_as("sales")
    quotation = make_quotation(sales, buyer, [line(p10, 1)])
    order = make_order(sales, buyer, [line(p10, 1)])

    for username, visible in (("sales", True), ("sales2", False), ("sales3", False), ("manager", True), ("accountant", True)):
        client = api_as(username)
        for url, doc in ((QUOTATIONS, quotation), (ORDERS, order)):
            assert (client.get(f"{url}{doc['id']}/").status_code == 200) is visible, (username, url)
            assert ({r["id"] for r in ok(client.get(url))["results"]} == {doc["id"]}) is visible, (username, url)
    refused(api_as("sales2").post(f"{ORDERS}{order['id']}/confirm/", {}, format="json"), 404, "not_found")
    refused(api_as("sales3").patch(f"{QUOTATIONS}{quotation['id']}/", {"notes": "x"}, format="json"), 404, "not_found")


def test_warehouse_sees_no_priced_sales_documents(api_as, buyer, p10):
    order = make_order(api_as("sales"), buyer, [line(p10, 1)])
    # The warehouse works from deliveries, which carry quantities and never prices.
    refused(api_as("warehouse").get(f"{ORDERS}{order['id']}/"), 403, "permission_denied")
    refused(api_as("warehouse").get(ORDERS), 403, "permission_denied")


def test_accountant_reads_but_does_not_write_documents(api_as, buyer, p10):
    order = make_order(api_as("sales"), buyer, [line(p10, 1)])
    for username in ("accountant",):
        client = api_as(username)
        ok(client.get(f"{ORDERS}{order['id']}/"))
        refused(client.post(f"{ORDERS}{order['id']}/confirm/", {}, format="json"), 403, "permission_denied")
        refused(client.post(ORDERS, {"customer": buyer.pk, "lines": [line(p10, 1)]}, format="json"), 403, "permission_denied")


def test_a_retried_order_post_with_the_same_idempotency_key_makes_one_order(api_as, buyer, p10):
    sales = api_as("sales")
    body = {"customer": buyer.pk, "lines": [line(p10, 1)]}
    first = sales.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = sales.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert SalesOrder.objects.count() == 1
    refused(sales.post(ORDERS, {**body, "notes": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="order-1"), 409, "idempotency_key_reused")


def test_a_price_approval_left_pending_is_kept_when_confirm_is_retried_with_a_key(api_as, buyer, p20):
    sales = api_as("sales")
    order = make_order(sales, buyer, [line(p20, 1, "5.00")])
    for _ in range(2):
        refused(
            sales.post(f"{ORDERS}{order['id']}/confirm/", {}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"), 409, "price_approval_required"
        )
    assert PriceApproval.objects.filter(order_id=order["id"], status="pending").count() == 1
    assert SalesOrder.objects.get(pk=order["id"]).status == "pending_approval"


# --- filters, search, price preview, PDFs -------------------------------------------------


def test_documents_are_filtered_and_searched(api_as, buyer, customer_of, p10):
    sales = api_as("sales")
    other = customer_of("sales", "C002", name="Beta Supplies")
    first = make_quotation(sales, buyer, [line(p10, 1)])
    second = make_quotation(sales, other, [line(p10, 1)])
    ok(sales.post(f"{QUOTATIONS}{second['id']}/send/", {"to": "b@beta.example"}, format="json"))

    def ids(**params):
        return [r["id"] for r in ok(sales.get(QUOTATIONS, params))["results"]]

    assert ids(status="sent") == [second["id"]]
    assert ids(customer=buyer.pk) == [first["id"]]
    assert ids(search="Beta") == [second["id"]]
    assert ids(search="C001") == [first["id"]]
    assert ids(search=first["number"]) == [first["id"]]
    assert sorted(ids(date_from=first["date"], date_to=first["date"])) == sorted([first["id"], second["id"]])
    assert ids(date_from="2999-01-01") == []
    assert ids(ordering="number") == [first["id"], second["id"]]
    assert ids(ordering="-number") == [second["id"], first["id"]]
    assert "status" in refused(sales.get(QUOTATIONS, {"status": "nonsense"}), 400, "invalid")["details"]


def test_the_price_preview_explains_the_price(api_as, buyer, p10):
    data = ok(api_as("sales").get("/api/v1/price-preview/", {"customer": buyer.pk, "product": p10.pk, "quantity": "2"}))
    assert (data["unit_price"], data["currency"], data["source"], data["price_list"]) == ("10.00", "EUR", "list_price", None)
    assert data["explanation"] and all(isinstance(s, str) for s in data["explanation"])
    details = refused(
        api_as("sales").get("/api/v1/price-preview/", {"customer": buyer.pk, "product": p10.pk, "quantity": "x"}), 400, "invalid"
    )
    assert "quantity" in details["details"]


def test_documents_come_as_pdf(api_as, buyer, p10):
    sales = api_as("sales")
    quotation = make_quotation(sales, buyer, [line(p10, 1)])
    response = sales.get(f"{QUOTATIONS}{quotation['id']}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert quotation["number"] in response["Content-Disposition"]
    assert api_as("sales3").get(f"{QUOTATIONS}{quotation['id']}/pdf/").status_code == 404
    order = make_order(sales, buyer, [line(p10, 1)])
    contract = ok(
        api_as("manager").post(
            CONTRACTS,
            {
                "customer": buyer.pk,
                "valid_from": "2025-01-01",
                "valid_to": "2099-12-31",
                "items": [{"product": p10.pk, "price": "9", "quantity": "5"}],
            },
            format="json",
        ),
        201,
    )
    for url in (f"{ORDERS}{order['id']}/pdf/", f"{CONTRACTS}{contract['id']}/pdf/"):
        response = sales.get(url)
        assert (response.status_code, response["Content-Type"], response.content[:4]) == (200, "application/pdf", b"%PDF"), url


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 20])
def test_lists_and_details_cost_the_same_queries_for_3_or_20_documents(api_as, buyer, p10, p20, count, django_assert_max_num_queries):
    sales, manager = api_as("sales"), api_as("manager")
    today = timezone.localdate()
    for _ in range(count):
        make_quotation(sales, buyer, [line(p10, 1), line(p20, 2)])
        below = make_order(sales, buyer, [line(p10, 1), line(p20, 2, "5.00")])
        refused(sales.post(f"{ORDERS}{below['id']}/confirm/", {}, format="json"), 409, "price_approval_required")
        contract = {"customer": buyer.pk, "valid_from": today.isoformat(), "valid_to": today.isoformat(), "items": []}
        contract["items"] = [{"product": p10.pk, "price": "9", "quantity": "5"}, {"product": p20.pk, "price": "9", "quantity": "5"}]
        ok(manager.post(CONTRACTS, contract, format="json"), 201)
    firsts = {QUOTATIONS: Quotation, ORDERS: SalesOrder, APPROVALS: PriceApproval, CONTRACTS: Contract}
    for url, model in firsts.items():
        with django_assert_max_num_queries(7, info=url):
            assert len(ok(manager.get(url, {"page_size": 50}))["results"]) == count
        detail = f"{url}{model.objects.first().pk}/"
        with django_assert_max_num_queries(7, info=detail):
            ok(manager.get(detail))


def test_sales_settings_are_read_by_all_and_changed_by_the_administrator(api_as, users, company):
    assert api_as("sales").get("/api/v1/sales-settings/").json() == {
        "salesperson_band_percent": "0.00",
        "manager_band_percent": "10.00",
        "quotation_validity_days": 30,
        "block_without_stock": False,
        "default_warehouse": None,
    }
    assert api_as("manager").patch("/api/v1/sales-settings/", {"manager_band_percent": "50"}, format="json").status_code == 403
    changed = api_as("admin").patch(
        "/api/v1/sales-settings/", {"salesperson_band_percent": "5", "quotation_validity_days": 15}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["salesperson_band_percent"] == "5.00"
    refused = api_as("admin").patch("/api/v1/sales-settings/", {"manager_band_percent": "150"}, format="json")
    assert refused.status_code == 400 and "manager_band_percent" in refused.json()["details"]
    from salesdesk.sales.selectors import sales_settings

    settings = sales_settings(company)
    assert (settings.salesperson_band_percent, settings.manager_band_percent, settings.quotation_validity_days) == (5, 10, 15)


@pytest.mark.parametrize("lines", [1, 8])
def test_creating_an_order_reads_its_products_in_one_query_however_many_lines(
    api_as, buyer, company, unit_pc, vat10, lines, django_assert_max_num_queries
):
    """The lines' products (with their taxes) are read together, not one by one."""
    products = [
        Product.objects.create(company=company, sku=f"B-{n}", name=f"B{n}", unit=unit_pc, list_price=Decimal("10.00"), tax=vat10)
        for n in range(lines)
    ]
    sales = api_as("sales")
    make_order(sales, buyer, [line(products[0], 1)])  # first use: content types and settings read once
    with django_assert_max_num_queries(20 + lines):  # the INSERT of each line is one statement for all of them
        order = make_order(sales, buyer, [line(product, 1) for product in products])
    assert [x["product"] for x in order["lines"]] == [p.pk for p in products]


def test_a_line_naming_another_companys_product_or_no_product_at_all_is_refused_with_nothing_saved(
    api_as, buyer, p10, other_company, unit_pc
):
    foreign_unit = Unit.objects.get(company=other_company, code="pc")
    foreign = Product.objects.create(company=other_company, sku="F-1", name="Foreign", unit=foreign_unit, list_price=Decimal("1"))
    sales = api_as("sales")
    before = SalesOrder.objects.count()
    for bad in (foreign.pk, 2**70, -1, 0, True):
        body = refused(
            sales.post(ORDERS, {"customer": buyer.pk, "lines": [line(p10, 1), {"product": bad, "quantity": "1"}]}, format="json"),
            400,
            "invalid",
        )
        assert body["details"]["lines"][0] == {} and "product" in body["details"]["lines"][1], (bad, body)
    assert SalesOrder.objects.count() == before


def test_an_action_on_a_document_ignores_list_filters_in_the_query_string(api_as, buyer, p10):
    sales = api_as("sales")
    order = make_order(sales, buyer, [line(p10, 1)])
    assert ok(sales.get(f"{ORDERS}{order['id']}/", {"status": "cancelled", "search": "nothing like it"}))["id"] == order["id"]
    confirmed = ok(sales.post(f"{ORDERS}{order['id']}/confirm/?status=cancelled", {}, format="json"))
    assert confirmed["status"] == "confirmed"
