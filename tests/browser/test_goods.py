"""Issue #5's goods story in a real browser, mostly as the warehouse clerk, with the exact quantities
each page shows: a partial delivery and its backorder, a receipt that fills it, a second delivery
refused at the door, then the money side — the invoice of what was shipped, a return credited at the
invoiced price, and a dispute written off.

The setup (warehouse, stock, customer, confirmed order) is made through the services. Chair: list
price 100.00, cost 60, VAT 21 %; the customer is invoiced on delivery. The clerk's pages never show
a price or a cost.
"""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from salesdesk.billing.models import Dispute, Invoice
from salesdesk.catalog.models import Product
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.inventory.models import StockLevel, Warehouse
from salesdesk.sales import services as sales_services
from salesdesk.sales.models import SalesOrder

PRICES = ("100.00", "60.00")  # the chair's list price and cost: never on a clerk's page


def expect_no_prices(page):
    for figure in PRICES:
        expect(page.locator("body")).not_to_contain_text(figure)


def expect_flash(page, text):
    expect(page.locator(".messages .alert-success")).to_contain_text(text)


def expect_cells(row, *values):
    """The row's cells from the second on (the first names the product)."""
    cells = row.locator("td")
    for index, value in enumerate(values, start=1):
        expect(cells.nth(index)).to_have_text(value)


@pytest.fixture
def story(company, users, customer_of, unit_pc, vat21):
    """3 chairs in stock and a confirmed order for 5 of them: 3 reserved, 2 on backorder."""
    admin = users["admin"]
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    chair = Product.objects.create(company=company, sku="CH", name="Chair", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=vat21)
    fulfilment.stock_adjust(
        company=company,
        actor=admin,
        warehouse=warehouse,
        reason="opening stock",
        kind="receipt",
        lines=[{"product": chair, "quantity": D("3"), "unit_cost": D("60")}],
    )
    customer = customer_of(
        "sales", "C-GOODS", name="Hotel Mirador", status="active", invoice_policy="on_delivery", shipping_address="1 Dock Road"
    )
    seller = users["sales"]
    membership = seller.memberships.get(company=company)
    order = sales_services.order_create(
        company=company,
        actor=seller,
        membership=membership,
        customer=customer,
        lines=[{"product": chair, "quantity": D("5"), "unit_price": D("100.00")}],
    )
    order = sales_services.order_confirm(order=order, actor=seller, membership=membership)
    assert order.status == SalesOrder.Status.CONFIRMED
    return {"order": order, "line": order.lines.get(), "chair": chair, "warehouse": warehouse, "customer": customer}


def test_goods_from_backorder_to_dispute(page, login, story):
    order, line, chair = story["order"], story["line"], story["chair"]
    year = timezone.localdate().year
    stock_url = reverse("fulfilment:product-stock", args=[chair.pk])
    queue_line = page.locator(f"#order-{order.pk} tbody tr").first

    # 1. The clerk finds the order in the Warehouse menu's "To ship": 5 outstanding, 3 reserved, 2 on backorder.
    login("warehouse")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="To ship").click()
    expect(page.locator("h1")).to_have_text("To ship")
    expect(page.locator(f"#order-{order.pk}")).to_contain_text(order.number)
    expect(page.locator(f"#order-{order.pk}")).to_contain_text("waiting for stock")
    # outstanding, reserved, backorder, on open deliveries, left to put on a delivery
    expect_cells(queue_line, "5", "3", "2", "0", "5")
    expect_no_prices(page)

    # A delivery of the 3 in stock: picked, then shipped.
    page.click(f"#deliver-{order.pk}")
    expect(page.locator(f"#deliver-line-{line.pk} td").nth(1)).to_have_text("5")
    expect(page.locator("#id_shipping_address")).to_have_value("1 Dock Road")
    page.fill(f"#id_qty-{line.pk}", "3")
    page.click("#save-button")
    expect(page.locator("#document-status")).to_have_text("Draft")
    first = Delivery.objects.get(sales_order=order)
    expect(page.locator("h1")).to_contain_text(first.number)
    expect_flash(page, f"Delivery {first.number} was made for {order.number}.")
    expect(page.locator("#lines tbody tr").first.locator("td").nth(2)).to_have_text("3")
    page.click("#pick-button")
    expect(page.locator("#document-status")).to_have_text("Picked")
    page.click("#ship-button")
    expect(page.locator("#document-status")).to_have_text("Shipped")
    expect_flash(page, f"{first.number} is shipped; the goods left the stock.")
    expect(page.locator("#delivery-cost")).to_have_count(0)
    expect_no_prices(page)

    # Delivered 3, outstanding 2, and those 2 wait for stock.
    page.goto(reverse("fulfilment:to-ship"))
    expect_cells(queue_line, "2", "0", "2", "0", "2")
    page.goto(stock_url)
    expect(page.locator("#total-on-hand")).to_have_text("0")
    expect(page.locator("#total-reserved")).to_have_text("0")
    expect(page.locator("#total-available")).to_have_text("0")
    expect(page.locator("#backorder")).to_have_text("2")
    # ordered, delivered, outstanding
    expect_cells(page.locator("#outgoing-lines tbody tr").filter(has_text=order.number), "C-GOODS Hotel Mirador", "5", "3", "2")
    expect(page.locator("#total-value")).to_have_count(0)
    expect_no_prices(page)

    # 2. A receipt of 4 through the stock adjustment form (no cost field for the clerk): 2 go to the backorder.
    page.click("#adjust-button")
    expect(page.locator("#id_lines-0-unit_cost")).to_have_count(0)
    page.select_option("#id_warehouse", str(story["warehouse"].pk))
    page.select_option("#id_kind", "receipt")
    page.fill("#id_reason", "Supplier delivery")
    page.select_option("#id_lines-0-product", str(chair.pk))
    page.fill("#id_lines-0-quantity", "4")
    page.click("#save-button")
    expect_flash(page, "REC-")
    expect(page.locator("h1")).to_contain_text("REC-")
    expect_no_prices(page)
    page.goto(stock_url)
    expect(page.locator("#total-on-hand")).to_have_text("4")
    expect(page.locator("#total-reserved")).to_have_text("2")
    expect(page.locator("#total-available")).to_have_text("2")
    expect(page.locator("#backorder")).to_have_text("0")
    expect_no_prices(page)

    # 3. The rest (2) goes out and the customer refuses it at the door: the goods come back.
    page.goto(reverse("fulfilment:to-ship"))
    expect_cells(queue_line, "2", "2", "0", "0", "2")
    page.click(f"#deliver-{order.pk}")
    expect(page.locator(f"#id_qty-{line.pk}")).to_have_value("2")
    page.click("#save-button")
    expect(page.locator("#document-status")).to_have_text("Draft")
    second = Delivery.objects.filter(sales_order=order).exclude(pk=first.pk).get()
    expect(page.locator("#lines tbody tr").first.locator("td").nth(2)).to_have_text("2")
    page.click("#ship-button")
    expect(page.locator("#document-status")).to_have_text("Shipped")
    page.click("#refuse-button")
    expect(page.locator("#refuse-dialog")).to_be_visible()
    page.fill("#refuse-reason", "Box crushed in transit")
    page.click("#refuse-submit")
    expect(page.locator("#document-status")).to_have_text("Refused")
    expect(page.locator("#refusal-reason")).to_have_text("Box crushed in transit")
    expect_flash(page, f"{second.number} was refused; the goods are back in stock. Nothing was invoiced for them.")
    expect_no_prices(page)
    page.goto(stock_url)
    expect(page.locator("#total-on-hand")).to_have_text("4")
    expect(page.locator("#total-reserved")).to_have_text("2")
    expect(page.locator("#total-available")).to_have_text("2")
    page.goto(reverse("fulfilment:to-ship"))
    expect_cells(queue_line, "2", "2", "0", "0", "2")

    # 4. The accountant invoices what was shipped (the first delivery: 3 × 100.00 + 21 % = 363.00) and posts it.
    login("accountant")
    order_url = reverse("sales:order-detail", args=[order.pk])
    page.goto(order_url)
    # ordered, reserved, delivered, outstanding, backorder, on open deliveries
    expect_cells(page.locator(f"#goods-line-{line.pk}"), "5", "2", "3", "2", "0", "0")
    expect(page.locator("#order-deliveries")).to_contain_text("Refused")
    page.click("#billing-panel #create-invoice")
    expect(page.locator("#document-status")).to_have_text("Draft")
    expect(page.locator("#settle-total")).to_have_text("363.00")
    invoice = Invoice.objects.get(sales_order=order, kind=Invoice.Kind.INVOICE)
    invoice_url = reverse("billing:invoice-detail", args=[invoice.pk])
    page.click("#post-button")
    number = f"INV-{year}-00001"
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("#document-status")).to_have_text("Posted")
    expect(page.locator("#amount-due")).to_have_text("EUR 363.00")

    # 5. One chair comes back: the manager asks for it from the delivery and approves it.
    login("manager")
    page.goto(reverse("fulfilment:delivery-detail", args=[first.pk]))
    page.click("#return-button")
    expect(page.locator("#id_delivery")).to_have_value(str(first.pk))
    expect(page.locator("#id_lines-0-product")).to_have_value(str(chair.pk))
    expect(page.locator("#id_lines-0-quantity")).to_have_value("3")
    page.select_option("#id_invoice", str(invoice.pk))
    page.fill("#id_lines-0-quantity", "1")
    page.fill("#id_lines-0-reason", "Scratched leg")
    page.fill("#id_reason", "The customer found a scratch")
    page.click("#save-button")
    expect(page.locator("#document-status")).to_have_text("Requested")
    ret = ReturnRequest.objects.get(delivery=first)
    return_url = reverse("fulfilment:return-detail", args=[ret.pk])
    expect_flash(page, f"Return {ret.number} was requested.")
    page.click("#approve-button")
    expect(page.locator("#document-status")).to_have_text("Approved")
    expect_flash(page, f"{ret.number} is approved")

    # The clerk sees it coming, receives it and puts it back on the shelf.
    login("warehouse")
    page.goto(stock_url)
    expect(page.locator("#incoming")).to_have_text("1")
    page.goto(return_url)
    return_line = ret.lines.get()
    expect(page.locator(f"#id_qty-{return_line.pk}")).to_have_value("1")
    page.select_option(f"#id_outcome-{return_line.pk}", "restock")
    page.click("#receive-button")
    expect(page.locator("#document-status")).to_have_text("Received")
    expect_flash(page, f"{ret.number} was received (1 item).")
    expect(page.locator("#credit-button")).to_have_count(0)
    expect_no_prices(page)
    page.goto(stock_url)
    expect(page.locator("#total-on-hand")).to_have_text("5")
    expect(page.locator("#total-reserved")).to_have_text("2")
    expect(page.locator("#total-available")).to_have_text("3")
    expect(page.locator("#incoming")).to_have_text("0")

    # The accountant credits it at the invoiced price: 100.00 + 21 % = 121.00.
    login("accountant")
    page.goto(return_url)
    page.get_by_role("button", name="Issue credit note").click()
    credit_number = f"CN-{year}-00001"
    expect(page.locator("#document-status")).to_have_text("Credited")
    expect_flash(page, f"{ret.number} is credited: credit note {credit_number} was posted.")
    expect(page.locator("#return-documents")).to_contain_text(credit_number)
    expect(page.locator("#return-documents")).to_contain_text("EUR 121.00")
    page.goto(invoice_url)
    expect(page.locator("#settle-credited")).to_have_text("121.00")
    expect(page.locator("#amount-due")).to_have_text("EUR 242.00")

    # 6. The customer disputes 100.00 of the rest; the accountant writes it off: 142.00 is due.
    page.click("#dispute-button")
    expect(page.locator("#dispute-amount")).to_have_value("242.00")
    page.fill("#dispute-amount", "100.00")
    page.select_option("#dispute-reason", "price")
    page.fill("#dispute-note", "Says the price was agreed lower")
    page.click("#dispute-submit")
    expect_flash(page, f"100.00 EUR of {number} is disputed")
    expect(page.locator("#disputed-amount")).to_have_text("EUR 100.00")
    dispute = Dispute.objects.get(invoice=invoice)
    page.select_option(f"#outcome-{dispute.pk}", "write_off")
    page.fill(f"#resolve-note-{dispute.pk}", "Goodwill")
    page.click(f"#resolve-{dispute.pk}")
    expect_flash(page, "The dispute is resolved: 100.00 EUR was written off.")
    expect(page.locator("#settle-written-off")).to_have_text("100.00")
    expect(page.locator("#amount-due")).to_have_text("EUR 142.00")
    expect(page.locator(f"#dispute-{dispute.pk}")).to_contain_text("Resolved")
    expect(page.locator("#disputed-amount")).to_have_count(0)

    # The books agree with the pages.
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.disputed_amount) == (D("142.00"), D("0.00"))
    level = StockLevel.objects.get(product=chair)
    assert (level.on_hand, level.reserved, level.available) == (D("5"), D("2"), D("3"))
    assert Delivery.objects.get(pk=second.pk).status == Delivery.Status.REFUSED
