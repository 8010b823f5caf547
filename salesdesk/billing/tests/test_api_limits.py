"""Figures at the edge of what the API takes answer 400 naming the field, and nothing is saved:
amounts too large to store exactly, nested rows missing a field on a PATCH, dates so late that
a due date or validity would pass the calendar's last day."""

import pytest

from salesdesk.billing.models import Deposit, Invoice
from salesdesk.sales.models import Contract, Quotation, SalesOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin_api):
    admin_api.raise_request_exception = False
    return admin_api


@pytest.fixture
def buyer(customer_of):
    return customer_of("sales", "C1", status="active")


@pytest.mark.parametrize(
    ("url", "model"), [("/api/v1/sales-orders/", SalesOrder), ("/api/v1/quotations/", Quotation), ("/api/v1/invoices/", Invoice)]
)
def test_a_line_too_large_to_store_is_refused(api, product, buyer, url, model):
    line = {"product": product.pk, "quantity": "1000000", "unit_price": "100000000"}  # 1e14: each figure within its field
    answer = api.post(url, {"customer": buyer.pk, "lines": [line]}, format="json")
    assert answer.status_code == 400, answer.content
    assert "lines" in answer.json()["details"]
    assert model.objects.count() == 0
    assert api.get(url).status_code == 200
    # Just under the limit is stored and read back exactly.
    line = {"product": product.pk, "quantity": "1000", "unit_price": "8000000000"}  # 8e12, 9.68e12 with tax
    answer = api.post(url, {"customer": buyer.pk, "lines": [line]}, format="json")
    assert answer.status_code == 201, answer.content
    assert api.get(f"{url}{answer.json()['id']}/").json()["total_amount"] == "9680000000000.00"


def test_a_payment_or_deposit_too_large_to_store_is_refused(api, buyer):
    for url in ("/api/v1/deposits/", "/api/v1/payments/"):
        answer = api.post(url, {"customer": buyer.pk, "amount": "99999999999999.99"}, format="json")
        assert answer.status_code == 400 and "amount" in answer.json()["details"], answer.content
    assert Deposit.objects.count() == 0
    assert api.get(f"/api/v1/customers/{buyer.pk}/credit/").status_code == 200


def test_a_contract_patch_needs_each_items_product_price_and_quantity(api, product, buyer):
    item = {"product": product.pk, "price": "5", "quantity": "10"}
    made = api.post(
        "/api/v1/contracts/", {"customer": buyer.pk, "valid_from": "2025-01-01", "valid_to": "2025-12-31", "items": [item]}, format="json"
    )
    assert made.status_code == 201, made.content
    answer = api.patch(f"/api/v1/contracts/{made.json()['id']}/", {"items": [{"price": "4"}]}, format="json")
    assert answer.status_code == 400
    assert answer.json()["details"]["items"][0].keys() == {"product", "quantity"}
    assert Contract.objects.get().items.get().price == 5


def test_a_payment_term_patch_needs_each_lines_percent_and_days(api):
    made = api.post("/api/v1/payment-terms/", {"name": "N30", "lines": [{"percent": "100", "days": 30}]}, format="json")
    for line, missing in (({"days": 30}, "percent"), ({"percent": "100"}, "days")):
        answer = api.patch(f"/api/v1/payment-terms/{made.json()['id']}/", {"lines": [line]}, format="json")
        assert answer.status_code == 400
        assert missing in answer.json()["details"]["lines"][0]
    assert api.get(f"/api/v1/payment-terms/{made.json()['id']}/").json()["lines"] == [{"percent": "100.00", "days": 30}]


def test_dates_past_the_year_9000_are_refused(api, product, buyer):
    line = {"product": product.pk, "quantity": "1"}
    answer = api.post("/api/v1/quotations/", {"customer": buyer.pk, "date": "9999-12-31", "lines": [line]}, format="json")
    assert answer.status_code == 400 and "date" in answer.json()["details"]
    answer = api.post("/api/v1/invoices/", {"customer": buyer.pk, "issue_date": "9999-12-31", "lines": [line]}, format="json")
    assert answer.status_code == 400 and "issue_date" in answer.json()["details"]
    assert Quotation.objects.count() == Invoice.objects.count() == 0


def test_the_services_refuse_a_validity_or_due_date_past_the_calendar(company, users, product, buyer):
    """The web forms take any date Django parses: the services refuse what would overflow."""
    from datetime import date
    from decimal import Decimal

    from salesdesk.billing import services as billing
    from salesdesk.core.errors import Invalid
    from salesdesk.customers.models import PaymentTerm
    from salesdesk.sales import services as sales

    admin = users["admin"]
    member = admin.memberships.get(company=company)
    last = date(9999, 12, 31)
    with pytest.raises(Invalid) as refused:
        sales.quotation_create(
            company=company, actor=admin, membership=member, customer=buyer, lines=[{"product": product, "quantity": Decimal(1)}], date=last
        )
    assert "date" in refused.value.details
    term = PaymentTerm.objects.create(company=company, name="N30")
    term.lines.create(company=company, percent=Decimal(100), days=30)
    draft = billing.invoice_create(
        company=company,
        actor=admin,
        membership=member,
        customer=buyer,
        lines=[{"product": product, "quantity": Decimal(1)}],
        issue_date=last,
        payment_term=term,
    )
    with pytest.raises(Invalid) as refused:
        billing.invoice_post(invoice=draft, actor=admin)
    assert "issue_date" in refused.value.details
    assert Invoice.objects.get(pk=draft.pk).status == Invoice.Status.DRAFT
