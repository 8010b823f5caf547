"""Payment and deposit pages: recording money with allocations, the customer's credit, chargebacks,
deposits applied and refunded, and the billing panels on the order and customer pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from salesdesk.billing import services
from salesdesk.billing.models import Deposit, Invoice, Payment
from salesdesk.sales import services as sales_services

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def posted_invoice(users, member, confirmed_order):
    def make(customer, quantity="10", price="10.00"):
        accountant = users["accountant"]
        draft = services.invoice_from_order(
            order=confirmed_order(customer, quantity, price), actor=accountant, membership=member("accountant")
        )
        return services.invoice_post(invoice=draft, actor=accountant)

    return make


def payment_data(customer, amount, allocations=(), **extra) -> dict:
    data = {"customer": customer.pk, "amount": amount, "method": "bank_transfer", **extra}
    for invoice, value in allocations:
        data[f"alloc-{invoice.pk}"] = value
    return data


# --- payments ----------------------------------------------------------------------------------


def test_choosing_the_customer_loads_their_open_invoices_with_blank_amounts(web_as, customer_of, buyer, posted_invoice):
    first, second = posted_invoice(buyer), posted_invoice(buyer, quantity="1")
    posted_invoice(customer_of("sales2", code="C2", name="Other Co"))
    client = web_as("accountant")
    form = client.get(reverse("billing:payment-create")).content.decode()
    assert 'hx-get="/billing/payments/open-invoices/"' in form and 'hx-target="#allocations"' in form
    fragment = client.get(reverse("billing:payment-open-invoices"), {"customer": buyer.pk}).content.decode()
    assert first.number in fragment and second.number in fragment and "Other Co" not in fragment
    assert f'name="alloc-{first.pk}"' in fragment and f'id="id_alloc-{first.pk}" value=""' in fragment
    assert "121.00" in fragment and "12.10" in fragment


def test_recording_a_payment_allocates_and_keeps_the_rest_as_credit(web_as, buyer, posted_invoice):
    first, second = posted_invoice(buyer), posted_invoice(buyer, quantity="1")
    client = web_as("accountant")
    data = payment_data(buyer, "150.00", [(first, "121.00"), (second, "")], reference="TRF 77", date="2026-03-05")
    response = client.post(reverse("billing:payment-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    payment = Payment.objects.get()
    assert (payment.amount, payment.allocated_amount, payment.unallocated_amount) == (D("150.00"), D("121.00"), D("29.00"))
    assert payment.reference == "TRF 77" and str(payment.date) == "2026-03-05"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.amount_due, second.amount_due) == ("paid", D("0.00"), D("12.10"))
    page = client.get(response["Location"]).content.decode()
    assert 'id="payment-unallocated">29.00<' in page and first.number in page
    # The credit left is allocated later from the payment's page.
    assert 'id="allocate-button"' in page and f'name="alloc-{second.pk}"' in page
    client.post(reverse("billing:payment-action", args=[payment.pk, "allocate"]), {f"alloc-{second.pk}": "12.10"})
    payment.refresh_from_db()
    second.refresh_from_db()
    assert (payment.unallocated_amount, second.status) == (D("16.90"), "paid")


def test_allocating_more_than_is_due_is_refused_and_nothing_is_recorded(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer, quantity="1")
    response = web_as("accountant").post(reverse("billing:payment-create"), payment_data(buyer, "50.00", [(invoice, "12.11")]))
    assert response.status_code == 400
    assert "allocates more than is due" in response.content.decode()
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.amount_due == D("12.10")


def test_allocations_above_the_payment_and_bad_amounts_are_refused(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    client = web_as("accountant")
    over = client.post(reverse("billing:payment-create"), payment_data(buyer, "10.00", [(invoice, "20.00")]))
    assert over.status_code == 400 and Payment.objects.count() == 0
    bad = client.post(reverse("billing:payment-create"), payment_data(buyer, "10.00", [(invoice, "abc")]))
    assert bad.status_code == 400 and "Enter a number." in bad.content.decode() and 'value="abc"' in bad.content.decode()
    negative = client.post(reverse("billing:payment-create"), payment_data(buyer, "-5", []))
    assert negative.status_code == 400 and Payment.objects.count() == 0


def test_a_salesperson_sees_their_customers_payments_but_records_none(web_as, company, customer_of, buyer, users, posted_invoice):
    other = customer_of("sales3", code="S3", name="South Payer")
    services.payment_create(company=company, actor=users["accountant"], customer=buyer, amount=D("5.00"))
    theirs = services.payment_create(company=company, actor=users["accountant"], customer=other, amount=D("7.00"))
    client = web_as("sales")
    listing = client.get(reverse("billing:payment-list")).content.decode()
    assert "South Payer" not in listing and buyer.name in listing
    assert client.get(reverse("billing:payment-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("billing:payment-create")).status_code == 403
    assert client.post(reverse("billing:payment-create"), payment_data(buyer, "1.00")).status_code == 403
    assert client.post(reverse("billing:payment-action", args=[theirs.pk, "reverse"]), {"reason": "x"}).status_code == 403
    assert Payment.objects.count() == 2
    assert web_as("warehouse").get(reverse("billing:payment-list")).status_code == 403


def test_a_chargeback_needs_a_reason_and_reopens_the_invoice(web_as, company, users, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    payment = services.payment_create(
        company=company,
        actor=users["accountant"],
        customer=buyer,
        amount=D("121.00"),
        allocations=[{"invoice": invoice, "amount": D("121.00")}],
    )
    client = web_as("accountant")
    url = reverse("billing:payment-action", args=[payment.pk, "reverse"])
    page = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "Say why the payment is reversed." in page
    payment.refresh_from_db()
    assert payment.status == "posted"
    client.post(url, {"reason": "card chargeback"})
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, payment.reversal_reason, invoice.status, invoice.amount_due) == (
        "reversed",
        "card chargeback",
        "posted",
        D("121.00"),
    )
    again = client.post(url, {"reason": "twice"}, follow=True).content.decode()
    assert "alert-danger" in again


def test_the_payment_list_exports(web_as, company, users, buyer):
    services.payment_create(company=company, actor=users["accountant"], customer=buyer, amount=D("33.30"), reference="=cmd")
    csv = web_as("accountant").get(reverse("billing:payment-list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "33.30" in csv and "'=cmd" in csv


# --- deposits ----------------------------------------------------------------------------------


def test_recording_a_deposit_from_the_order_page_fills_in_customer_and_order(web_as, buyer, confirmed_order):
    order = confirmed_order(buyer)
    client = web_as("accountant")
    form = client.get(reverse("billing:deposit-create"), {"order": order.pk}).content.decode()
    assert f'<option value="{order.pk}" selected>' in form and f'<option value="{buyer.pk}" selected>' in form
    fragment = client.get(reverse("billing:deposit-orders"), {"customer": buyer.pk}).content.decode()
    assert order.number in fragment and 'id="field-sales_order"' in fragment
    response = client.post(
        reverse("billing:deposit-create"), {"customer": buyer.pk, "sales_order": order.pk, "amount": "21.00", "method": "card"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    deposit = Deposit.objects.get()
    assert (deposit.amount, deposit.held_amount, deposit.sales_order, deposit.method) == (D("21.00"), D("21.00"), order, "card")


def test_a_deposit_on_a_cancelled_order_is_refused(web_as, company, users, member, buyer, product):
    admin = users["admin"]
    order = sales_services.order_create(
        company=company, actor=admin, membership=member("admin"), customer=buyer, lines=[{"product": product, "quantity": D("1")}]
    )
    sales_services.order_cancel(order=order, actor=admin)
    response = web_as("accountant").post(
        reverse("billing:deposit-create"), {"customer": buyer.pk, "sales_order": order.pk, "amount": "5.00", "method": "cash"}
    )
    assert response.status_code == 400 and Deposit.objects.count() == 0


def test_a_held_deposit_is_applied_to_an_invoice_then_refunded(web_as, company, users, buyer, posted_invoice):
    deposit = services.deposit_create(company=company, actor=users["accountant"], customer=buyer, amount=D("50.00"))
    invoice = posted_invoice(buyer, quantity="1")
    client = web_as("accountant")
    page = client.get(reverse("billing:deposit-detail", args=[deposit.pk])).content.decode()
    assert 'id="apply-button"' in page and invoice.number in page
    client.post(reverse("billing:deposit-action", args=[deposit.pk, "apply"]), {"invoice": invoice.pk, "amount": ""})
    deposit.refresh_from_db()
    invoice.refresh_from_db()
    assert (deposit.applied_amount, deposit.held_amount, invoice.status) == (D("12.10"), D("37.90"), "paid")
    refused = client.post(reverse("billing:deposit-action", args=[deposit.pk, "refund"]), {"amount": "40.00"}, follow=True)
    assert "alert-danger" in refused.content.decode()
    client.post(reverse("billing:deposit-action", args=[deposit.pk, "refund"]), {"amount": "", "reason": "order dropped"})
    deposit.refresh_from_db()
    assert (deposit.status, deposit.refunded_amount, deposit.held_amount) == ("refunded", D("37.90"), D("0.00"))
    assert web_as("sales").post(reverse("billing:deposit-action", args=[deposit.pk, "refund"])).status_code == 403


# --- panels on the order and customer pages --------------------------------------------------


def test_the_order_panel_shows_invoices_and_deposits_and_makes_the_invoice(web_as, company, users, buyer, confirmed_order):
    order = confirmed_order(buyer)
    services.deposit_create(company=company, actor=users["accountant"], customer=buyer, amount=D("21.00"), sales_order=order)
    client = web_as("accountant")
    order_page = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert f'hx-get="{reverse("billing:order-panel", args=[order.pk])}"' in order_page
    panel = client.get(reverse("billing:order-panel", args=[order.pk])).content.decode()
    assert 'id="deposits-held">EUR 21.00<' in panel and 'id="deposits-applied">EUR 0.00<' in panel
    assert 'id="create-invoice"' in panel and 'id="record-deposit"' in panel
    response = client.post(reverse("billing:order-invoice", args=[order.pk]))
    invoice = Invoice.objects.get()
    assert response["Location"] == reverse("billing:invoice-detail", args=[invoice.pk])
    assert (invoice.status, invoice.total_amount, invoice.sales_order) == ("draft", D("121.00"), order)
    client.post(reverse("billing:invoice-action", args=[invoice.pk, "post"]))
    panel = client.get(reverse("billing:order-panel", args=[order.pk])).content.decode()
    assert 'id="deposits-held">EUR 0.00<' in panel and 'id="deposits-applied">EUR 21.00<' in panel
    assert Invoice.objects.get().number in panel and 'id="create-invoice"' not in panel
    order.refresh_from_db()
    page = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert 'id="invoice-state">invoiced<' in page and 'id="payment-state">partial<' in page


def test_creating_an_invoice_twice_says_nothing_is_left(web_as, users, member, buyer, confirmed_order):
    order = confirmed_order(buyer)
    services.invoice_from_order(order=order, actor=users["accountant"], membership=member("accountant"))
    page = web_as("accountant").post(reverse("billing:order-invoice", args=[order.pk]), follow=True).content.decode()
    assert "Nothing on this order is left to invoice" in page and Invoice.objects.count() == 1


def test_panels_follow_the_members_scope_and_role(web_as, customer_of, buyer, confirmed_order, posted_invoice):
    order = confirmed_order(buyer)
    south = customer_of("sales3", code="S5", name="South Five")
    assert web_as("sales").get(reverse("billing:order-panel", args=[order.pk])).status_code == 200
    assert 'id="create-invoice"' not in web_as("sales").get(reverse("billing:order-panel", args=[order.pk])).content.decode()
    assert web_as("sales").post(reverse("billing:order-invoice", args=[order.pk])).status_code == 403
    assert web_as("sales").get(reverse("billing:customer-panel", args=[south.pk])).status_code == 404
    assert web_as("warehouse").get(reverse("billing:order-panel", args=[order.pk])).status_code == 403
    assert "billing:order-panel" not in web_as("warehouse").get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert "/billing/orders/" not in web_as("warehouse").get(reverse("sales:order-detail", args=[order.pk])).content.decode()


def test_the_customer_panel_shows_open_invoices_deposits_and_the_statement(web_as, company, users, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    services.deposit_create(company=company, actor=users["accountant"], customer=buyer, amount=D("8.00"))
    client = web_as("sales")
    page = client.get(reverse("customers:customer-detail", args=[buyer.pk])).content.decode()
    assert f'hx-get="{reverse("billing:customer-panel", args=[buyer.pk])}"' in page
    panel = client.get(reverse("billing:customer-panel", args=[buyer.pk])).content.decode()
    assert invoice.number in panel and 'id="customer-deposits-held">8.00<' in panel
    assert reverse("billing:statement", args=[buyer.pk]) in panel and 'id="record-payment"' not in panel
    accountant_panel = web_as("accountant").get(reverse("billing:customer-panel", args=[buyer.pk])).content.decode()
    assert f'href="{reverse("billing:payment-create")}?customer={buyer.pk}"' in accountant_panel
    prefilled = web_as("accountant").get(reverse("billing:payment-create"), {"customer": buyer.pk}).content.decode()
    assert f'<option value="{buyer.pk}" selected>' in prefilled and f'name="alloc-{invoice.pk}"' in prefilled
    # The credit figures on the customer page come from the maintained account row.
    assert "Exposure" in page and "121.00" in page
    assert "/billing/customers/" not in web_as("warehouse").get(reverse("customers:customer-detail", args=[buyer.pk])).content.decode()


def test_a_posted_invoice_offers_to_record_its_payment_to_those_who_may(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    page = web_as("accountant").get(reverse("billing:invoice-detail", args=[invoice.pk])).content.decode()
    link = f'href="{reverse("billing:payment-create")}?customer={buyer.pk}"'
    assert 'id="record-payment-button"' in page and link in page
    form = web_as("accountant").get(f"{reverse('billing:payment-create')}?customer={buyer.pk}").content.decode()
    assert f'name="alloc-{invoice.pk}"' in form  # the customer's open invoices are there to allocate
    assert 'id="record-payment-button"' not in web_as("sales").get(reverse("billing:invoice-detail", args=[invoice.pk])).content.decode()
