"""The goods story of issue #5 through the REST API, with exact quantities, stock values, ledger balances and
order states at each step: an order for 5 chairs with 3 in stock (backorder), a partial delivery, a receipt that
serves the backorder, the rest delivered, invoices on delivery, a delivery refused at the door after it was billed,
a unit returned to stock and credited, and a disputed invoice written off.

The warehouse clerk does the warehouse's part and never sees a cost; the salesperson, the sales manager and the
accountant do theirs.
"""

from decimal import Decimal as D

import pytest

from salesdesk.catalog.models import Product
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.inventory.models import Warehouse

pytestmark = pytest.mark.django_db

COST_KEYS = {"value", "unit_cost", "cost", "cost_amount"}


@pytest.fixture
def story(company, unit_pc, vat21, customer_of):
    chair = Product.objects.create(company=company, sku="CH", name="Chair", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=vat21)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    customer = customer_of("sales", "GOODS", status="active", invoice_policy="on_delivery", shipping_address="1 Dock Road")
    return {"chair": chair, "warehouse": warehouse, "customer": customer}


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code, response.json()
    return response.json()


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def costs_in(value) -> set[str]:
    """Every cost key anywhere in an answer (a clerk's answers must have none)."""
    if isinstance(value, dict):
        return (COST_KEYS & set(value)) | {k for v in value.values() for k in costs_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in costs_in(v)}
    return set()


def level(client, chair):
    rows = ok(client.get("/api/v1/stock-levels/", {"product": chair.pk}))["results"]
    assert len(rows) == 1
    row = rows[0]
    return tuple(row[k] for k in ("on_hand", "reserved", "available")) + ((row["value"],) if "value" in row else ())


def balances(accountant) -> dict[str, str]:
    """Ledger balances by account code (accounts with a balance only); total debit always equals total credit."""
    body = ok(accountant.get("/api/v1/ledger/trial-balance/"))
    assert body["total_debit"] == body["total_credit"]
    return {row["code"]: row["balance"] for row in body["accounts"] if D(row["balance"])}


def order_state(client, order_id):
    order = ok(client.get(f"/api/v1/sales-orders/{order_id}/"))
    line = order["lines"][0]
    progress = (line["reserved_quantity"], line["delivered_quantity"], line["outstanding_quantity"])
    return order["status"], order["delivery_state"], order["invoice_state"], progress


def test_goods_from_backorder_to_refusal_return_and_written_off_dispute(api_as, story, company):
    sales, manager, clerk, accountant = api_as("sales"), api_as("manager"), api_as("warehouse"), api_as("accountant")
    chair, warehouse, customer = story["chair"], story["warehouse"], story["customer"]

    # 3 chairs come in at 60.00: inventory against goods received.
    receipt = {"kind": "receipt", "warehouse": warehouse.pk, "reason": "supplier note 881"}
    received = ok(
        post(clerk, "/api/v1/stock-adjustments/", {**receipt, "lines": [{"product": chair.pk, "quantity": "3", "unit_cost": "60"}]}), 201
    )
    assert received["number"].startswith("REC-") and received["kind"] == "receipt" and not costs_in(received)
    assert level(clerk, chair) == ("3.00", "0.00", "3.00")
    assert level(accountant, chair) == ("3.00", "0.00", "3.00", "180.00")
    assert balances(accountant) == {"1300": "180.00", "2300": "-180.00"}

    # An order for 5: 3 are reserved, 2 wait (backorder).
    order = ok(post(sales, "/api/v1/sales-orders/", {"customer": customer.pk, "lines": [{"product": chair.pk, "quantity": "5"}]}), 201)
    order = ok(post(sales, f"/api/v1/sales-orders/{order['id']}/confirm/"))
    order_id, line_id = order["id"], order["lines"][0]["id"]
    assert (order["total_amount"], order["warehouse"]) == ("605.00", warehouse.pk)
    assert order_state(sales, order_id) == ("confirmed", "none", "none", ("3.00", "0.00", "5.00"))
    assert level(clerk, chair) == ("3.00", "3.00", "0.00")
    assert clerk.get(f"/api/v1/sales-orders/{order_id}/").status_code == 403

    # The clerk delivers the 3 in stock; a delivery for more than is outstanding is refused and saves nothing.
    first = ok(
        post(
            clerk, "/api/v1/deliveries/", {"sales_order": order_id, "lines": [{"order_line": line_id, "quantity": "3"}], "carrier": "DHL"}
        ),
        201,
    )
    assert (first["status"], first["shipping_address"], first["lines"][0]["quantity"]) == ("draft", "1 Dock Road", "3.00")
    too_many = post(clerk, "/api/v1/deliveries/", {"sales_order": order_id, "lines": [{"order_line": line_id, "quantity": "3"}]})
    assert refused(too_many, 409, "over_delivery")["details"]["outstanding"] == "2.0000"
    assert len(ok(clerk.get("/api/v1/deliveries/"))["results"]) == 1
    ok(post(clerk, f"/api/v1/deliveries/{first['id']}/pick/"))
    shipped = ok(post(clerk, f"/api/v1/deliveries/{first['id']}/ship/"))
    assert shipped["status"] == "shipped" and not costs_in(shipped)
    assert ok(accountant.get(f"/api/v1/deliveries/{first['id']}/"))["cost_amount"] == "180.00"
    assert order_state(sales, order_id) == ("confirmed", "partial", "none", ("0.00", "3.00", "2.00"))
    assert level(accountant, chair) == ("0.00", "0.00", "0.00", "0.00")
    assert balances(accountant) == {"2300": "-180.00", "5000": "180.00"}

    # The rest cannot ship before stock arrives: nothing changes.
    second = ok(post(clerk, "/api/v1/deliveries/", {"sales_order": order_id, "tracking_number": "TRK-2"}), 201)
    assert [line["quantity"] for line in second["lines"]] == ["2.00"]
    refused(post(clerk, f"/api/v1/deliveries/{second['id']}/ship/"), 409, "insufficient_stock")
    assert ok(clerk.get(f"/api/v1/deliveries/{second['id']}/"))["status"] == "draft"

    # 4 more come in at 66.00: the 2 waiting are reserved for the order first.
    ok(post(clerk, "/api/v1/stock-adjustments/", {**receipt, "lines": [{"product": chair.pk, "quantity": "4", "unit_cost": "66"}]}), 201)
    assert level(accountant, chair) == ("4.00", "2.00", "2.00", "264.00")
    assert order_state(sales, order_id) == ("confirmed", "partial", "none", ("2.00", "3.00", "2.00"))
    ok(post(clerk, f"/api/v1/deliveries/{second['id']}/ship/"))
    assert order_state(sales, order_id) == ("confirmed", "delivered", "none", ("0.00", "5.00", "0.00"))
    assert level(accountant, chair) == ("2.00", "0.00", "2.00", "132.00")
    assert balances(accountant) == {"1300": "132.00", "2300": "-444.00", "5000": "312.00"}

    # Invoices on delivery: one per delivery, at the order's prices.
    first_invoice = ok(post(accountant, "/api/v1/invoices/", {"delivery": first["id"]}), 201)
    assert (first_invoice["sales_order"], first_invoice["delivery"], first_invoice["total_amount"]) == (order_id, first["id"], "363.00")
    first_invoice = ok(post(accountant, f"/api/v1/invoices/{first_invoice['id']}/post/"))
    second_invoice = ok(post(accountant, "/api/v1/invoices/", {"sales_order": order_id, "delivery": second["id"]}), 201)
    second_invoice = ok(post(accountant, f"/api/v1/invoices/{second_invoice['id']}/post/"))
    assert second_invoice["total_amount"] == "242.00"
    refused(post(accountant, "/api/v1/invoices/", {"delivery": second["id"]}), 409, "nothing_to_invoice")
    assert order_state(sales, order_id) == ("confirmed", "delivered", "invoiced", ("0.00", "5.00", "0.00"))
    assert balances(accountant) == {
        "1100": "605.00",
        "1300": "132.00",
        "2100": "-105.00",
        "2300": "-444.00",
        "4000": "-500.00",
        "5000": "312.00",
    }

    # The customer takes the first delivery and refuses the second at the door: goods and cost come back,
    # the 2 are owed (and reserved) again, and what was billed for them is credited.
    ok(post(clerk, f"/api/v1/deliveries/{first['id']}/deliver/", {"note": "signed by J. Doe"}))
    assert post(accountant, f"/api/v1/deliveries/{second['id']}/refuse/", {"reason": "damaged box"}).status_code == 403
    refusal = ok(post(clerk, f"/api/v1/deliveries/{second['id']}/refuse/", {"reason": "damaged box"}))
    assert (refusal["status"], refusal["refusal_reason"], len(refusal["credit_notes"])) == ("refused", "damaged box", 1)
    assert not costs_in(refusal)
    note = ok(accountant.get(f"/api/v1/invoices/{refusal['credit_notes'][0]}/"))
    assert (note["kind"], note["status"], note["total_amount"], note["delivery"]) == ("credit_note", "paid", "242.00", second["id"])
    assert ok(accountant.get(f"/api/v1/invoices/{second_invoice['id']}/"))["amount_due"] == "0.00"
    assert order_state(sales, order_id) == ("confirmed", "partial", "partial", ("2.00", "3.00", "2.00"))
    assert level(accountant, chair) == ("4.00", "2.00", "2.00", "264.00")
    assert balances(accountant) == {
        "1100": "363.00",
        "1300": "264.00",
        "2100": "-63.00",
        "2300": "-444.00",
        "4000": "-300.00",
        "5000": "180.00",
    }

    # One chair of the first delivery comes back: asked by the seller, approved by the manager, restocked by the clerk
    # at what it cost when it left (60.00), and credited at the invoiced price by the accountant.
    asked = {"customer": customer.pk, "delivery": first["id"], "lines": [{"product": chair.pk, "quantity": "1", "reason": "scratched"}]}
    over = {**asked, "lines": [{"product": chair.pk, "quantity": "4"}]}
    refused(post(sales, "/api/v1/returns/", over), 409, "over_return")
    returned = ok(post(sales, "/api/v1/returns/", asked), 201)
    assert (returned["status"], returned["warehouse"], returned["sales_order"]) == ("requested", warehouse.pk, order_id)
    refused(post(sales, f"/api/v1/returns/{returned['id']}/approve/"), 403, "permission_denied")
    ok(post(manager, f"/api/v1/returns/{returned['id']}/approve/", {"reason": "photos show the scratch"}))
    line = {"id": returned["lines"][0]["id"], "outcome": "restock"}
    received = ok(post(clerk, f"/api/v1/returns/{returned['id']}/receive/", {"lines": [line]}))
    assert (received["status"], received["lines"][0]["received_quantity"]) == ("received", "1.00") and not costs_in(received)
    assert level(accountant, chair) == ("5.00", "2.00", "3.00", "324.00")
    assert post(clerk, f"/api/v1/returns/{returned['id']}/credit/").status_code == 403
    credited = ok(post(accountant, f"/api/v1/returns/{returned['id']}/credit/"))
    assert credited["status"] == "credited" and credited["lines"][0]["credited_quantity"] == "1.00"
    assert ok(accountant.get(f"/api/v1/invoices/{credited['credit_notes'][0]}/"))["total_amount"] == "121.00"
    assert balances(accountant) == {
        "1100": "242.00",
        "1300": "324.00",
        "2100": "-42.00",
        "2300": "-444.00",
        "4000": "-200.00",
        "5000": "120.00",
    }

    # The customer disputes 100.00 of the first invoice; it stays out of dunning and is finally written off.
    dispute = ok(post(accountant, "/api/v1/disputes/", {"invoice": first_invoice["id"], "amount": "100.00", "reason": "price"}), 201)
    assert (dispute["status"], dispute["customer"], dispute["amount"]) == ("open", customer.pk, "100.00")
    invoice = ok(accountant.get(f"/api/v1/invoices/{first_invoice['id']}/"))
    assert (invoice["amount_due"], invoice["disputed"], invoice["disputed_amount"]) == ("242.00", True, "100.00")
    assert [d["id"] for d in ok(sales.get("/api/v1/disputes/", {"customer": customer.pk}))["results"]] == [dispute["id"]]
    resolved = ok(post(accountant, f"/api/v1/disputes/{dispute['id']}/resolve/", {"outcome": "write_off", "note": "goodwill"}))
    assert (resolved["status"], resolved["outcome"]) == ("resolved", "write_off") and resolved["write_off"]
    invoice = ok(accountant.get(f"/api/v1/invoices/{first_invoice['id']}/"))
    assert (invoice["amount_due"], invoice["disputed"], invoice["disputed_amount"]) == ("142.00", False, "0.00")
    assert balances(accountant) == {
        "1100": "142.00",
        "1300": "324.00",
        "2100": "-42.00",
        "2300": "-444.00",
        "4000": "-200.00",
        "5000": "120.00",
        "6800": "100.00",
    }
    assert order_state(sales, order_id) == ("confirmed", "partial", "partial", ("2.00", "3.00", "2.00"))
    # The stock levels are what the moves add up to, and the ledger's inventory is their value.
    assert stock_selectors.level_mismatches(company) == []


def test_a_company_that_blocks_confirmation_without_stock_ships_from_the_orders_warehouse(api_as, story, company):
    admin, sales = api_as("admin"), api_as("sales")
    chair, main, customer = story["chair"], story["warehouse"], story["customer"]
    empty = Warehouse.objects.create(company=company, code="EMPTY", name="Empty depot")
    closed = Warehouse.objects.create(company=company, code="OLD", name="Old depot", active=False)
    receipt = {"kind": "receipt", "warehouse": main.pk, "reason": "opening", "lines": [{"product": chair.pk, "quantity": "3"}]}
    ok(post(admin, "/api/v1/stock-adjustments/", receipt), 201)

    refused(admin.patch("/api/v1/sales-settings/", {"default_warehouse": closed.pk}, format="json"), 400, "invalid")
    settings = ok(admin.patch("/api/v1/sales-settings/", {"block_without_stock": True, "default_warehouse": main.pk}, format="json"))
    assert (settings["block_without_stock"], settings["default_warehouse"]) == (True, main.pk)
    assert sales.patch("/api/v1/sales-settings/", {"block_without_stock": False}, format="json").status_code == 403

    # Ordered from the empty depot, the order cannot be confirmed and stays a draft holding nothing.
    body = {"customer": customer.pk, "warehouse": empty.pk, "lines": [{"product": chair.pk, "quantity": "2"}]}
    order = ok(post(sales, "/api/v1/sales-orders/", body), 201)
    assert order["warehouse"] == empty.pk
    refused(post(sales, f"/api/v1/sales-orders/{order['id']}/confirm/"), 409, "insufficient_stock")
    assert order_state(sales, order["id"]) == ("draft", "none", "none", ("0.00", "0.00", "2.00"))
    assert level(admin, chair) == ("3.00", "0.00", "3.00", "180.00")

    # From the main warehouse it goes through and the goods are reserved there (an inactive one is no choice).
    refused(sales.patch(f"/api/v1/sales-orders/{order['id']}/", {"warehouse": closed.pk}, format="json"), 400, "invalid")
    assert ok(sales.patch(f"/api/v1/sales-orders/{order['id']}/", {"warehouse": main.pk}, format="json"))["warehouse"] == main.pk
    ok(post(sales, f"/api/v1/sales-orders/{order['id']}/confirm/"))
    assert order_state(sales, order["id"]) == ("confirmed", "none", "none", ("2.00", "0.00", "2.00"))
    assert level(admin, chair) == ("3.00", "2.00", "1.00", "180.00")
    refused(sales.patch(f"/api/v1/sales-orders/{order['id']}/", {"warehouse": empty.pk}, format="json"), 409, "not_editable")
