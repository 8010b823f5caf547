"""The salesperson's story in a real browser: quote, send, accept, convert, fail the price check,
get the manager's approval, confirm."""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from salesdesk.catalog.models import Product, Tax
from salesdesk.sales.models import PriceApproval, Quotation, SalesOrder


@pytest.fixture
def desk(company, unit_pc, customer_of):
    tax = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    Product.objects.create(
        company=company, sku="P-20", name="Oak desk", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax, floor_price=D("9.00")
    )
    return customer_of("sales", "C001", name="Muebles Norte", email="compras@example.com")


def test_quote_to_confirmed_order_with_a_managers_approval(page, login, desk, live_server):
    login("sales")
    page.goto(reverse("sales:quotation-create"))
    page.select_option("#id_customer", str(desk.pk))
    search = page.locator("#lines-0-product-search")
    search.fill("P-20")
    expect(page.locator("#lines-0-product-results [data-id]").first).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    page.fill("input[name=lines-0-quantity]", "3")
    page.fill("input[name=lines-0-unit_price]", "8.00")
    page.press("input[name=lines-0-discount_percent]", "Enter")  # Enter at the end of a line adds the next one
    expect(page.locator("#lines-1-product-search")).to_be_focused()
    expect(page.locator("#preview")).to_contain_text("26.40")  # 3 × 8.00 + 10 % tax, live
    page.click("#save-button")
    expect(page.locator("main")).to_contain_text("QUO-")
    quotation = Quotation.objects.get()
    assert (quotation.untaxed_amount, quotation.total_amount) == (D("24.00"), D("26.40"))

    page.click("#send-button")
    page.click("#confirm-send")
    expect(page.locator("main")).to_contain_text("Sent")
    assert mail.outbox[-1].to == ["compras@example.com"]
    page.click("#accept-button")
    page.click("#convert-button")
    expect(page.locator("#confirm-button")).to_be_visible()
    order = SalesOrder.objects.get()

    page.click("#confirm-button")
    expect(page.locator("main")).to_contain_text("Pending approval")
    order.refresh_from_db()
    assert order.status == "pending_approval" and order.number == ""

    login("manager")
    page.goto(reverse("sales:approval-list"))
    approval = PriceApproval.objects.get()
    page.click(f"#approve-{approval.pk}")
    page.wait_for_load_state("networkidle")
    approval.refresh_from_db()
    assert approval.status == "approved"

    login("sales")
    page.goto(reverse("sales:order-detail", args=[order.pk]))
    page.click("#confirm-button")
    expect(page.locator("main")).to_contain_text("SO-")
    order.refresh_from_db()
    assert order.status == "confirmed" and order.number.startswith("SO-")
