"""Dashboards per role (F-90): exact figures built through the services, scopes, sections, the API and query counts.

The story (`sales_story`), with a service at 10.00 + 21 % VAT costing 6.00, a desk with a
floor of 9.00, and dates today and on the same day last year:
- last year: 2 services for customer A (salesperson `sales`), invoiced then and never paid (24.20 overdue);
- today: 3 services for A (30.00), invoiced and paid (36.30); 5 for B (`sales3`, 50.00), open;
- today: 2 desks for A at 8.00, below the floor: approved by the manager, not yet confirmed;
- today: an order for C (`sales2`, credit limit 1.00) held for credit; a draft quotation for A.
"""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from salesdesk.billing import services as billing
from salesdesk.catalog.models import Product, Tax, Unit
from salesdesk.customers import services as customer_services
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.tests import conftest as goods_fixtures
from salesdesk.reporting import dashboards, services
from salesdesk.sales import services as sales_services
from salesdesk.sales.errors import CreditLimitExceeded, PriceApprovalRequired
from salesdesk.sales.models import PriceApproval

warehouse, chair, goods = goods_fixtures.warehouse, goods_fixtures.chair, goods_fixtures.goods
URL, API = "/reports/dashboard/", "/api/v1/reports/dashboard/"


def member(user, company):
    return user.memberships.get(company=company)


@pytest.fixture
def catalog(company, unit_pc, vat21):
    service = Product.objects.create(
        company=company, sku="SRV", name="Service", kind="service", unit=unit_pc, list_price=D("10.00"), cost=D("6.00"), tax=vat21
    )
    desk = Product.objects.create(
        company=company, sku="DSK", name="Desk", kind="service", unit=unit_pc, list_price=D("10.00"), cost=D("6.00"), tax=vat21,
        floor_price=D("9.00"),
    )  # fmt: skip
    return {"service": service, "desk": desk}


def sell(company, user, customer, product, quantity, on=None, unit_price=None):
    """A confirmed order entered by `user` (its salesperson is the customer's)."""
    m = member(user, company)
    line = {"product": product, "quantity": D(quantity), **({"unit_price": D(unit_price)} if unit_price else {})}
    order = sales_services.order_create(company=company, actor=user, membership=m, customer=customer, lines=[line], date=on)
    return sales_services.order_confirm(order=order, actor=user, membership=m)


def bill(company, accountant, order, on=None):
    draft = billing.invoice_from_order(order=order, actor=accountant, membership=member(accountant, company), issue_date=on)
    return billing.invoice_post(invoice=draft, actor=accountant)


@pytest.fixture
def sales_story(company, users, catalog, customer_of):
    today = timezone.localdate()
    last_year = dashboards.same_day_last_year(today)
    admin, accountant = users["admin"], users["accountant"]
    a = customer_of("sales", "A", status="active")
    b = customer_of("sales3", "B", status="active")
    c = customer_of("sales2", "C", status="active", credit_limit=D("1.00"))
    old = sell(company, admin, a, catalog["service"], "2", on=last_year)
    old_invoice = bill(company, accountant, old, on=last_year)
    current = sell(company, admin, a, catalog["service"], "3")
    invoice = bill(company, accountant, current)
    billing.payment_create(
        company=company, actor=accountant, customer=a, amount=D("36.30"), allocations=[{"invoice": invoice, "amount": D("36.30")}]
    )
    open_order = sell(company, admin, b, catalog["service"], "5")
    with pytest.raises(PriceApprovalRequired) as asked:
        sell(company, users["sales"], a, catalog["desk"], "2", unit_price="8.00")
    approval = PriceApproval.objects.get(pk=asked.value.details["price_approval"])
    sales_services.approval_approve(approval=approval, actor=users["manager"], membership=member(users["manager"], company))
    with pytest.raises(CreditLimitExceeded):
        sell(company, admin, c, catalog["service"], "1")
    sales_services.quotation_create(
        company=company,
        actor=users["sales"],
        membership=member(users["sales"], company),
        customer=a,
        lines=[{"product": catalog["service"], "quantity": D("1")}],
    )
    return {"today": today, "customers": (a, b, c), "old_invoice": old_invoice, "open_order": open_order}


def figures(html: str) -> dict[str, str]:
    """Every element's `data-value` by its id, as the page shows them."""
    return dict(re.findall(r'id="([\w-]+)"\s+data-value="([^"]*)"', html))


def api(api_as, username, **params):
    response = api_as(username).get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


# --- figures ------------------------------------------------------------------------------


def test_leader_figures_are_exact_and_company_wide_for_the_administrator(sales_story, api_as):
    body = api(api_as, "admin")
    assert body["sections"] == ["leader"] and body["currency"] == "EUR"
    leader = body["leader"]
    assert leader["comparison"] == [
        {"basis": "ordered", "month": "80.00", "month_last_year": "20.00", "year": "80.00", "year_last_year": "20.00"},
        {"basis": "invoiced", "month": "30.00", "month_last_year": "20.00", "year": "30.00", "year_last_year": "20.00"},
        {"basis": "collected", "month": "36.30", "month_last_year": "0.00", "year": "36.30", "year_last_year": "0.00"},
    ]
    assert len(leader["trend"]) == 24
    assert leader["trend"][-1] == {"month": sales_story["today"].strftime("%Y-%m"), "invoiced": "30.00", "ordered": "80.00"}
    assert leader["trend"][-13]["invoiced"] == "20.00" and leader["trend"][-13]["ordered"] == "20.00"
    assert sum(D(row["invoiced"]) for row in leader["trend"]) == D("50.00")
    a = sales_story["customers"][0]
    assert leader["top_customers"] == [{"id": a.pk, "name": "A Customer A", "revenue": "30.00"}]
    assert [(r["name"], r["revenue"]) for r in leader["top_products"]] == [("SRV Service", "30.00")]
    assert [(r["name"], r["revenue"]) for r in leader["top_salespeople"]] == [("Sales", "30.00")]
    assert leader["margin"] == {"revenue": "30.00", "gross_profit": "12.00", "margin_percent": "40.0"}
    assert leader["open_orders"] == {"count": 1, "amount": "60.50"}
    assert (leader["pending_approvals"], leader["credit_holds"]) == (1, 1)
    assert leader["receivables"]["total"] == "24.20" and leader["receivables"]["overdue"] == "24.20"
    assert [(b["bucket"], b["amount"]) for b in leader["receivables"]["buckets"]] == [
        ("current", "0.00"), ("1_30", "0.00"), ("31_60", "0.00"), ("61_90", "0.00"), ("over_90", "24.20")
    ]  # fmt: skip
    assert leader["price_overrides"] == {
        "lines": 1,
        "given_away": "2.00",
        "by_salesperson": [{"name": "Sales", "lines": 1, "given_away": "2.00"}],
    }
    assert leader["plan"] == {"invoiced_month": "30.00", "invoiced_year": "30.00"}


def test_a_manager_sees_the_team_only(sales_story, api_as):
    leader = api(api_as, "manager")["leader"]
    ordered = leader["comparison"][0]
    assert (ordered["month"], ordered["month_last_year"]) == ("30.00", "20.00")  # B is sales3's, in the South team
    assert leader["open_orders"] == {"count": 0, "amount": "0.00"}
    assert (leader["pending_approvals"], leader["credit_holds"]) == (1, 1)  # sales' desk order, sales2's held order
    assert [r["name"] for r in leader["top_salespeople"]] == ["Sales"]


def test_a_salesperson_counts_only_their_own_sales(sales_story, api_as):
    body = api(api_as, "sales")
    assert body["sections"] == ["sales"] and "leader" not in body
    mine = body["sales"]
    assert mine["month"] == {"invoiced": "30.00", "invoiced_last_year": "20.00", "ordered": "30.00", "ordered_last_year": "20.00"}
    assert mine["quotations"] == {"draft": 1, "sent": 0}
    assert mine["orders"] == {"draft": 0, "pending_approval": 1, "credit_hold": 0, "open": 0, "open_amount": "0.00"}
    a = sales_story["customers"][0]
    assert mine["overdue_customers"] == {
        "count": 1,
        "amount": "24.20",
        "customers": [{"id": a.pk, "code": "A", "name": "Customer A", "overdue": "24.20"}],
    }
    assert mine["approvals"] == {"pending": 0, "approved": 1, "rejected": 0}

    other = api(api_as, "sales3")["sales"]
    assert other["month"] == {"invoiced": "0.00", "invoiced_last_year": "0.00", "ordered": "50.00", "ordered_last_year": "0.00"}
    assert other["orders"]["open"] == 1 and other["orders"]["open_amount"] == "60.50"
    assert other["overdue_customers"]["count"] == 0 and other["approvals"]["approved"] == 0


def test_another_companys_data_never_appears(sales_story, other_company, api_as, users):
    boss = accounts_services.user_create(
        company=other_company, actor=None, username="boss", password="boss-pw-1234", full_name="Boss", roles=[roles.ADMINISTRATOR]
    )
    unit = Unit.objects.get(company=other_company, code="pc")
    tax = Tax.objects.create(company=other_company, name="Sales tax 0%", rate=D("0"))
    thing = Product.objects.create(
        company=other_company, sku="X", name="X", kind="service", unit=unit, list_price=D("1000.00"), cost=D("1"), tax=tax
    )
    buyer = customer_services.customer_create(
        company=other_company, actor=boss, membership=member(boss, other_company), values={"code": "Z", "name": "Zed", "status": "active"}
    )
    bill(other_company, boss, sell(other_company, boss, buyer, thing, "1"))
    services.refresh(company=other_company)

    acme = api(api_as, "admin")["leader"]
    assert acme["comparison"][1]["month"] == "30.00" and [r["name"] for r in acme["top_customers"]] == ["A Customer A"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=boss)[0].key}")
    theirs = client.get(API).json()
    assert theirs["currency"] == "USD"
    assert theirs["leader"]["comparison"][1]["month"] == "1000.00"
    assert [r["name"] for r in theirs["leader"]["top_customers"]] == ["Z Zed"]
    assert theirs["leader"]["receivables"]["total"] == "1000.00"


def test_warehouse_sees_deliveries_due_and_backorders_without_prices(company, goods, users, api_as, web_as):
    goods["receive"]("3", "60")
    order = goods["order"]("5")
    clerk = users["warehouse"]
    first = fulfilment.delivery_create(
        order=order, actor=goods["admin"], membership=goods["membership"], lines=[{"order_line": order.lines.get().pk, "quantity": D("3")}]
    )
    body = api(api_as, "warehouse")
    assert body["sections"] == ["warehouse"]
    stock = body["warehouse"]
    assert (stock["deliveries"]["to_pick"], stock["deliveries"]["to_ship"]) == (1, 0)
    assert [d["number"] for d in stock["deliveries"]["next"]] == [first.number]
    assert (stock["backorders"]["lines"], stock["backorders"]["orders"]) == (1, 1)
    assert [(p["sku"], p["lines"], p["waiting"]) for p in stock["backorders"]["products"]] == [("CH", 1, "2.0000")]
    fulfilment.delivery_pick(delivery=first, actor=clerk)
    assert api(api_as, "warehouse")["warehouse"]["deliveries"]["to_pick"] == 0
    assert api(api_as, "warehouse")["warehouse"]["deliveries"]["to_ship"] == 1
    later = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"])
    later.date = timezone.localdate() + timedelta(days=3)
    later.save(update_fields=["date"])
    assert api(api_as, "warehouse")["warehouse"]["deliveries"]["to_pick"] == 0  # planned for later

    page = web_as("warehouse").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    shown = figures(html)
    assert (shown["warehouse-to-pick"], shown["warehouse-to-ship"], shown["warehouse-backorder-lines"]) == ("0", "1", "1")
    assert "605" not in html and "100.00" not in html and "EUR" not in html  # the order's prices and currency stay out


def test_accounts_sees_work_to_do_and_ageing(company, users, catalog, customer_of, api_as):
    accountant = users["accountant"]
    a = customer_of("sales", "A", status="active")
    order = sell(company, users["admin"], a, catalog["service"], "10")
    invoice = bill(company, accountant, order)
    billing.dispute_open(invoice=invoice, actor=accountant, reason="price", amount=D("10.00"))
    billing.invoice_from_order(
        order=sell(company, users["admin"], a, catalog["service"], "1"), actor=accountant, membership=member(accountant, company)
    )
    billing.payment_create(company=company, actor=accountant, customer=a, amount=D("50.00"))
    body = api(api_as, "accountant")
    assert body["sections"] == ["accounts"]
    acc = body["accounts"]
    assert acc["invoices_to_post"] == 1
    assert acc["payments_to_allocate"] == {"count": 1, "amount": "50.00"}
    assert acc["disputes"] == {"count": 1, "amount": "10.00"}
    # 121.00 owed and not yet due, less the 50.00 in hand (counted as current, negative).
    assert acc["ageing"]["total"] == "71.00" and acc["ageing"]["overdue"] == "0.00"
    assert acc["ageing"]["buckets"][0] == {"bucket": "current", "amount": "71.00"}


# --- pages, sections and refusals -------------------------------------------------------------


@pytest.mark.parametrize(
    "username,shown,hidden",
    [
        ("admin", ["section-leader"], ["section-sales", "section-warehouse", "section-accounts"]),
        ("manager", ["section-leader"], ["section-sales", "section-warehouse"]),
        ("sales", ["section-sales"], ["section-leader", "section-accounts"]),
        ("warehouse", ["section-warehouse"], ["section-leader", "section-sales", "section-accounts"]),
        ("accountant", ["section-accounts"], ["section-leader", "section-sales", "section-warehouse"]),
    ],
)
def test_each_role_gets_its_sections(sales_story, web_as, username, shown, hidden):
    page = web_as(username).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert all(f'id="{s}"' in html for s in shown)
    assert not any(f'id="{s}"' in html for s in hidden)


def test_several_roles_see_each_section_and_view_picks_one(sales_story, company, users, client, api_as):
    accounts_services.membership_set(company=company, actor=None, user=users["sales"], roles=[roles.SALESPERSON, roles.ACCOUNTANT])
    client.force_login(users["sales"])
    html = client.get(URL).content.decode()
    assert 'id="section-sales"' in html and 'id="section-accounts"' in html and 'id="tab-accounts"' in html
    only = client.get(URL, {"view": "accounts"}).content.decode()
    assert 'id="section-accounts"' in only and 'id="section-sales"' not in only
    assert api(api_as, "sales", view="sales")["sections"] == ["sales"]
    assert client.get(URL, {"view": "leader"}).status_code == 403


def test_view_refusals_on_the_page_and_the_api(sales_story, web_as, api_as):
    assert web_as("sales").get(URL, {"view": "leader"}).status_code == 403
    assert web_as("sales").get(URL, {"view": "bogus"}).status_code == 400
    refused = api_as("sales").get(API, {"view": "warehouse"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    unknown = api_as("sales").get(API, {"view": "bogus"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid" and "view" in unknown.json()["details"]
    assert api(api_as, "admin", view="leader")["sections"] == ["leader"]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_empty_dashboards_render_with_empty_states(company, users, web_as):
    html = web_as("admin").get(URL).content.decode()
    assert 'id="empty-trend"' in html and 'id="empty-top_customers"' in html and 'id="card-plan"' in html
    assert figures(html)["leader-invoiced-month"] == "0.00"
    assert 'id="sales-overdue-empty"' in web_as("sales").get(URL).content.decode()


def test_the_api_figures_equal_the_page(sales_story, web_as, api_as):
    leader = api(api_as, "admin")["leader"]
    page = web_as("admin").get(URL)
    shown = figures(page.content.decode())
    invoiced = leader["comparison"][1]
    assert shown["leader-invoiced-month"] == invoiced["month"] == leader["plan"]["invoiced_month"]
    assert shown["leader-invoiced-month-last-year"] == invoiced["month_last_year"]
    assert shown["leader-invoiced-year"] == invoiced["year"]
    assert shown["leader-invoiced-year-last-year"] == invoiced["year_last_year"]
    assert shown["leader-gross-profit"] == leader["margin"]["gross_profit"]
    assert shown["leader-margin-percent"] == leader["margin"]["margin_percent"]
    assert (shown["leader-open-orders"], shown["leader-open-amount"]) == (
        str(leader["open_orders"]["count"]),
        leader["open_orders"]["amount"],
    )
    assert shown["leader-overdue"] == leader["receivables"]["overdue"]
    assert shown["leader-given-away"] == leader["price_overrides"]["given_away"]
    assert shown["leader-pending-approvals"] == str(leader["pending_approvals"])
    assert shown["leader-credit-holds"] == str(leader["credit_holds"])
    assert shown["plan-actual-year"] == leader["plan"]["invoiced_year"]
    # The charts' data and their tables carry the same numbers.
    charts = page.context["chart_json"]
    assert charts["trend"]["datasets"][0]["data"] == [row["invoiced"] for row in leader["trend"]]
    assert charts["top_customers"]["datasets"][0]["data"] == [row["revenue"] for row in leader["top_customers"]]
    table = page.context["charts"]["compare_month"]["rows"]
    assert [str(row["values"][0]) for row in table] == [row["month"] for row in leader["comparison"]]

    mine = api(api_as, "sales")["sales"]
    shown = figures(web_as("sales").get(URL).content.decode())
    assert shown["sales-invoiced-month"] == mine["month"]["invoiced"]
    assert shown["sales-ordered-month"] == mine["month"]["ordered"]
    assert shown["sales-overdue-amount"] == mine["overdue_customers"]["amount"]


# --- bounded queries --------------------------------------------------------------------------


QUERY_PIN = 50  # every section of every role, for a member holding them all


def test_the_query_count_is_pinned_and_does_not_grow_with_the_orders(
    sales_story, company, users, catalog, client, django_assert_max_num_queries
):
    everyone = accounts_services.user_create(
        company=company,
        actor=None,
        username="everyone",
        password="everyone-pw-1234",
        full_name="Everyone",
        roles=[roles.ADMINISTRATOR, roles.SALESPERSON, roles.WAREHOUSE_CLERK, roles.ACCOUNTANT],
    )
    client.force_login(everyone)
    a, b, _c = sales_story["customers"]

    def measured() -> int:
        services.refresh(company=company)  # the refresh's own work is not the dashboard's
        with django_assert_max_num_queries(QUERY_PIN) as queries:
            page = client.get(URL)
        assert page.status_code == 200 and 'id="section-accounts"' in page.content.decode()
        return len(queries)

    before = measured()
    for customer in (a, b, a, b):
        order = sell(company, users["admin"], customer, catalog["service"], "4")
        bill(company, users["accountant"], order)
        sell(company, users["admin"], customer, catalog["service"], "1")
    assert measured() <= before


def test_the_api_stays_within_the_same_budget(sales_story, company, api_as, django_assert_max_num_queries):
    services.refresh(company=company)
    client = api_as("admin")
    with django_assert_max_num_queries(QUERY_PIN):
        assert client.get(API).status_code == 200


def test_the_ageing_totals_of_a_generated_company_equal_its_ageing_report(db):
    """Open invoices, some paid in part, some overdue: the totals the dashboards sum in the
    database equal the report's, for the whole company and for one salesperson."""
    from salesdesk.billing import selectors as billing_selectors
    from salesdesk.setup.generate import generate

    bench = generate(scale=0.001, seed=7).company
    today = timezone.localdate()
    from salesdesk.accounts.models import Membership

    admin = Membership.objects.get(company=bench, user__username="bench-admin")
    seller = Membership.objects.get(company=bench, user__username="bench-sales-01")
    assert billing_selectors.open_invoices(bench, admin).count() >= 5
    for membership in (admin, seller):
        report = billing_selectors.ageing_report(bench, membership, today)
        assert billing_selectors.ageing_totals(bench, membership, today) == report["totals"]
        if membership == admin:
            assert report["totals"]["total"] > 0 and report["totals"]["current"] != report["totals"]["total"]


def test_top_salespeople_read_from_month_and_day_rollups_equal_the_years_facts(db):
    """The year's whole months come from the month rollups and this month's days from the day
    rollups: together, each salesperson's invoiced revenue (net of credit notes) of the facts."""
    from django.db.models import Sum

    from salesdesk.accounts.models import Membership
    from salesdesk.reporting.models import SalesFact
    from salesdesk.setup.generate import generate

    bench = generate(scale=0.001, seed=11).company
    services.rebuild(company=bench)
    today = timezone.localdate()
    board = dashboards.Board(bench, Membership.objects.get(company=bench, user__username="bench-admin"), today)
    facts = (
        SalesFact.objects.filter(
            company=bench, measure__in=["invoiced", "credited"], date__gte=today.replace(month=1, day=1), date__lte=today
        )
        .values("salesperson_id")
        .annotate(total=Sum("revenue"))
    )
    expected = sorted(((row["salesperson_id"], round(row["total"], 2)) for row in facts if row["total"] > 0), key=lambda r: (-r[1], r[0]))
    assert (
        expected
        and SalesFact.objects.filter(
            company=bench, measure="invoiced", date__lt=today.replace(day=1), date__gte=today.replace(month=1, day=1)
        ).exists()
    )
    assert [(row["id"], row["revenue"]) for row in dashboards.top(board, "salesperson")] == expected[: dashboards.TOP]


def test_a_manager_of_all_this_years_sellers_gets_the_company_tops_and_otherwise_the_teams(db):
    """The company's year totals serve a manager only while their people made all the year's
    sales; once a seller is outside their scope, the tops are summed from the team's facts."""
    from django.db.models import Sum

    from salesdesk.accounts.models import Membership
    from salesdesk.accounts.selectors import visible_salesperson_ids
    from salesdesk.reporting.models import SalesFact
    from salesdesk.setup.generate import generate

    bench = generate(scale=0.001, seed=11).company
    services.rebuild(company=bench)
    today = timezone.localdate()
    admin = Membership.objects.get(company=bench, user__username="bench-admin")
    manager = Membership.objects.get(company=bench, user__username="bench-manager")
    board = dashboards.Board(bench, manager, today)
    assert board.year_is_all_seen
    everything = dashboards.Board(bench, admin, today)
    for dimension in ("customer", "product"):
        assert dashboards.top(board, dimension) == dashboards.top(everything, dimension) != []

    year = SalesFact.objects.filter(company=bench, measure__in=["invoiced", "credited"], date__gte=today.replace(month=1, day=1))
    seller = year.values_list("salesperson_id", flat=True).order_by("salesperson_id").first()
    Membership.objects.filter(company=bench, user_id=seller).update(team=None, manager=None)
    board = dashboards.Board(bench, Membership.objects.get(pk=manager.pk), today)
    assert not board.year_is_all_seen
    seen = visible_salesperson_ids(board.membership)
    assert seller not in seen
    for dimension in ("customer", "product"):
        sums = year.filter(salesperson_id__in=seen).values(f"{dimension}_id").annotate(total=Sum("revenue"))
        expected = sorted(
            ((row[f"{dimension}_id"], round(row["total"], 2)) for row in sums if row["total"] > 0), key=lambda r: (-r[1], r[0])
        )
        assert [(row["id"], row["revenue"]) for row in dashboards.top(board, dimension)] == expected[: dashboards.TOP]
        assert expected != [(row["id"], row["revenue"]) for row in dashboards.top(everything, dimension)]
