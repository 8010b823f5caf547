"""The analysis drill-down names the cell it was asked for only from what the member may see:
an id typed into the link names no user of another company and no customer outside the
member's record scope."""

import pytest
from django.urls import reverse

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services

pytestmark = pytest.mark.django_db


def test_a_user_of_another_company_is_not_named(web_as, other_company):
    outsider = accounts_services.user_create(
        company=other_company, actor=None, username="zed", password="zed-pw-12345", full_name="Zed Outsider", roles=[roles.SALESPERSON]
    )
    page = web_as("sales").get(reverse("reporting:analysis-drill"), {"rows": "salesperson", "cell_salesperson": outsider.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Zed Outsider" not in body
    assert str(outsider.pk) in body  # the cell keeps its bare id


def test_a_colleague_of_the_company_is_named(web_as, users):
    page = web_as("sales").get(reverse("reporting:analysis-drill"), {"rows": "salesperson", "cell_salesperson": users["sales3"].pk})
    assert page.status_code == 200
    assert (users["sales3"].full_name or users["sales3"].username) in page.content.decode()


def test_a_customer_outside_the_record_scope_is_not_named(web_as, customer_of):
    hidden = customer_of("sales3", "S-HID", name="Hidden South Customer")
    own = customer_of("sales", "S-OWN", name="Own North Customer")
    client = web_as("sales")
    assert client.get(reverse("customers:customer-detail", args=[hidden.pk])).status_code == 404
    page = client.get(reverse("reporting:analysis-drill"), {"rows": "customer", "cell_customer": hidden.pk})
    assert page.status_code == 200
    assert "Hidden South Customer" not in page.content.decode()
    page = client.get(reverse("reporting:analysis-drill"), {"rows": "customer", "cell_customer": own.pk})
    assert "Own North Customer" in page.content.decode()
    # The administrator sees every customer, so the name is shown.
    page = web_as("admin").get(reverse("reporting:analysis-drill"), {"rows": "customer", "cell_customer": hidden.pk})
    assert "Hidden South Customer" in page.content.decode()
