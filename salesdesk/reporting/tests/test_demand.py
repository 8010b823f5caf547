# ruff: noqa: F811
"""The demand board (F-91): open order quantities by product and week against stock.

Figures are exact: weeks, overdue and later buckets, deliveries lowering demand, only confirmed
orders counting, shortages (in total and week by week), category (with sub-categories) and
warehouse filters, record scope, CSV/XLSX exports that neutralise formulas, the API's answer and
its 400s, a query count that does not grow with the orders, and who may open the board.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.accounts import services as accounts_services
from salesdesk.catalog.models import Product, ProductCategory
from salesdesk.fulfilment import services as fulfilment

# The goods fixtures (a warehouse, a chair, `goods` with receive() and order()); tests take them as arguments.
from salesdesk.fulfilment.tests.conftest import chair, goods, warehouse  # noqa: F401
from salesdesk.inventory.models import Warehouse
from salesdesk.reporting import demand
from salesdesk.sales import services as sales_services
from salesdesk.sales.models import SalesOrder, SalesSettings

URL = "/api/v1/reports/demand-board/"
ZERO = D("0.0000")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def table(company, unit_pc, vat21):
    return Product.objects.create(company=company, sku="TB", name="Table", unit=unit_pc, list_price=D("300.00"), cost=D("150"), tax=vat21)


@pytest.fixture
def east(company):
    return Warehouse.objects.create(company=company, code="EAST", name="East warehouse")


@pytest.fixture
def place(company, users, warehouse, customer_of):
    """`place("5", chair, requested=..., on=..., owner="sales", confirm=True)`: an order from `owner`'s customer."""
    admin = users["admin"]
    membership = admin.memberships.get(company=company)
    customers = {}

    def make(quantity, product, *, requested=None, on=None, owner="sales", into=None, confirm=True):
        if owner not in customers:
            customers[owner] = customer_of(owner, f"C-{owner}", status="active")
        order = sales_services.order_create(
            company=company,
            actor=admin,
            membership=membership,
            customer=customers[owner],
            lines=[{"product": product, "quantity": D(quantity)}],
            requested_date=requested,
            date=on,
            warehouse=into or warehouse,
        )
        return sales_services.order_confirm(order=order, actor=admin, membership=membership) if confirm else order

    return make


def member(users, company, username):
    return users[username].memberships.get(company=company)


def board_for(users, company, username="warehouse", **filters):
    return demand.demand_board(company, member(users, company, username), **filters)


def row_of(board, product):
    return next(r for r in board["rows"] if r["product"] == product.pk)


def weeks_of(row) -> list[D]:
    return list(row["weeks"])


def test_open_demand_is_summed_by_product_and_requested_week(company, users, place, chair, table, today):
    place("2", chair, requested=today)
    place("3", chair, requested=today + timedelta(days=7))
    place("1", chair, requested=today + timedelta(days=7))
    place("4", chair, on=today - timedelta(days=14))  # no requested date: the week of the order date, overdue
    place("6", chair, on=today - timedelta(days=21), requested=today + timedelta(days=14))  # requested date wins
    place("5", chair, requested=today + timedelta(days=100))  # beyond the 12 weeks shown
    place("7", table, requested=today + timedelta(days=77))  # the 12th week

    board = board_for(users, company)

    monday = today - timedelta(days=today.weekday())
    assert board["weeks"] == [monday + timedelta(weeks=i) for i in range(12)]
    row = row_of(board, chair)
    assert row["overdue"] == D("4.0000")
    assert weeks_of(row) == [D("2.0000"), D("4.0000"), D("6.0000"), *[ZERO] * 9]
    assert row["later"] == D("5.0000")
    assert row["total"] == D("21.0000")
    table_row = row_of(board, table)
    assert weeks_of(table_row) == [*[ZERO] * 11, D("7.0000")]
    assert (table_row["overdue"], table_row["later"], table_row["total"]) == (ZERO, ZERO, D("7.0000"))
    assert board["totals"]["total"] == D("28.0000")
    assert board["totals"]["weeks"][1] == D("4.0000")


def test_shipped_quantities_lower_the_demand_and_fully_shipped_lines_leave_the_board(company, users, goods, place, chair, table, today):
    goods["receive"]("10")
    order = place("5", chair, requested=today)
    line = order.lines.get()
    delivery = fulfilment.delivery_create(
        order=order, actor=goods["admin"], membership=goods["membership"], lines=[{"order_line": line.pk, "quantity": D("3")}]
    )
    fulfilment.delivery_ship(delivery=delivery, actor=goods["admin"])
    goods["receive"]("1", product=table)
    done = place("1", table, requested=today)
    fulfilment.delivery_ship(
        delivery=fulfilment.delivery_create(order=done, actor=goods["admin"], membership=goods["membership"]), actor=goods["admin"]
    )

    board = board_for(users, company)

    row = row_of(board, chair)
    assert row["weeks"][0] == D("2.0000")
    assert row["total"] == D("2.0000")
    assert (row["on_hand"], row["reserved"], row["available"]) == (D("7.0000"), D("2.0000"), D("5.0000"))
    assert row["shortage"] is False
    assert [r["product"] for r in board["rows"]] == [chair.pk]


def test_only_confirmed_orders_count(company, users, goods, place, chair):
    place("5", chair, confirm=False)
    cancelled = place("7", chair)
    sales_services.order_cancel(order=cancelled, actor=goods["admin"], reason="changed their mind")
    place("1", chair)

    row = row_of(board_for(users, company), chair)

    assert row["total"] == D("1.0000")


def test_a_product_is_short_when_demand_due_so_far_exceeds_what_is_on_hand(company, users, goods, place, chair, table, today):
    goods["receive"]("4")
    goods["receive"]("9", product=table)
    place("3", chair, requested=today)
    place("2", chair, requested=today + timedelta(days=7))
    place("8", table, requested=today + timedelta(days=7))

    board = board_for(users, company)

    row = row_of(board, chair)
    assert (row["on_hand"], row["reserved"], row["available"]) == (D("4.0000"), D("4.0000"), ZERO)
    assert row["shortage"] is True
    # Overdue 0 and this week 3 are covered by the 4 on hand; 5 due by next week are not.
    assert row["short_from"] == 2
    assert row["short"] == [False, False, True, *[False] * 11]
    assert row_of(board, table)["shortage"] is False
    assert row_of(board, table)["short_from"] is None
    assert board["totals"]["products_short"] == 1
    assert board["totals"]["short_from"] == 2
    assert board["totals"]["short"] == row["short"]


def test_the_category_filter_takes_sub_categories_too(company, users, place, chair, table, unit_pc, today):
    furniture = ProductCategory.objects.create(company=company, name="Furniture")
    seating = ProductCategory.objects.create(company=company, name="Seating", parent=furniture)
    lighting = ProductCategory.objects.create(company=company, name="Lighting")
    Product.objects.filter(pk=chair.pk).update(category=seating)
    Product.objects.filter(pk=table.pk).update(category=furniture)
    lamp = Product.objects.create(company=company, sku="LP", name="Lamp", unit=unit_pc, category=lighting)
    place("2", chair)
    place("3", table)
    place("4", lamp)

    every = board_for(users, company)
    assert [(c["category_name"], c["total"]) for c in every["categories"]] == [
        ("Furniture", D("3.0000")),
        ("Furniture › Seating", D("2.0000")),
        ("Lighting", D("4.0000")),
    ]
    assert [r["product"] for r in board_for(users, company, category_id=furniture.pk)["rows"]] == [table.pk, chair.pk]
    assert [r["product"] for r in board_for(users, company, category_id=seating.pk)["rows"]] == [chair.pk]
    assert board_for(users, company, category_id=lighting.pk)["totals"]["total"] == D("4.0000")


def test_the_warehouse_filter_takes_its_orders_and_its_stock(company, users, goods, place, chair, warehouse, east):
    goods["receive"]("10")
    place("2", chair, into=warehouse)
    place("3", chair, into=east)

    everywhere = row_of(board_for(users, company), chair)
    main = row_of(board_for(users, company, warehouse_id=warehouse.pk), chair)
    east_row = row_of(board_for(users, company, warehouse_id=east.pk), chair)

    assert (everywhere["total"], everywhere["on_hand"], everywhere["shortage"]) == (D("5.0000"), D("10.0000"), False)
    assert (main["total"], main["on_hand"], main["available"], main["shortage"]) == (D("2.0000"), D("10.0000"), D("8.0000"), False)
    assert (east_row["total"], east_row["on_hand"], east_row["shortage"]) == (D("3.0000"), ZERO, True)


def test_an_order_without_a_warehouse_counts_under_the_default_one(company, users, place, chair, warehouse, east):
    SalesSettings.objects.update_or_create(company=company, defaults={"default_warehouse": warehouse})
    order = place("2", chair, into=east)
    SalesOrder.objects.filter(pk=order.pk).update(warehouse=None)

    assert board_for(users, company, warehouse_id=warehouse.pk)["totals"]["total"] == D("2.0000")
    assert board_for(users, company, warehouse_id=east.pk)["rows"] == []


def test_sellers_see_the_demand_of_the_orders_they_can_see(company, users, place, chair):
    place("1", chair, owner="sales")
    place("2", chair, owner="sales2")
    place("4", chair, owner="sales3")

    assert row_of(board_for(users, company, "sales"), chair)["total"] == D("1.0000")
    assert row_of(board_for(users, company, "manager"), chair)["total"] == D("3.0000")
    assert row_of(board_for(users, company, "sales3"), chair)["total"] == D("4.0000")
    assert row_of(board_for(users, company, "warehouse"), chair)["total"] == D("7.0000")
    assert row_of(board_for(users, company, "accountant"), chair)["total"] == D("7.0000")


def test_the_page_shows_shortages_with_a_marker(company, web_as, goods, place, chair, today):
    goods["receive"]("1")
    place("3", chair, requested=today)

    response = web_as("warehouse").get(reverse("reporting:demand"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="short-{chair.pk}"' in html
    assert "table-danger" in html
    assert "visually-hidden" in html
    assert 'id="empty-state"' not in html


def test_the_page_says_when_nothing_is_open(web_as, place, chair):
    place("1", chair, confirm=False)

    response = web_as("warehouse").get(reverse("reporting:demand"))

    assert response.status_code == 200
    assert 'id="empty-state"' in response.content.decode()


def test_bad_filters_on_the_page_are_ignored_and_reported(web_as, place, chair, other_company):
    place("2", chair)
    foreign = Warehouse.objects.create(company=other_company, code="X", name="Elsewhere")

    response = web_as("warehouse").get(reverse("reporting:demand"), {"category": "abc", "warehouse": str(foreign.pk)})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"category", "warehouse"}
    assert response.context["board"]["totals"]["total"] == D("2.0000")
    assert 'id="filter-errors"' in response.content.decode()


def test_csv_export_neutralises_formula_like_names(company, web_as, place, chair, today):
    Product.objects.filter(pk=chair.pk).update(name='=HYPERLINK("http://evil")')
    place("2", chair, requested=today + timedelta(days=7))

    response = web_as("warehouse").get(reverse("reporting:demand"), {"export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:7] == ["Code", "Product", "Category", "On hand", "Reserved", "Available", "Overdue"]
    assert lines[0][-3:] == ["Later", "Total", "Shortage"]
    assert len(lines[0]) == 3 + 3 + 14 + 2
    assert lines[1][:2] == ["CH", '\'=HYPERLINK("http://evil")']
    assert lines[1][3:9] == ["0.0000", "0.0000", "0.0000", "0.0000", "0.0000", "2.0000"]
    assert lines[1][-2:] == ["2.0000", "Short"]
    assert lines[2][1] == "Total"


def test_xlsx_export_opens_as_a_workbook(company, web_as, place, chair, today):
    Product.objects.filter(pk=chair.pk).update(name="+Chair")
    place("2", chair, requested=today)

    response = web_as("warehouse").get(reverse("reporting:demand"), {"export": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Code"
    assert sheet["B2"].value == "'+Chair"
    assert sheet["B2"].data_type == "s"
    assert D(str(sheet["H2"].value)) == D("2")  # the current week's column


def test_the_api_answers_the_board_with_decimals_as_strings(company, api_as, goods, place, chair, today):
    goods["receive"]("1")
    place("2", chair, requested=today)
    place("1", chair, on=today - timedelta(days=7))

    response = api_as("warehouse").get(URL, HTTP_X_COMPANY=company.code)

    assert response.status_code == 200, response.json()
    body = response.json()
    monday = today - timedelta(days=today.weekday())
    assert body["weeks"][0] == monday.isoformat()
    assert len(body["weeks"]) == 12
    (row,) = body["rows"]
    assert row["product"] == chair.pk
    assert (row["product_code"], row["product_name"], row["category"]) == ("CH", "Chair", None)
    assert (row["on_hand"], row["reserved"], row["available"]) == ("1.0000", "1.0000", "0.0000")
    assert (row["overdue"], row["weeks"][0], row["later"], row["total"]) == ("1.0000", "2.0000", "0.0000", "3.0000")
    assert row["shortage"] is True
    assert row["short_from"] == monday.isoformat()
    assert body["totals"]["total"] == "3.0000"
    assert body["totals"]["products_short"] == 1


def test_the_api_refuses_a_bad_filter_with_400(company, api_as, other_company):
    foreign = ProductCategory.objects.create(company=other_company, name="Foreign")

    bad_type = api_as("warehouse").get(URL, {"warehouse": "abc"})
    foreign_id = api_as("warehouse").get(URL, {"category": foreign.pk})

    assert bad_type.status_code == 400
    assert bad_type.json()["code"] == "invalid"
    assert "warehouse" in bad_type.json()["details"]
    assert foreign_id.status_code == 400
    assert "category" in foreign_id.json()["details"]
    assert api_as("warehouse").get(URL, {"category": "99999999999999999999"}).status_code == 400


def test_the_api_filters_by_category(company, api_as, place, chair, table):
    seating = ProductCategory.objects.create(company=company, name="Seating")
    Product.objects.filter(pk=chair.pk).update(category=seating)
    place("2", chair)
    place("3", table)

    body = api_as("sales").get(URL, {"category": seating.pk}).json()

    assert [r["product"] for r in body["rows"]] == [chair.pk]
    assert body["rows"][0]["category"] == seating.pk


def test_the_board_reads_with_a_fixed_number_of_queries(
    company, users, web_as, api_as, place, chair, table, today, warehouse, django_assert_max_num_queries
):
    place("1", chair, requested=today)

    def count(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    def read():
        demand.demand_board(company, member(users, company, "manager"), warehouse_id=warehouse.pk)

    few = count(read)
    for week in range(12):
        place(str(week + 1), chair, requested=today + timedelta(days=7 * week))
        place("2", table, requested=today + timedelta(days=5 * week), owner="sales2")
    with django_assert_max_num_queries(few):
        read()
    with django_assert_max_num_queries(7):
        read()
    client = web_as("warehouse")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reporting:demand")).status_code == 200
    api = api_as("warehouse")
    with django_assert_max_num_queries(8):
        assert api.get(URL).status_code == 200


def test_the_warehouse_opens_the_board_and_a_member_without_the_permission_gets_403(company, users, web_as, api_as):
    assert web_as("warehouse").get(reverse("reporting:demand")).status_code == 200
    assert api_as("warehouse").get(URL).status_code == 200
    users["nobody"] = accounts_services.user_create(company=company, actor=None, username="nobody", password="nobody-pw-1234", roles=[])

    assert web_as("nobody").get(reverse("reporting:demand")).status_code == 403
    refused = api_as("nobody").get(URL)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
