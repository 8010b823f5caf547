"""The customer filter of document lists: a drop-down while the list is short, then a box for a code."""

from types import SimpleNamespace

from django.urls import reverse

from salesdesk.customers.models import CustomerContact
from salesdesk.customers.web import filters
from salesdesk.customers.web.filters import CustomerFilter


def _setup(company, users, customer_of):
    alpha = customer_of("sales", code="C001", name="Alpha")
    beta = customer_of("sales", code="C002", name="Beta")
    south = customer_of("sales3", code="C003", name="South")
    for customer in (alpha, beta, south):
        CustomerContact.objects.create(company=company, customer=customer, name=f"Buyer at {customer.name}")
    sales = users["sales"]
    request = SimpleNamespace(company=company, membership=sales.memberships.get(company=company))
    return alpha, beta, south, request, CustomerContact.objects.filter(company=company)


def _customers(qs) -> list[int]:
    return sorted(qs.values_list("customer_id", flat=True))


def test_a_short_list_is_a_drop_down_of_the_users_own_customers(company, users, customer_of):
    alpha, beta, south, request, rows = _setup(company, users, customer_of)
    kind, options = CustomerFilter().widget(request)
    assert kind == "select"
    assert options == [(str(alpha.pk), "C001 · Alpha"), (str(beta.pk), "C002 · Beta")]
    assert _customers(CustomerFilter().apply(rows, request, str(beta.pk))) == [beta.pk]
    # Another salesperson's customer, even by its id, shows nothing.
    assert _customers(CustomerFilter().apply(rows, request, str(south.pk))) == []


def test_past_the_short_list_the_filter_takes_a_code_within_the_users_scope(company, users, customer_of, monkeypatch):
    alpha, beta, south, request, rows = _setup(company, users, customer_of)
    monkeypatch.setattr(filters, "SHORT_LIST", 1)
    assert CustomerFilter().widget(request) == ("code", [])
    assert _customers(CustomerFilter().apply(rows, request, " c002 ")) == [beta.pk]
    assert _customers(CustomerFilter().apply(rows, request, "C003")) == []
    assert _customers(CustomerFilter().apply(rows, request, "NOPE")) == []
    assert _customers(CustomerFilter().apply(rows, request, "")) == [alpha.pk, beta.pk, south.pk]


def test_the_order_list_draws_a_code_box_when_customers_are_many(web_as, customer_of, monkeypatch):
    customer_of("sales", code="C001", name="Alpha")
    customer_of("sales", code="C002", name="Beta")
    monkeypatch.setattr(filters, "SHORT_LIST", 1)
    page = web_as("admin").get(reverse("sales:order-list"), {"customer": "C002"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="filter-customer" name="customer" value="C002"' in html
    assert "C001 · Alpha" not in html
