"""Pages at their edges, as a crawl of every page by every role found them: impossible dates in a
filter, ids too large for the database, labels of every record, the warehouse's product search,
and the analysis after a form error."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from salesdesk.core import audit
from salesdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "url", "query"),
    [
        ("accountant", "billing:invoice-list", {"issued_from": "2024-02-30"}),
        ("warehouse", "fulfilment:delivery-list", {"date_from": "2026-13-01"}),
        ("admin", "accounts:audit-list", {"at_to": "2025-02-29"}),
    ],
)
def test_an_impossible_date_in_a_filter_is_ignored(web_as, who, url, query):
    assert web_as(who).get(reverse(url), query).status_code == 200


def test_the_price_preview_takes_an_impossible_date_as_today(web_as, product):
    data = {"date": "2024-02-30", "lines-TOTAL_FORMS": "1", "lines-0-product": product.pk, "lines-0-quantity": "1"}
    assert web_as("sales").post(reverse("sales:preview", kwargs={"kind": "order"}), data).status_code == 200


def test_the_warehouse_product_search_shows_no_price(web_as, product):
    found = web_as("warehouse").get(reverse("sales:product-search"), {"q": product.sku}).json()["results"]
    assert [row["sku"] for row in found] == [product.sku] and "list_price" not in found[0]
    found = web_as("sales").get(reverse("sales:product-search"), {"q": product.sku}).json()["results"]
    assert found[0]["list_price"] == "10.0000"


def test_an_audit_entry_and_the_settings_have_readable_names(web_as, company, users):
    from salesdesk.billing.models import BillingSettings

    settings_row = BillingSettings.objects.create(company=company)
    audit.record(
        instance=settings_row, actor=users["admin"], action="update", before={"dunning_level_1_days": 7}, after={"dunning_level_1_days": 10}
    )
    entry = AuditEntry.objects.filter(company=company).order_by("-id").first()
    page = web_as("admin").get(reverse("accounts:audit-detail", args=[entry.pk])).content.decode()
    assert "object (" not in re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Billing settings" in page
    assert "object (" not in web_as("admin").get(reverse("accounts:audit-list")).content.decode()


def test_a_drill_down_id_too_large_for_the_database_is_a_400(web_as):
    page = web_as("sales").get(reverse("reporting:analysis-drill"), {"rows": "customer", "cell_customer": "99999999999999999999"})
    assert page.status_code == 400


def test_after_a_form_error_the_analysis_cells_drill_into_what_they_show(web_as, customer_of, users, company, product):
    from salesdesk.billing import services as billing

    admin = users["admin"]
    member = admin.memberships.get(company=company)
    buyer = customer_of("sales", "C1", status="active")
    draft = billing.invoice_create(
        company=company, actor=admin, membership=member, customer=buyer, lines=[{"product": product, "quantity": Decimal(1)}]
    )
    billing.invoice_post(invoice=draft, actor=admin)  # the default question is revenue invoiced
    client = web_as("admin")
    page = client.get(reverse("reporting:analysis"), {"rows": "region", "columns": "region", "basis": "ordered"})
    assert page.status_code == 200 and page.context["errors"]
    links = re.findall(r'href="(/reports/analysis/documents/\?[^"]+)"', page.content.decode())
    assert links
    for link in links[:3]:
        assert client.get(link.replace("&amp;", "&")).status_code == 200
