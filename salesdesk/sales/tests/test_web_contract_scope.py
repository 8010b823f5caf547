"""A salesperson's order form and price preview offer only contracts of customers they may see:
another seller's contract prices are not theirs to read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from salesdesk.sales import services as sales_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract_of(company, users, product):
    def make(customer, price: str):
        today = timezone.localdate()
        contract = sales_services.contract_create(
            company=company,
            actor=users["admin"],
            customer=customer,
            valid_from=today - timedelta(days=1),
            valid_to=today + timedelta(days=30),
            items=[{"product": product, "price": Decimal(price), "quantity": Decimal("100")}],
        )
        sales_services.contract_activate(contract=contract, actor=users["admin"])
        return contract

    return make


def _preview(client, product, **header):
    data = {"lines-TOTAL_FORMS": "1", "lines-0-product": product.pk, "lines-0-quantity": "1", **header}
    page = client.post(reverse("sales:preview", kwargs={"kind": "order"}), data)
    assert page.status_code == 200
    return page.content.decode()


def test_the_preview_does_not_price_from_another_sellers_contract(web_as, customer_of, contract_of, product):
    own = customer_of("sales", "S-OWN")
    hidden_contract = contract_of(customer_of("sales3", "S-CTR"), "3.33")
    own_contract = contract_of(own, "4.44")
    client = web_as("sales")
    assert client.get(reverse("sales:contract-detail", args=[hidden_contract.pk])).status_code == 404
    body = _preview(client, product, customer=own.pk, contract=hidden_contract.pk)
    assert hidden_contract.number not in body and "3.33" not in body
    # Nor a visible contract for another customer than the order's.
    body = _preview(client, product, contract=own_contract.pk)
    assert own_contract.number not in body
    # The order's own customer's contract prices the line.
    body = _preview(client, product, customer=own.pk, contract=own_contract.pk)
    assert own_contract.number in body and "4.44" in body


def test_the_order_form_lists_only_visible_contracts(web_as, customer_of, contract_of):
    hidden_contract = contract_of(customer_of("sales3", "S-CTR"), "3.33")
    own_contract = contract_of(customer_of("sales", "S-OWN"), "4.44")
    page = web_as("sales").get(reverse("sales:order-create"))
    assert page.status_code == 200
    shown = page.context["contract_customers"]
    assert str(own_contract.pk) in shown and str(hidden_contract.pk) not in shown
    offered = list(page.context["form"].fields["contract"].queryset)
    assert own_contract in offered and hidden_contract not in offered
