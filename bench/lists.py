"""Lists: the first page of orders, invoices and customers through the REST API, plain, filtered and searched.

Requests go through the whole Django stack in-process (`django.test.Client`: middleware,
token authentication, the company header, filters, serializers), without a network or a
server process, as bench-admin of the generated company. Each list is warmed up once, then
timed; the query count of one request shows whether a page costs the same whatever the
history (no `COUNT(*)`, no N+1). The web list pages are fetched once each, logged in.
"""

from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from bench.stats import median, ms, percentile, row, timed

TARGET_P95_MS = 100
WEB_PAGES = (("orders", "sales:order-list"), ("invoices", "billing:invoice-list"), ("customers", "customers:customer-list"))


def _host() -> str:
    """A host name the settings allow, so requests are not refused as a bad Host header."""
    allowed = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return "testserver" if "testserver" in allowed or not allowed else allowed[0]


def search_word(company) -> str:
    """A word of a customer's name that orders and invoices exist for (the latest order's customer)."""
    from salesdesk.sales.models import SalesOrder

    orders = SalesOrder.objects.filter(company=company, customer__code__startswith="C").exclude(status="draft")
    order = orders.select_related("customer").order_by("-id").first()
    if order is not None:
        return order.customer.name.split()[0]
    from salesdesk.customers.models import Customer

    customer = Customer.objects.filter(company=company).order_by("id").first()
    if customer is None:
        raise RuntimeError("the generated company has no customers to list")
    return customer.name.split()[0]


def requests_for(company) -> list[tuple[str, str, str]]:
    """(resource, variant, path) of every list request."""
    word = quote(search_word(company))
    return [
        ("orders", "plain", "/api/v1/sales-orders/"),
        ("orders", "filter", "/api/v1/sales-orders/?status=confirmed"),
        ("orders", "search", f"/api/v1/sales-orders/?search={word}"),
        ("invoices", "plain", "/api/v1/invoices/"),
        ("invoices", "filter", "/api/v1/invoices/?payment_state=unpaid"),
        ("invoices", "search", f"/api/v1/invoices/?search={word}"),
        ("customers", "plain", "/api/v1/customers/"),
        ("customers", "filter", "/api/v1/customers/?status=active"),
        ("customers", "search", f"/api/v1/customers/?search={word}"),
    ]


def api_client(company_code: str) -> Client:
    from rest_framework.authtoken.models import Token

    from salesdesk.accounts.models import User

    admin = User.objects.get(username=f"{company_code.lower()}-admin")
    token, _ = Token.objects.get_or_create(user=admin)
    return Client(HTTP_HOST=_host(), HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_COMPANY=company_code)


def get_page(client: Client, path: str) -> int:
    """Fetch one page; returns how many results it had. Anything but 200 stops the benchmark."""
    response = client.get(path)
    if response.status_code != 200:
        raise AssertionError(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
    if response.get("Content-Type", "").startswith("application/json"):
        return len(response.json().get("results", []))
    return 1


def run(ctx) -> list[dict]:
    from salesdesk.accounts.models import Company, User

    company = Company.objects.get(code=ctx.company_code)
    repeats = ctx.repeats(30, 5)
    client = api_client(ctx.company_code)
    rows = []
    for resource, variant, path in requests_for(company):
        found = get_page(client, path)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            get_page(client, path)
        # Read the count now: every request starts by clearing the connection's query log.
        queries = len(captured.captured_queries)
        seconds = [timed(get_page, client, path)[0] for _ in range(repeats)]
        note = f"GET {path} ({found} results on the page), {repeats} requests"
        name = f"{resource}_{variant}"
        rows.append(row("lists", f"{name}_p50", ms(median(seconds)), "ms", None, None, note))
        rows.append(row("lists", f"{name}_p95", ms(percentile(seconds, 95)), "ms", TARGET_P95_MS, "<=", note))
        rows.append(row("lists", f"{name}_queries", queries, "queries", None, None, "SQL statements of one request"))
    web = Client(HTTP_HOST=_host())
    web.force_login(User.objects.get(username=f"{ctx.company_code.lower()}-admin"))
    for resource, name in WEB_PAGES:
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        get_page(web, path)  # warm-up: templates compiled
        seconds, _ = timed(get_page, web, path)
        with CaptureQueriesContext(connection) as captured:
            get_page(web, path)
        note = f"GET {path} (web page, logged in), once; {len(captured.captured_queries)} SQL statements"
        rows.append(row("lists", f"web_{resource}", ms(seconds), "ms", None, None, note))
    return rows
