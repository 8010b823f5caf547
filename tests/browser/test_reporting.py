"""Sales analysis in a real browser: the manager changes a dimension, reads the pivot and its chart,
drills from a figure into the order behind it, and exports the table."""

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from salesdesk.billing import services as billing
from salesdesk.billing.tests import conftest as billing_fixtures

member, confirmed_order = billing_fixtures.member, billing_fixtures.confirmed_order


@pytest.fixture
def north_order(org, customer_of, confirmed_order):
    """10 widgets at 10.00 for a North customer of the manager's team: 100.00 ordered this month."""
    return confirmed_order(
        customer_of("sales", "N-REP", name="Muebles Norte", region=org["regions"]["North"]), quantity="10", price="10.00"
    )


def test_the_manager_pivots_drills_down_and_exports(page, login, north_order):
    login("manager")
    page.goto("/reports/analysis/")
    page.select_option("#basis", "ordered")
    page.select_option("#rows-1", "quarter")
    page.select_option("#columns", "region")
    page.click("#analyse-button")
    expect(page.locator("#grand-total-revenue")).to_have_text("100.00")
    expect(page.locator("#analysis-table thead")).to_contain_text("North")
    expect(page.locator("#analysis-chart")).to_be_visible()

    # Export what is on the screen.
    with page.expect_download() as download_info:
        page.click("#export-csv")
    with open(download_info.value.path(), encoding="utf-8-sig") as f:
        lines = list(csv.reader(io.StringIO(f.read())))
    today = timezone.localdate()
    assert lines[0] == ["Quarter", "North · Revenue", "Total · Revenue"]
    assert lines[1] == [f"{today.year}-Q{(today.month - 1) // 3 + 1}", "100.00", "100.00"]

    # From the figure to the order behind it, and on to the order itself.
    page.locator("#analysis-table a.drill-link").first.click()
    expect(page.locator("#drill-documents")).to_contain_text(north_order.number)
    page.click(f"text={north_order.number}")
    expect(page.locator("h1")).to_contain_text(north_order.number)


@pytest.mark.parametrize(
    ("username", "section", "figure"),
    [
        ("manager", "leader", "#leader-invoiced-month"),
        ("sales", "sales", "#section-sales"),
        ("warehouse", "warehouse", "#section-warehouse"),
        ("accountant", "accounts", "#accounts-overdue"),
    ],
)
def test_each_role_opens_its_dashboard(page, login, north_order, username, section, figure):
    login(username)
    page.goto("/reports/dashboard/")
    expect(page.locator(f"#section-{section}")).to_be_visible()
    expect(page.locator(figure)).to_be_visible()
    # Only the sections of the user's own roles.
    for other in {"leader", "sales", "warehouse", "accounts"} - {section}:
        expect(page.locator(f"#section-{other}")).to_have_count(0)


def test_the_leader_drills_from_the_trend_into_the_invoice(page, login, company, users, north_order):
    admin = users["admin"]
    membership = admin.memberships.get(company=company)
    invoice = billing.invoice_post(invoice=billing.invoice_from_order(order=north_order, actor=admin, membership=membership), actor=admin)
    login("manager")
    page.goto("/reports/dashboard/")
    expect(page.locator("#chart-trend")).to_be_visible()
    page.click("#table-trend summary")
    month = timezone.localdate().strftime("%Y-%m")
    page.click(f"#table-trend a.drill-link:text-is('{month}')")
    expect(page.locator("#drill-documents")).to_contain_text(invoice.number)
    expect(page.locator("#drill-documents")).to_contain_text("100.00")
