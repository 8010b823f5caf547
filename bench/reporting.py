"""Reporting: catching the sales facts up, each role's dashboard, and the two-year pivot.

The facts are brought up to date first: a freshly generated company has them written by a
rebuild from its documents, then a refresh reads what is new (little, as for a dashboard request). Then each
role's dashboard page is fetched as that role's generated user, and the sales analysis of
month × region × revenue over the last two years through the API, all in-process through the
whole Django stack, as the lists benchmark does. The query count of one request shows that a
dashboard's cost does not grow with history; `docs/benchmarks.md` compares scales.
"""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.lists import _host, api_client, get_page
from bench.stats import median, ms, percentile, row, timed

DASHBOARD_P95_MS = 200
PIVOT_MS = 1000
# view -> the generated user who has that role
# (name, view, user): the leader's view as the administrator (the whole company), as the
# sales manager (the people they manage: in the generated company, every salesperson), and as
# the area manager (the key-accounts team: one salesperson in ten).
DASHBOARDS = (
    ("leader", "leader", "admin"),
    ("manager", "leader", "manager"),
    ("area_manager", "leader", "area-manager"),
    ("sales", "sales", "sales-01"),
    ("warehouse", "warehouse", "clerk"),
    ("accounts", "accounts", "accountant"),
)


def two_years(today):
    """Whole months: from the first day of the month two years back to the end of this month."""
    start = today.replace(day=1)
    start = start.replace(year=start.year - 2)
    end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def run(ctx) -> list[dict]:
    from salesdesk.accounts.models import Company, User
    from salesdesk.reporting import services
    from salesdesk.reporting.models import SalesFact, SalesRollup
    from salesdesk.setup.generate.master import key_accounts

    company = Company.objects.get(code=ctx.company_code)
    key_accounts(company, User.objects.get(username=f"{ctx.company_code.lower()}-admin"))
    rows = []
    # A company without facts yet has them written by a rebuild, which reads the documents once
    # (the way to start, and faster than reading every event); later runs only refresh.
    steps = [("facts_refresh", services.refresh)]
    if not SalesFact.objects.filter(company=company).exists():
        steps.insert(0, ("facts_rebuild", services.rebuild))
    for name, step in steps:
        seconds, added = timed(step, company=company)
        facts = SalesFact.objects.filter(company=company).count()
        cells = SalesRollup.objects.filter(company=company).count()
        note = f"{added:,} facts added ({facts:,} in all, {cells:,} rollup cells)"
        rows.append(row("reporting", name, round(seconds, 2), "s", None, None, note))
    repeats = ctx.repeats(20, 5)
    code = ctx.company_code.lower()
    for name, view, who in DASHBOARDS:
        client = Client(HTTP_HOST=_host())
        client.force_login(User.objects.get(username=f"{code}-{who}"))
        path = f"/reports/dashboard/?view={view}"
        get_page(client, path)  # warm-up: templates compiled, facts current
        with CaptureQueriesContext(connection) as captured:
            get_page(client, path)
        queries = len(captured.captured_queries)
        times = [timed(get_page, client, path)[0] for _ in range(repeats)]
        note = f"GET {path} as {code}-{who}, {repeats} requests, {queries} SQL statements each"
        rows.append(row("reporting", f"dashboard_{name}_p50", ms(median(times)), "ms", None, None, note))
        rows.append(row("reporting", f"dashboard_{name}_p95", ms(percentile(times, 95)), "ms", DASHBOARD_P95_MS, "<=", note))
    start, end = two_years(timezone.localdate())
    api = api_client(ctx.company_code)
    for name, query in (
        ("pivot_month_region", "rows=month&columns=region&measures=revenue"),
        ("pivot_customer", "rows=customer&measures=revenue,gross_profit"),
    ):
        path = f"/api/v1/reports/sales-analysis/?{query}&basis=invoiced&date_from={start}&date_to={end}"
        get_page(api, path)
        times = [timed(get_page, api, path)[0] for _ in range(ctx.repeats(10, 3))]
        target = (PIVOT_MS, "<=") if name == "pivot_month_region" else (None, None)
        rows.append(row("reporting", name, ms(median(times)), "ms", *target, f"GET {path}, median of {len(times)}"))
    return rows
