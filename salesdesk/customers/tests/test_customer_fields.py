"""Customer fields set through the API and the web form: country, invoicing policy, and an
owner who left the sales force."""

import pytest
from django.urls import reverse

from salesdesk.accounts import services as accounts_services
from salesdesk.accounts.models import Membership
from salesdesk.core.audit import history
from salesdesk.customers.models import Customer


def _deactivate(company, user) -> None:
    m = Membership.objects.get(company=company, user=user)
    accounts_services.membership_set(
        company=company, actor=None, user=user, roles=sorted(m.role_names), team=m.team, region=m.region, manager=m.manager, is_active=False
    )


# --- country and invoicing policy ----------------------------------------------------------


def test_api_sets_and_shows_country_and_invoice_policy_with_an_audit_row(admin_api, customer_of):
    c = customer_of("sales", "C001")
    r = admin_api.patch(f"/api/v1/customers/{c.pk}/", {"country": "FR", "invoice_policy": "on_delivery"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["country"], r.json()["invoice_policy"]) == ("FR", "on_delivery")
    c.refresh_from_db()
    assert (c.country, c.invoice_policy) == ("FR", "on_delivery")
    assert history(c).filter(field="country", before="", after="FR").exists()
    created = admin_api.post(
        "/api/v1/customers/", {"code": "C002", "name": "B", "country": "DE", "invoice_policy": "on_order"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert Customer.objects.get(code="C002").country == "DE"


@pytest.mark.parametrize("country", ["fr", "FRA", "F", "F1", "É1"])
def test_api_refuses_a_country_that_is_not_two_capital_letters_and_saves_nothing(admin_api, customer_of, country):
    c = customer_of("sales", "C001", phone="111")
    r = admin_api.patch(f"/api/v1/customers/{c.pk}/", {"country": country, "phone": "222"}, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid" and "country" in r.json()["details"]
    c.refresh_from_db()
    assert (c.country, c.phone) == ("", "111")
    created = admin_api.post("/api/v1/customers/", {"code": "C002", "name": "B", "country": country}, format="json")
    assert created.status_code == 400 and "country" in created.json()["details"]
    assert not Customer.objects.filter(code="C002").exists()


def test_api_refuses_an_unknown_invoice_policy(admin_api, customer_of):
    c = customer_of("sales", "C001")
    r = admin_api.patch(f"/api/v1/customers/{c.pk}/", {"invoice_policy": "weekly"}, format="json")
    assert r.status_code == 400 and "invoice_policy" in r.json()["details"]
    c.refresh_from_db()
    assert c.invoice_policy == ""


def test_web_form_sets_country_and_invoice_policy(web_as, customer_of):
    c = customer_of("sales", "C001")
    client = web_as("admin")
    fields = client.get(reverse("customers:customer-update", args=[c.pk])).context["form"].fields
    assert "country" in fields and "invoice_policy" in fields
    data = {"code": "C001", "name": c.name, "salesperson": c.salesperson_id, "country": "PT", "invoice_policy": "on_delivery"}
    assert client.post(reverse("customers:customer-update", args=[c.pk]), data).status_code == 302
    c.refresh_from_db()
    assert (c.country, c.invoice_policy) == ("PT", "on_delivery")


def test_web_form_shows_a_bad_country_on_its_field_and_saves_nothing(web_as, customer_of):
    c = customer_of("sales", "C001", phone="111")
    data = {"code": "C001", "name": c.name, "salesperson": c.salesperson_id, "country": "p1", "phone": "222"}
    page = web_as("admin").post(reverse("customers:customer-update", args=[c.pk]), data)
    assert page.status_code == 400
    assert page.context["form"].errors["country"]
    c.refresh_from_db()
    assert (c.country, c.phone) == ("", "111")


# --- an owner whose membership was deactivated ---------------------------------------------


def test_web_edit_keeps_the_owner_who_left_selected_and_assigned(web_as, customer_of, users, company):
    c = customer_of("sales", "C001", phone="111")
    _deactivate(company, users["sales"])
    client = web_as("admin")
    page = client.get(reverse("customers:customer-update", args=[c.pk]))
    assert f'<option value="{users["sales"].pk}" selected>' in page.content.decode()
    data = {"code": "C001", "name": c.name, "salesperson": users["sales"].pk, "phone": "222"}
    assert client.post(reverse("customers:customer-update", args=[c.pk]), data).status_code == 302
    c.refresh_from_db()
    assert (c.phone, c.salesperson_id) == ("222", users["sales"].pk)


def test_web_form_does_not_offer_a_departed_salesperson_for_other_customers(web_as, customer_of, users, company):
    customer_of("sales", "C001")
    other = customer_of("sales2", "C002")
    _deactivate(company, users["sales"])
    client = web_as("admin")
    for url in (reverse("customers:customer-update", args=[other.pk]), reverse("customers:customer-create")):
        offered = client.get(url).context["form"].fields["salesperson"].queryset
        assert users["sales"] not in offered
    data = {"code": "C002", "name": other.name, "salesperson": users["sales"].pk}
    assert client.post(reverse("customers:customer-update", args=[other.pk]), data).status_code == 400
    other.refresh_from_db()
    assert other.salesperson_id == users["sales2"].pk


def test_api_patch_sending_back_the_departed_owner_keeps_them(admin_api, customer_of, users, company):
    c = customer_of("sales", "C001", phone="111")
    _deactivate(company, users["sales"])
    r = admin_api.patch(f"/api/v1/customers/{c.pk}/", {"salesperson": users["sales"].pk, "phone": "222"}, format="json")
    assert r.status_code == 200, r.content
    c.refresh_from_db()
    assert (c.phone, c.salesperson_id) == ("222", users["sales"].pk)
    other = customer_of("sales2", "C002")
    r = admin_api.patch(f"/api/v1/customers/{other.pk}/", {"salesperson": users["sales"].pk}, format="json")
    assert r.status_code == 400 and "salesperson" in r.json()["details"]
    other.refresh_from_db()
    assert other.salesperson_id == users["sales2"].pk
