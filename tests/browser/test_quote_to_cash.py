"""The money side of quote-to-cash in a real browser: an order held for credit and released, then the
accountant's part — deposit, invoice, posting, partial payment, credit note, PDF and e-invoice,
receivables and the trial balance — with the exact amounts each page shows.

The quotation-to-order part runs in `test_quote_to_order.py`; here the orders are made through the
sales services. Widget: 10.00 a piece, VAT 21 %.
"""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from salesdesk.billing.models import Deposit, Invoice, Payment
from salesdesk.sales import services as sales_services
from salesdesk.sales.models import SalesOrder

LIMIT = D("130.00")


@pytest.fixture
def held_order(company, users, customer_of, product):
    """A draft order of 121.00 for a customer whose limit is 130.00 and who already has 24.20 on order."""
    seller = users["sales"]
    membership = seller.memberships.get(company=company)
    customer = customer_of("sales", "C-Q2C", name="Muebles Norte", status="active", credit_limit=LIMIT, email="pagos@example.com")

    def order(quantity):
        return sales_services.order_create(
            company=company,
            actor=seller,
            membership=membership,
            customer=customer,
            lines=[{"product": product, "quantity": D(quantity), "unit_price": D("10.00")}],
        )

    sales_services.order_confirm(order=order("2"), actor=seller, membership=membership)  # 24.20, within the limit
    return order("10")  # 100.00 + 21.00 VAT = 121.00: 24.20 + 121.00 passes 130.00


def test_credit_hold_release_and_the_accountants_quote_to_cash(page, login, held_order):
    order, customer = held_order, held_order.customer
    order_url = reverse("sales:order-detail", args=[order.pk])

    # 1. The salesperson confirms: the order is held, and the page says why, with the figures.
    login("sales")
    page.goto(order_url)
    page.click("#confirm-button")
    expect(page.locator("#credit-hold-notice")).to_be_visible()
    expect(page.locator("#document-status")).to_have_text("Credit hold")
    expect(page.locator("#hold-limit")).to_have_text("EUR 130.00")
    expect(page.locator("#hold-exposure")).to_have_text("EUR 24.20")
    expect(page.locator("#hold-order-amount")).to_have_text("EUR 121.00")
    expect(page.locator("#hold-available")).to_have_text("EUR 105.80")
    expect(page.locator("#release-button")).to_have_count(0)  # a salesperson cannot release
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CREDIT_HOLD and order.number == ""

    # The accountant finds it in the queue and releases it with a reason: it is confirmed with a number.
    login("accountant")
    page.goto(reverse("sales:credit-holds"))
    row = page.locator(f"#held-{order.pk}")
    expect(row).to_contain_text("Muebles Norte")
    expect(row).to_contain_text("EUR 121.00")
    expect(row).to_contain_text("24.20")
    expect(row).to_contain_text("130.00")
    page.click(f"#release-button-{order.pk}")
    page.fill(f"#release-{order.pk}-reason", "Long-standing customer; pays on time")
    page.click(f"#release-{order.pk}-submit")
    expect(page.locator("#document-status")).to_have_text("Confirmed")
    expect(page.locator("#credit-released")).to_contain_text("Long-standing customer; pays on time")
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CONFIRMED and order.number.startswith("SO-")
    expect(page.locator("h1")).to_contain_text(order.number)

    # 2. A deposit of 50.00 against the order, from the order's billing panel.
    page.click("#billing-panel #record-deposit")
    expect(page.locator("#id_sales_order")).to_have_value(str(order.pk))
    page.fill("#id_amount", "50.00")
    page.click("#save-button")
    expect(page.locator("main")).to_contain_text("DEP-")
    deposit = Deposit.objects.get(sales_order=order)
    assert (deposit.amount, deposit.status) == (D("50.00"), "held")
    page.goto(order_url)
    expect(page.locator("#deposits-held")).to_have_text("EUR 50.00")

    # The invoice from the order panel, then posted: it takes the first number and the deposit pays part of it.
    page.click("#billing-panel #create-invoice")
    expect(page.locator("#document-status")).to_have_text("Draft")
    expect(page.locator("#settle-total")).to_have_text("121.00")
    invoice = Invoice.objects.get(sales_order=order, kind=Invoice.Kind.INVOICE)
    invoice_url = reverse("billing:invoice-detail", args=[invoice.pk])
    page.click("#post-button")
    number = f"INV-{timezone.localdate().year}-00001"
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("#document-status")).to_have_text("Posted")
    expect(page.locator("#settle-paid")).to_have_text("50.00")
    expect(page.locator("#amount-due")).to_have_text("EUR 71.00")
    expect(page.locator("#payments")).to_contain_text(deposit.number)

    # A partial payment of 30.00: choosing the customer loads their open invoices into the form.
    page.goto(reverse("billing:payment-create"))
    page.select_option("#id_customer", str(customer.pk))
    allocation = page.locator(f"#allocation-{invoice.pk}")
    expect(allocation).to_contain_text(number)
    expect(allocation).to_contain_text("71.00")
    page.fill("#id_amount", "30.00")
    allocation.locator("input").fill("30.00")
    page.click("#save-button")
    expect(page.locator("main")).to_contain_text("PAY-")
    payment = Payment.objects.get(customer=customer)
    assert (payment.amount, payment.allocated_amount, payment.unallocated_amount) == (D("30.00"), D("30.00"), D("0.00"))
    page.goto(invoice_url)
    expect(page.locator("#settle-paid")).to_have_text("80.00")
    expect(page.locator("#amount-due")).to_have_text("EUR 41.00")
    expect(page.locator("#payments")).to_contain_text(payment.number)
    page.goto(reverse("billing:invoice-list") + f"?q={number}")
    expect(page.locator("main table tbody tr").filter(has_text=number)).to_contain_text("partly paid")

    # A credit note for 2 of the 10 pieces (2 × 10.00 + 21 % = 24.20): what is due drops to 16.80.
    page.goto(invoice_url)
    page.click("#credit-button")
    line = invoice.lines.get()
    page.fill(f"#credit-line-{line.pk} input", "2")
    page.fill("#id_reason", "Two pieces arrived scratched")
    page.click("#save-button")
    expect(page.locator("#document-kind")).to_have_text("Credit note")
    expect(page.locator("h1")).to_contain_text(f"CN-{timezone.localdate().year}-")
    expect(page.locator("#settle-total")).to_have_text("24.20")
    expect(page.locator("#credit-reason")).to_have_text("Two pieces arrived scratched")
    expect(page.locator("#settle-paid")).to_have_text("24.20")  # used at once against the invoice
    expect(page.locator("#amount-due")).to_have_text("EUR 0.00")
    page.goto(invoice_url)
    expect(page.locator("#settle-credited")).to_have_text("24.20")
    expect(page.locator("#amount-due")).to_have_text("EUR 16.80")
    expect(page.locator("#credit-notes")).to_contain_text("Two pieces arrived scratched")

    # The PDF and the UBL e-invoice.
    pdf = page.request.get(page.locator("#pdf-button").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.click("#einvoice-button")
    with page.expect_download() as download_info:
        page.click("#einvoice-ubl")
    download = download_info.value
    assert download.suggested_filename == f"{number}-ubl.xml"
    with open(download.path(), "rb") as f:
        ubl = f.read()
    assert ubl.startswith(b"<?xml") and number.encode() in ubl and b"<cbc:PayableAmount" in ubl
    ubl_response = page.request.get(page.locator("#einvoice-ubl").get_attribute("href"))
    assert ubl_response.headers["content-type"].startswith("application/xml")

    # The order page follows: invoiced, partly paid.
    page.goto(order_url)
    expect(page.locator("#invoice-state")).to_have_text("invoiced")
    expect(page.locator("#payment-state")).to_have_text("partial")
    expect(page.locator("#order-invoices tr").filter(has_text=number)).to_contain_text("16.80")
    expect(page.locator("#deposits-applied")).to_have_text("EUR 50.00")
    expect(page.locator("#deposits-held")).to_have_text("EUR 0.00")

    # Receivables: the customer owes 16.80, all current; the statement closes on the same balance.
    page.goto(reverse("billing:ageing"))
    ageing = page.locator(f"#ageing-{customer.pk} td")
    expect(ageing.nth(1)).to_have_text("16.80")  # current
    expect(ageing.nth(6)).to_have_text("16.80")  # total
    page.locator(f"#ageing-{customer.pk}").get_by_role("link", name="Statement").click()
    expect(page.locator("#opening-balance")).to_have_text("0.00")
    expect(page.locator("#statement tbody tr").last).to_contain_text("CN-")
    expect(page.locator("#closing-balance")).to_have_text("16.80")

    # 3. Every entry balances: deposit 50 + invoice 121 + deposit applied 50 + payment 30 + credit note 24.20.
    page.goto(reverse("ledger:trial-balance"))
    expect(page.locator("#total-debit")).to_have_text("275.20")
    expect(page.locator("#total-credit")).to_have_text("275.20")
    receivables = page.locator("#trial-balance tbody tr").filter(has_text="Receivables").locator("td")
    expect(receivables.last).to_have_text("16.80")  # the ledger agrees with the ageing
