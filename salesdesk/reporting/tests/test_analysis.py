"""Sales analysis through the API and the page: exact sums, scopes, drill-down, exports and refused questions."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.billing.tests import conftest as billing_fixtures
from salesdesk.catalog.models import ProductCategory
from salesdesk.reporting.analysis import Question, answer
from salesdesk.reporting.models import SalesFact
from salesdesk.reporting.services import rebuild
from salesdesk.setup.generate import generate

ANALYSIS = "/api/v1/reports/sales-analysis/"
DOCUMENTS = "/api/v1/reports/sales-analysis/documents/"
PAGE = "/reports/analysis/"
# Orders confirmed by the administrator (the billing tests' fixtures).
member, confirmed_order = billing_fixtures.member, billing_fixtures.confirmed_order


@pytest.fixture
def sold(org, customer_of, confirmed_order):
    """Two confirmed orders this month: 10 widgets at 10.00 in the North, 2 at 12.50 in the South.

    The widget costs 6.00, so the North order makes 40.00 gross profit on 100.00 (40 %)."""
    north = customer_of("sales", code="N001", region=org["regions"]["North"])
    south = customer_of("sales3", code="S001", region=org["regions"]["South"])
    return {
        "north": north,
        "south": south,
        "north_order": confirmed_order(north, quantity="10", price="10.00"),
        "south_order": confirmed_order(south, quantity="2", price="12.50"),
    }


def _by_region(body, org) -> dict:
    """{region name: {measure: value}} of a one-row answer with regions as columns."""
    names = {str(org["regions"][n].pk): n for n in ("North", "South")}
    return {names[str(column["key"]["region"])]: cells for column, cells in zip(body["columns"], body["rows"][0]["cells"], strict=True)}


def test_ordered_revenue_by_month_and_region(admin_api, org, sold):
    body = admin_api.get(
        ANALYSIS, {"rows": "month", "columns": "region", "basis": "ordered", "measures": "quantity,revenue,cost,gross_profit,margin,orders"}
    ).json()
    assert [row["label"]["month"] for row in body["rows"]] == [timezone.localdate().strftime("%Y-%m")]
    assert _by_region(body, org) == {
        "North": {"quantity": "10.0000", "revenue": "100.00", "cost": "60.00", "gross_profit": "40.00", "margin": "40.0", "orders": 1},
        "South": {"quantity": "2.0000", "revenue": "25.00", "cost": "12.00", "gross_profit": "13.00", "margin": "52.0", "orders": 1},
    }
    assert body["total"]["revenue"] == "125.00"
    assert body["source"] == "rollups"


def test_nothing_is_invoiced_yet_so_the_invoiced_basis_is_empty(admin_api, sold):
    body = admin_api.get(ANALYSIS, {"rows": "month", "basis": "invoiced"}).json()
    assert body["rows"] == []
    assert body["total"] == {"revenue": "0.00"}


def test_a_salesperson_sees_only_their_own_sales(api_as, sold):
    assert api_as("sales3").get(ANALYSIS, {"rows": "year", "basis": "ordered"}).json()["total"]["revenue"] == "25.00"
    assert api_as("sales").get(ANALYSIS, {"rows": "year", "basis": "ordered"}).json()["total"]["revenue"] == "100.00"
    # The North manager sees the North team's sales, not the South's.
    assert api_as("manager").get(ANALYSIS, {"rows": "year", "basis": "ordered"}).json()["total"]["revenue"] == "100.00"


def test_customer_rows_are_read_from_the_facts_and_filters_apply(admin_api, sold):
    body = admin_api.get(ANALYSIS, {"rows": "customer", "basis": "ordered", "region": str(sold["south"].region_id)}).json()
    assert body["source"] == "facts"
    assert [(row["label"]["customer"], row["total"]["revenue"]) for row in body["rows"]] == [("S001 Customer S001", "25.00")]


def test_drilling_into_a_cell_lists_the_orders_behind_it(admin_api, org, sold):
    params = {"rows": "month", "columns": "region", "basis": "ordered", "cell_region": str(org["regions"]["North"].pk)}
    rows = admin_api.get(DOCUMENTS, params).json()
    order = sold["north_order"]
    assert [(r["source"], r["number"], r["revenue"], r["url"]) for r in rows] == [
        ("order", order.number, "100.00", f"/sales/orders/{order.pk}/")
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"rows": "nope"}, "rows"),
        ({"rows": "month,region,team"}, "rows"),
        ({"rows": "month", "columns": "week"}, "columns"),
        ({"rows": "region", "columns": "region"}, "columns"),
        ({"rows": "month", "measures": "profit"}, "measures"),
        ({"rows": "month", "basis": "shipped"}, "basis"),
        ({"rows": "month", "date_from": "2026-13-01"}, "date_from"),
        ({"rows": "month", "date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ({"rows": "month", "region": "north"}, "region"),
        ({"rows": "month", "customer": "-1"}, "customer"),
    ],
)
def test_a_question_that_cannot_be_answered_is_refused_naming_the_field(admin_api, params, field):
    response = admin_api.get(ANALYSIS, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["details"]


def test_a_cell_value_of_the_wrong_kind_is_refused(admin_api):
    response = admin_api.get(DOCUMENTS, {"rows": "month", "cell_month": "soon"})
    assert response.status_code == 400
    assert "cell_month" in response.json()["details"]


def test_the_warehouse_does_not_read_sales_figures(api_as, web_as):
    assert api_as("warehouse").get(ANALYSIS).status_code == 403
    assert web_as("warehouse").get(PAGE).status_code == 403


def test_the_query_count_does_not_grow_with_the_orders(admin_api, customer_of, confirmed_order, django_assert_max_num_queries):
    customer = customer_of("sales", code="Q001")
    confirmed_order(customer)
    admin_api.get(ANALYSIS, {"rows": "month", "columns": "salesperson", "basis": "ordered"})  # facts caught up
    for _ in range(4):
        confirmed_order(customer)
    # The refresh of four new orders and the answer together stay within a fixed number of statements.
    with django_assert_max_num_queries(30):
        body = admin_api.get(ANALYSIS, {"rows": "month", "columns": "salesperson", "basis": "ordered"}).json()
    assert body["total"]["revenue"] == "500.00"
    with django_assert_max_num_queries(16):
        admin_api.get(ANALYSIS, {"rows": "month", "columns": "salesperson", "basis": "ordered"})


def test_the_page_shows_the_pivot_with_drill_links(web_as, sold):
    page = web_as("manager").get(PAGE, {"rows": "month", "columns": "region", "basis": "ordered"}).content.decode()
    assert 'id="grand-total-revenue">100.00<' in page
    assert "/reports/analysis/documents/?" in page
    drill = web_as("manager").get(
        "/reports/analysis/documents/", {"rows": "month", "basis": "ordered", "cell_month": timezone.localdate().replace(day=1).isoformat()}
    )
    assert drill.status_code == 200
    assert sold["north_order"].number in drill.content.decode()
    # The South order is not the manager's team's.
    assert sold["south_order"].number not in drill.content.decode()


def test_the_page_shows_a_bad_choice_next_to_its_field_and_the_default_analysis(web_as, sold):
    response = web_as("admin").get(PAGE, {"rows": "bogus"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page
    assert "Unknown: bogus." in page


def test_exports_neutralise_formulas_and_keep_the_figures(web_as, company, product, customer_of, confirmed_order):
    product.category = ProductCategory.objects.create(company=company, name="=1+2")
    product.save(update_fields=["category"])
    confirmed_order(customer_of("sales", code="X001"), quantity="3", price="9.99")
    client = web_as("admin")
    response = client.get(PAGE, {"rows": "category", "basis": "ordered", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines == [["Category", "Revenue"], ["'=1+2", "29.97"], ["Total", "29.97"]]
    response = client.get(PAGE, {"rows": "category", "basis": "ordered", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("'=1+2", "s")
    assert Decimal(str(sheet["B2"].value)) == Decimal("29.97")


def test_refreshing_for_a_read_adds_the_facts_once(admin_api, sold):
    admin_api.get(ANALYSIS, {"rows": "month", "basis": "ordered"})
    count = SalesFact.objects.count()
    admin_api.get(ANALYSIS, {"rows": "month", "basis": "ordered"})
    assert SalesFact.objects.count() == count == 2


def test_product_and_salesperson_rows_are_named(admin_api, users, sold):
    body = admin_api.get(ANALYSIS, {"rows": "product", "columns": "salesperson", "basis": "ordered"}).json()
    assert [row["label"]["product"] for row in body["rows"]] == ["P-10 Widget"]
    assert sorted(column["label"]["salesperson"] for column in body["columns"]) == sorted(
        [users["sales"].full_name, users["sales3"].full_name]
    )


def test_the_scheduled_refresh_reports_what_it_added(sold, company):
    out = io.StringIO()
    call_command("refresh_sales_facts", company=company.code, stdout=out)
    assert out.getvalue() == f"{company.code}: 2 facts added\n"
    out = io.StringIO()
    call_command("refresh_sales_facts", company=company.code, stdout=out)
    assert out.getvalue() == f"{company.code}: 0 facts added\n"
    # A rebuild says what it read, kind by kind, and writes the same two facts again.
    out = io.StringIO()
    call_command("refresh_sales_facts", company=company.code, rebuild=True, stdout=out)
    assert out.getvalue().splitlines() == [
        f"{company.code}: order: 2 documents read, 2 facts",
        f"{company.code}: delivery: 0 documents read, 2 facts",
        f"{company.code}: return: 0 documents read, 2 facts",
        f"{company.code}: invoice: 0 documents read, 2 facts",
        f"{company.code}: payment: 0 documents read, 2 facts",
        f"{company.code}: 2 facts added",
    ]
    assert SalesFact.objects.filter(company=company).count() == 2


def test_the_page_shows_figures_with_separators_and_the_files_plain_numbers(web_as, customer_of, confirmed_order):
    confirmed_order(customer_of("sales", code="K001"), quantity="10", price="125.00")
    client = web_as("admin")
    page = client.get(PAGE, {"rows": "year", "basis": "ordered", "measures": ["revenue", "quantity", "orders"]}).content.decode()
    assert 'id="grand-total-revenue">1,250.00<' in page
    assert 'id="grand-total-quantity">10<' in page
    assert 'id="grand-total-orders">1<' in page
    lines = list(
        csv.reader(io.StringIO(client.get(PAGE, {"rows": "year", "basis": "ordered", "export": "csv"}).content.decode("utf-8-sig")))
    )
    assert lines[-1] == ["Total", "1250.00"]


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_periods_summed_from_the_facts_equal_those_of_the_rollups(db, period):
    """Two years of a generated company: by customer (facts, months summed by the database) and
    by region (rollups), every period's totals are the same to the cent."""
    bench = generate(scale=0.001, seed=5).company
    rebuild(company=bench)
    for basis in ("ordered", "invoiced"):
        by_customer = answer(bench, None, Question(rows=[period], columns=["customer"], measures=["revenue"], basis=basis))
        by_region = answer(bench, None, Question(rows=[period], columns=["region"], measures=["revenue"], basis=basis))
        assert (by_customer.source, by_region.source) == ("facts", "rollups")
        assert len(by_customer.row_keys) >= (8 if period != "year" else 2)
        totals = {key: cell.value("revenue") for key, cell in by_customer.row_totals.items()}
        assert totals == {key: cell.value("revenue") for key, cell in by_region.row_totals.items()}
        assert by_customer.total.value("revenue") == by_region.total.value("revenue") > 0
