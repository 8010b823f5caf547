"""Credit control in the order pages: the hold explained with its figures, the release with a
reason by those allowed, the release queue, and the order list reading billing's stored progress."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from salesdesk.billing import services as billing_services
from salesdesk.sales import services
from salesdesk.sales.models import SalesOrder

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def member(company, users):
    return lambda username: users[username].memberships.get(company=company)


@pytest.fixture
def draft_order(company, users, member, product):
    """`draft_order(customer, quantity)`: a draft of `quantity` widgets at 10.00 + 21 % VAT, entered by the salesperson."""

    def make(customer, quantity="10", owner="sales"):
        return services.order_create(
            company=company,
            actor=users[owner],
            membership=member(owner),
            customer=customer,
            lines=[{"product": product, "quantity": D(quantity), "unit_price": D("10.00")}],
        )

    return make


@pytest.fixture
def limited(customer_of):
    return customer_of("sales", code="L001", name="Limited Ltd", credit_limit=D("100.00"), status="active")


def confirm(client, order):
    return client.post(reverse("sales:order-action", args=[order.pk, "confirm"]), follow=True).content.decode()


def test_confirming_over_the_limit_holds_the_order_and_explains_the_figures(web_as, limited, draft_order):
    order = draft_order(limited)  # 121.00 against a limit of 100.00
    page = confirm(web_as("sales"), order)
    order.refresh_from_db()
    assert order.status == "credit_hold" and order.number == ""
    assert "Order held for credit" in page and "EUR 121.00" in page and "credit limit of 100.00" in page
    assert 'id="credit-hold-notice"' in page
    assert 'id="hold-limit">EUR 100.00<' in page and 'id="hold-exposure">EUR 0.00<' in page and 'id="hold-order-amount">EUR 121.00<' in page
    assert 'id="release-button"' not in page and "A sales manager or an accountant can release it" in page


def test_reaching_the_limit_exactly_confirms(web_as, customer_of, draft_order):
    exact = customer_of("sales", code="L002", credit_limit=D("121.00"), status="active")
    order = draft_order(exact)
    confirm(web_as("sales"), order)
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_only_managers_and_accountants_release_and_a_reason_is_required(web_as, limited, draft_order):
    order = draft_order(limited)
    confirm(web_as("sales"), order)
    url = reverse("sales:order-action", args=[order.pk, "release"])
    assert web_as("sales").post(url, {"reason": "I know them"}).status_code == 403
    assert web_as("warehouse").post(url, {"reason": "x"}).status_code == 403
    manager = web_as("manager")
    page = manager.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert 'id="release-button"' in page and 'id="release-dialog"' in page
    refused = manager.post(url, {"reason": "  "}, follow=True).content.decode()
    order.refresh_from_db()
    assert order.status == "credit_hold" and "Say why the order may go through" in refused
    done = manager.post(url, {"reason": "paid upfront by transfer"}, follow=True).content.decode()
    order.refresh_from_db()
    assert order.status == "confirmed" and order.number.startswith("SO-")
    assert order.credit_release_reason == "paid upfront by transfer" and order.credit_released_by.username == "manager"
    assert f"Order {order.number} was released and is confirmed." in done
    assert 'id="credit-released"' in done and "paid upfront by transfer" in done


def test_an_accountant_releases_from_the_queue(web_as, limited, draft_order):
    order = draft_order(limited)
    confirm(web_as("sales"), order)
    queue = web_as("accountant").get(reverse("sales:credit-holds")).content.decode()
    assert f'id="held-{order.pk}"' in queue and "Limited Ltd" in queue and "121.00" in queue and "100.00" in queue
    web_as("accountant").post(reverse("sales:order-action", args=[order.pk, "release"]), {"reason": "ok by finance"})
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert 'id="no-holds"' in web_as("accountant").get(reverse("sales:credit-holds")).content.decode()


def test_the_queue_is_for_those_who_may_release(web_as, customer_of, limited, draft_order):
    mine = draft_order(limited)
    confirm(web_as("sales"), mine)
    south = customer_of("sales3", code="L009", name="South Limited", credit_limit=D("1.00"), status="active")
    theirs = draft_order(south, owner="sales3")
    confirm(web_as("sales3"), theirs)
    assert web_as("sales").get(reverse("sales:credit-holds")).status_code == 403
    assert web_as("warehouse").get(reverse("sales:credit-holds")).status_code == 403
    manager_queue = web_as("manager").get(reverse("sales:credit-holds")).content.decode()
    assert f'id="held-{mine.pk}"' in manager_queue and f'id="held-{theirs.pk}"' not in manager_queue
    admin_queue = web_as("admin").get(reverse("sales:credit-holds")).content.decode()
    assert f'id="held-{mine.pk}"' in admin_queue and f'id="held-{theirs.pk}"' in admin_queue


def test_an_invoice_overdue_too_long_holds_new_orders_and_says_so(web_as, company, users, member, customer_of, product, draft_order):
    slow = customer_of("sales", code="L003", name="Slow Payer", overdue_block_days=30, status="active")
    old = billing_services.invoice_create(
        company=company,
        actor=users["accountant"],
        membership=member("accountant"),
        customer=slow,
        lines=[{"product": product, "quantity": D("1")}],
        issue_date=datetime.date(2025, 1, 10),
    )
    billing_services.invoice_post(invoice=old, actor=users["accountant"])
    order = draft_order(slow, quantity="1")
    page = confirm(web_as("sales"), order)
    order.refresh_from_db()
    assert order.status == "credit_hold"
    assert "days overdue, and orders are blocked after 30 days" in page
    assert "overdue longer than 30 days" in page


def test_a_blocked_customer_file_refuses_confirmation_and_the_order_stays_a_draft(web_as, customer_of, draft_order):
    customer = customer_of("sales", code="L004", status="active")
    order = draft_order(customer)
    from salesdesk.customers import services as customer_services

    customer_services.customer_set_status(customer=customer, actor=None, status="blocked", note="fraud check")
    page = confirm(web_as("sales"), order)
    order.refresh_from_db()
    assert order.status == "draft" and "unblock the customer" in page


def test_a_held_order_for_a_script_named_customer_is_escaped_in_the_queue(web_as, customer_of, draft_order):
    evil = customer_of("sales", code="L005", name="<script>alert(2)</script>", credit_limit=D("1.00"), status="active")
    confirm(web_as("sales"), draft_order(evil))
    queue = web_as("manager").get(reverse("sales:credit-holds")).content.decode()
    assert "<script>alert(2)</script>" not in queue and "&lt;script&gt;alert(2)&lt;/script&gt;" in queue


def test_the_order_list_filters_on_the_invoicing_and_payment_billing_stores(web_as, company, users, member, customer_of, draft_order):
    customer = customer_of("sales", code="L006", status="active")
    billed = draft_order(customer, quantity="1")
    services.order_confirm(order=billed, actor=users["sales"], membership=member("sales"))
    invoice = billing_services.invoice_from_order(order=billed, actor=users["accountant"], membership=member("accountant"))
    invoice = billing_services.invoice_post(invoice=invoice, actor=users["accountant"])
    billing_services.payment_create(
        company=company,
        actor=users["accountant"],
        customer=customer,
        amount=D("5.00"),
        allocations=[{"invoice": invoice, "amount": D("5.00")}],
    )
    open_order = draft_order(customer, quantity="2")
    services.order_confirm(order=open_order, actor=users["sales"], membership=member("sales"))
    client = web_as("sales")
    url = reverse("sales:order-list")

    def listed(**params):
        html = client.get(url, params).content.decode()
        return {o.pk for o in (billed, open_order) if reverse("sales:order-detail", args=[o.pk]) in html}

    assert listed(invoicing="invoiced") == {billed.pk}
    assert listed(invoicing="none") == {open_order.pk}
    assert listed(payment="partial") == {billed.pk}
    assert listed(payment="none") == {open_order.pk}
    billed.refresh_from_db()
    assert (billed.invoice_state, billed.payment_state) == ("invoiced", "partial")
    assert SalesOrder.objects.get(pk=open_order.pk).invoice_state == "none"


def test_the_home_page_counts_held_orders_for_those_who_release(web_as, limited, draft_order):
    confirm(web_as("sales"), draft_order(limited))
    home = web_as("manager").get(reverse("home")).content.decode()
    assert "Orders held for credit" in home and f'href="{reverse("sales:credit-holds")}"' in home
    assert "Orders held for credit" not in web_as("sales").get(reverse("home")).content.decode()


def test_the_queue_says_why_each_order_is_held(web_as, customer_of, limited, draft_order):
    from datetime import timedelta

    from django.utils import timezone

    from salesdesk.customers.models import CustomerAccount

    over = draft_order(limited)
    confirm(web_as("sales"), over)
    late = customer_of("sales", code="O001", name="Overdue Ltd", status="active", overdue_block_days=30)
    CustomerAccount.objects.filter(customer=late).update(oldest_overdue_due_date=timezone.localdate() - timedelta(days=45))
    blocked = draft_order(late)
    confirm(web_as("sales"), blocked)
    queue = web_as("manager").get(reverse("sales:credit-holds")).content.decode()
    assert f'id="held-why-{over.pk}">over the credit limit<' in queue
    assert f'id="held-why-{blocked.pk}">an invoice overdue over 30 days<' in queue
