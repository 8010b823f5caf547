"""The benchmark parts: exact statistics, and each benchmark run once on a tiny generated company.

No timing is asserted: these only check that every benchmark works, reports numbers under
the expected names, and (for the plain-SQL reference) writes the rows the services write,
keeping every maintained figure consistent.
"""

import math
import statistics
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from bench import credit, cycle, lists, pdf, plain_sql, stats
from bench.context import Context

SCALE = 0.005  # 5 customers and 5 products: the least that holds a 5-line order of distinct products


# --- statistics -------------------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_ranks():
    assert stats.percentile([1, 2, 3, 4], 50) == 2.5
    assert stats.percentile(range(1, 11), 95) == pytest.approx(9.55)
    assert stats.percentile([10, 20, 30, 40, 50], 90) == pytest.approx(46.0)
    assert stats.percentile([3, 1, 2], 0) == 1
    assert stats.percentile([3, 1, 2], 100) == 3
    assert stats.percentile([7], 95) == 7
    assert stats.percentile([0.010, 0.020], 25) == pytest.approx(0.0125)


def test_percentile_agrees_with_the_inclusive_method_of_the_standard_library():
    values = [0.3, 1.7, 2.2, 2.9, 4.4, 5.0, 8.1, 9.9, 12.5]
    assert [stats.percentile(values, p) for p in range(10, 100, 10)] == pytest.approx(
        statistics.quantiles(values, n=10, method="inclusive")
    )


def test_median_of_odd_and_even_counts():
    assert stats.median([5, 1, 3]) == 3
    assert stats.median([4, 1, 3, 2]) == 2.5


def test_percentile_refuses_nothing_and_out_of_range():
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1], 101)


def test_timed_returns_seconds_and_result_and_row_checks_compare():
    seconds, result = stats.timed(lambda x: x * 2, 21)
    assert result == 42 and seconds >= 0
    assert len(stats.latencies(lambda: None, 3, warmup=1)) == 3
    assert stats.ms(0.0123456) == 12.35
    assert stats.row("b", "m", 1.0, "ms", 2, "<=")["compare"] == "<="
    with pytest.raises(ValueError):
        stats.row("b", "m", 1.0, "ms", 2, "<")


# --- the benchmarks on a tiny generated company ----------------------------------------------------


@pytest.fixture
def ctx(db, tmp_path):
    from salesdesk.setup.generate import generate

    generate(scale=SCALE, seed=3, company_code="BENCH")
    return Context(vendor=connection.vendor, scale=SCALE, quick=True, company_code="BENCH", workdir=tmp_path)


def _check_rows(rows, bench: str, metrics: set[str]) -> dict:
    by_metric = {r["metric"]: r for r in rows}
    assert {r["bench"] for r in rows} == {bench}
    assert metrics <= set(by_metric), set(by_metric)
    for r in rows:
        assert isinstance(r["value"], (int, float)) and math.isfinite(r["value"]) and r["value"] >= 0, r
        assert r["compare"] in (None, ">=", "<=") and r["unit"]
    return by_metric


def _consistent(company) -> None:
    """Stock levels equal their moves, balances their entries, customer accounts their documents."""
    from salesdesk.billing.models import Invoice
    from salesdesk.customers.models import CustomerAccount
    from salesdesk.inventory import selectors as inventory_selectors
    from salesdesk.ledger import selectors as ledger_selectors
    from salesdesk.sales.models import SalesOrder

    assert inventory_selectors.level_mismatches(company) == []
    assert ledger_selectors.balances_from_entries(company) == ledger_selectors.maintained_balances(company)
    receivables = ledger_selectors.customer_receivables_from_entries(company)
    for account in CustomerAccount.objects.filter(company=company):
        assert account.receivable == receivables.get(account.customer_id, Decimal("0.00"))
        open_orders = SalesOrder.objects.filter(company=company, customer_id=account.customer_id).aggregate(s=Sum("open_amount"))["s"]
        assert account.open_orders == (open_orders or 0)
        oldest = (
            Invoice.objects.filter(company=company, customer_id=account.customer_id, status="posted", amount_due__gt=0)
            .order_by("next_due_date")
            .values_list("next_due_date", flat=True)
            .first()
        )
        assert account.oldest_overdue_due_date == oldest


def test_cycle_reports_lines_per_second(ctx):
    rows = cycle.run(ctx)
    by_metric = _check_rows(rows, "cycle", {"lines_per_s", "order_p50", "order_p95", "queries_per_order"})
    assert by_metric["lines_per_s"]["target"] == cycle.TARGETS[connection.vendor] and by_metric["lines_per_s"]["compare"] == ">="
    assert by_metric["lines_per_s"]["value"] > 0 and by_metric["queries_per_order"]["value"] > 0


def test_plain_sql_reports_the_ratio_and_keeps_the_books_consistent(ctx):
    rows = plain_sql.run(ctx)
    by_metric = _check_rows(rows, "plain-sql", {"lines_per_s", "engine_lines_per_s", "engine_vs_plain"})
    assert by_metric["engine_vs_plain"]["value"] == pytest.approx(
        by_metric["engine_lines_per_s"]["value"] / by_metric["lines_per_s"]["value"], rel=0.01
    )
    from salesdesk.accounts.models import Company

    _consistent(Company.objects.get(code="BENCH"))


def _table_counts() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.db_table: model.objects.count() for model in apps.get_models()}


def _changed(before: dict, after: dict) -> dict:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


def test_plain_sql_writes_the_rows_the_services_write(ctx):
    """The same order through the services and as plain SQL: the same rows in every table, the same figures."""
    from salesdesk.billing.models import Invoice, Payment
    from salesdesk.sales.models import SalesOrder

    stage = cycle.stage("BENCH", orders=4, customers=1)
    plain = plain_sql.Plain(stage)
    cycle.one_cycle(stage)  # settings rows made on first use are not the cycle's
    first = stage.used
    before = _table_counts()
    engine_order, engine_invoice = cycle.one_cycle(stage)
    middle = _table_counts()
    stage.used = first  # the same customer and lines again
    [(customer, lines)] = plain.prepare(1)
    plain_order, plain_invoice = plain.order(customer, lines)
    after = _table_counts()
    assert _changed(middle, after) == _changed(before, middle)

    def figures(order_id, invoice_id):
        order = SalesOrder.objects.filter(pk=order_id).values(
            "status", "total_amount", "tax_amount", "open_amount", "invoiced_amount", "paid_amount", "delivery_state", "invoice_state"
        )[0]
        invoice = Invoice.objects.filter(pk=invoice_id).values("status", "total_amount", "amount_paid", "amount_due", "due_date", "rate")[0]
        payment = Payment.objects.filter(allocations__invoice_id=invoice_id).values("amount", "allocated_amount", "unallocated_amount")[0]
        return order, invoice, payment

    assert figures(plain_order, plain_invoice) == figures(engine_order, engine_invoice)
    _consistent(stage.company)


def test_credit_check_reports_latency_per_history_size_and_reuses_the_history(ctx):
    from salesdesk.customers.models import Customer
    from salesdesk.sales.models import SalesOrder

    rows = credit.run(ctx)
    names = {f"confirm_p50_{credit.label(n)}" for n in credit.QUICK_SIZES} | {f"queries_{credit.label(n)}" for n in credit.QUICK_SIZES}
    by_metric = _check_rows(rows, "credit-check", names | {"p50_ratio_largest_smallest"})
    ratio = by_metric["p50_ratio_largest_smallest"]
    assert (ratio["target"], ratio["compare"]) == (credit.TARGET_RATIO, "<=")
    customers = Customer.objects.filter(code__startswith="BENCH-CREDIT-")
    assert sorted(customers.values_list("code", flat=True)) == ["BENCH-CREDIT-10", "BENCH-CREDIT-100", "BENCH-CREDIT-1K"]
    history = SalesOrder.objects.filter(customer__in=customers).exclude(status="cancelled").count()
    credit.run(ctx)  # again: the customers and their history are reused, the benchmark orders cancelled
    assert SalesOrder.objects.filter(customer__in=customers).exclude(status="cancelled").count() == history
    assert credit.label(10_000) == "10k" and credit.label(1_000_000) == "1m" and credit.label(1_500) == "1500"


def test_lists_report_every_list_three_ways(ctx):
    rows = lists.run(ctx)
    expected = {
        f"{resource}_{variant}_{stat}"
        for resource in ("orders", "invoices", "customers")
        for variant in ("plain", "filter", "search")
        for stat in ("p50", "p95", "queries")
    }
    by_metric = _check_rows(rows, "lists", expected | {"web_orders", "web_invoices", "web_customers"})
    assert by_metric["orders_plain_p95"]["target"] == lists.TARGET_P95_MS
    assert by_metric["invoices_search_queries"]["value"] > 0


def test_pdf_reports_the_render_time_of_a_five_line_invoice(ctx):
    by_metric = _check_rows(pdf.run(ctx), "pdf", {"render_p50", "render_p95", "first_render"})
    assert (by_metric["render_p50"]["target"], by_metric["render_p50"]["compare"]) == (pdf.TARGET_P50_MS, "<=")
