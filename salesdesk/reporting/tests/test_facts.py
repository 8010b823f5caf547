"""Sales facts and rollups: what `refresh` adds after each document change equals what `rebuild` reads
from scratch, and the figures a user sees equal the documents, to the cent.

The goods story (order -> partial delivery -> invoice -> refusal -> return -> credit note -> payment)
is refreshed after every step and then compared with a rebuild; cancelling and amending an order
add the difference as new facts; a refresh reads each event once and only its own company's;
rollups add up to the facts; a generated company's figures equal its documents; and a refresh's
queries do not grow with the number of documents.
"""

from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Max, Min, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from salesdesk.billing import services as billing
from salesdesk.billing.models import Invoice, InvoiceLine, Payment
from salesdesk.catalog.models import Product, Tax, Unit
from salesdesk.core.models import DocumentEvent
from salesdesk.customers import services as customer_services
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery
from salesdesk.fulfilment.tests import conftest as goods_fixtures
from salesdesk.reporting import services as reporting
from salesdesk.reporting.models import FactCursor, Grain, Measure, SalesFact, SalesRollup, SellerSpan, Source, YearTotal
from salesdesk.sales import services as sales_services
from salesdesk.sales.models import SalesOrder, SalesOrderLine
from salesdesk.setup.generate import generate

# The goods fixtures of the fulfilment tests (a warehouse, a chair at 100.00 costing 60, `goods` with receive() and order()).
warehouse, chair, goods = goods_fixtures.warehouse, goods_fixtures.chair, goods_fixtures.goods

FIGURES = ("quantity", "revenue", "cost", "gross_profit", "documents")
DIMENSIONS = ("salesperson_id", "team_id", "region_id", "category_id", "customer_group_id")
NOTHING = (D("0"), D("0.00"), D("0.00"), D("0.00"), 0)
REFRESH_QUERIES = 27  # one refresh batch of orders, deliveries, invoices and payments, however many


def _figures(row: dict) -> tuple:
    """(quantity, revenue, cost, gross profit, documents) from an aggregate row, zero where there is nothing."""
    return (
        row["q"] if row["q"] is not None else D("0"),
        row["r"] if row["r"] is not None else D("0.00"),
        row["c"] if row["c"] is not None else D("0.00"),
        row["g"] if row["g"] is not None else D("0.00"),
        row["n"] or 0,
    )


SUMS = {"q": Sum("quantity"), "r": Sum("revenue"), "c": Sum("cost"), "g": Sum("gross_profit"), "n": Sum("documents")}


def total(company, measure, **filters) -> tuple:
    """A measure's figures summed over all the company's facts (optionally of one source or document)."""
    return _figures(SalesFact.objects.filter(company=company, measure=measure, **filters).aggregate(**SUMS))


def fact_sums(company) -> dict:
    """The facts summed per document line (measure, source, source_id, source_line_id), lines summing to nothing left out."""
    rows = SalesFact.objects.filter(company=company).values("measure", "source", "source_id", "source_line_id").annotate(**SUMS)
    sums = {(r["measure"], r["source"], r["source_id"], r["source_line_id"]): _figures(r) for r in rows}
    return {key: figures for key, figures in sums.items() if figures != NOTHING}


def rollup_cells(company) -> dict:
    """Every rollup cell of both grains with its figures; cells at zero are left out (a rebuild never writes them)."""
    cells = {}
    for row in SalesRollup.objects.filter(company=company).values("measure", "grain", "period", *DIMENSIONS, *FIGURES):
        figures = tuple(row[f] for f in FIGURES)
        if figures != NOTHING:
            cells[(row["measure"], row["grain"], row["period"], *(row[d] for d in DIMENSIONS))] = figures
    return cells


def rollup_total(company, measure, grain) -> tuple:
    """A measure's figures summed over the rollups of one grain."""
    return _figures(SalesRollup.objects.filter(company=company, measure=measure, grain=grain).aggregate(**SUMS))


def _zeros() -> list:
    return [D("0"), D("0"), D("0"), D("0"), 0]


def assert_rollups_agree_with_facts(company) -> None:
    """Per (measure, month) the month rollups sum to the facts, per (measure, day) the day rollups do,
    and the day rollups of a month sum to its month rollups."""
    facts_by = {Grain.DAY: defaultdict(_zeros), Grain.MONTH: defaultdict(_zeros)}
    for fact in SalesFact.objects.filter(company=company).values("measure", "date", *FIGURES):
        for grain, period in ((Grain.DAY, fact["date"]), (Grain.MONTH, fact["date"].replace(day=1))):
            bucket = facts_by[grain][(fact["measure"], period)]
            for i, f in enumerate(FIGURES):
                bucket[i] += fact[f]
    rolled_by = {Grain.DAY: defaultdict(_zeros), Grain.MONTH: defaultdict(_zeros)}
    days_by_month = defaultdict(_zeros)
    for row in SalesRollup.objects.filter(company=company).values("measure", "grain", "period", *FIGURES):
        buckets = [rolled_by[row["grain"]][(row["measure"], row["period"])]]
        if row["grain"] == Grain.DAY:
            buckets.append(days_by_month[(row["measure"], row["period"].replace(day=1))])
        for bucket in buckets:
            for i, f in enumerate(FIGURES):
                bucket[i] += row[f]

    def nonzero(sums: dict) -> dict:
        return {key: tuple(figures) for key, figures in sums.items() if any(figures)}

    assert nonzero(rolled_by[Grain.MONTH]) == nonzero(facts_by[Grain.MONTH])
    assert nonzero(rolled_by[Grain.DAY]) == nonzero(facts_by[Grain.DAY])
    assert nonzero(days_by_month) == nonzero(rolled_by[Grain.MONTH])
    assert_year_totals_agree_with_facts(company)
    assert_spans_agree_with_facts(company)


def assert_spans_agree_with_facts(company) -> None:
    """Each salesperson's span of each measure runs from the day of their first fact to that of their last."""
    facts = SalesFact.objects.filter(company=company).values("measure", "salesperson_id").annotate(first=Min("date"), last=Max("date"))
    spans = SellerSpan.objects.filter(company=company).values_list("measure", "salesperson_id", "first_date", "last_date")
    assert {(m, s): (first, last) for m, s, first, last in spans} == {
        (row["measure"], row["salesperson_id"]): (row["first"], row["last"]) for row in facts
    }


def assert_year_totals_agree_with_facts(company) -> None:
    """Each customer's and product's year totals are their facts summed, credit notes counted as invoiced."""
    summed = defaultdict(_zeros)
    for fact in SalesFact.objects.filter(company=company).values("measure", "date", "customer_id", "product_id", *FIGURES):
        measure = Measure.INVOICED if fact["measure"] == Measure.CREDITED else fact["measure"]
        for dimension in ("customer", "product"):
            if fact[f"{dimension}_id"]:
                bucket = summed[(measure, fact["date"].year, dimension, fact[f"{dimension}_id"])]
                for i, f in enumerate(FIGURES):
                    bucket[i] += fact[f]
    kept = {
        (row["measure"], row["year"], row["dimension"], row["member_id"]): tuple(row[f] for f in FIGURES)
        for row in YearTotal.objects.filter(company=company).values("measure", "year", "dimension", "member_id", *FIGURES)
    }
    assert {k: v for k, v in kept.items() if any(v)} == {k: tuple(v) for k, v in summed.items() if any(v)}


def snapshot(company) -> tuple[dict, dict]:
    return fact_sums(company), rollup_cells(company)


# --- 1. the goods story, refreshed after every step -------------------------------------------------


def test_goods_story_refreshed_after_every_step_equals_a_rebuild_and_the_documents(company, goods, chair, people):
    clerk, _ = people["warehouse"]
    accountant, accountant_membership = people["accountant"]
    manager, manager_membership = people["manager"]
    admin, admin_membership = people["admin"]
    customer = goods["customer"]
    steps = 0

    def step():
        nonlocal steps
        steps += 1
        reporting.refresh(company=company)
        assert_rollups_agree_with_facts(company)

    # Stock first: three chairs at 60.00 (no sales fact).
    goods["receive"]("3", "60")
    step()
    assert SalesFact.objects.filter(company=company).count() == 0

    # An order of 5 chairs at 100.00: ordered 5, 500.00 untaxed, at the standard cost 60.00 each.
    order = goods["order"]("5")
    step()
    assert total(company, Measure.ORDERED) == (D("5"), D("500.00"), D("300.00"), D("200.00"), 1)

    # 3 ship (created, picked, shipped: refreshed after each); only the shipment counts, at the order's price.
    first = fulfilment.delivery_create(
        order=order, actor=admin, membership=admin_membership, lines=[{"order_line": order.lines.get().pk, "quantity": D("3")}]
    )
    step()
    assert total(company, Measure.DELIVERED) == NOTHING
    fulfilment.delivery_pick(delivery=first, actor=clerk)
    step()
    first = fulfilment.delivery_ship(delivery=first, actor=clerk)
    step()
    assert total(company, Measure.DELIVERED) == (D("3"), D("300.00"), D("180.00"), D("120.00"), 1)

    # Four more arrive at 66.00 and the other 2 ship at 132.00.
    goods["receive"]("4", "66")
    step()
    second = fulfilment.delivery_create(order=order, actor=admin, membership=admin_membership)
    step()
    second = fulfilment.delivery_ship(delivery=second, actor=clerk)
    step()
    assert second.cost_amount == D("132.00")
    assert total(company, Measure.DELIVERED) == (D("5"), D("500.00"), D("312.00"), D("188.00"), 2)

    # One invoice per delivery: drafts count nothing, posted ones count as invoiced.
    draft_first = billing.invoice_from_order(order=order, actor=accountant, membership=accountant_membership, delivery=first)
    step()
    assert total(company, Measure.INVOICED) == NOTHING
    invoice_first = billing.invoice_post(invoice=draft_first, actor=accountant)
    step()
    draft_second = billing.invoice_from_order(order=order, actor=accountant, membership=accountant_membership, delivery=second)
    step()
    invoice_second = billing.invoice_post(invoice=draft_second, actor=accountant)
    step()
    assert (invoice_first.untaxed_amount, invoice_second.untaxed_amount) == (D("300.00"), D("200.00"))
    assert total(company, Measure.INVOICED) == (D("5"), D("500.00"), D("300.00"), D("200.00"), 2)

    # The customer refuses the second delivery: its facts are undone by new ones (two rows, summing to nothing),
    # and the credit note for its invoice counts as credited, negative.
    delivered_rows = SalesFact.objects.filter(company=company, source=Source.DELIVERY, source_id=second.pk).count()
    second, [refusal_note] = billing.delivery_refuse(delivery=second, actor=clerk, reason="wrong colour")
    step()
    assert SalesFact.objects.filter(company=company, source=Source.DELIVERY, source_id=second.pk).count() == delivered_rows + 1
    assert total(company, Measure.DELIVERED, source=Source.DELIVERY, source_id=second.pk) == NOTHING
    assert total(company, Measure.DELIVERED) == (D("3"), D("300.00"), D("180.00"), D("120.00"), 1)
    assert refusal_note.untaxed_amount == D("200.00")
    assert total(company, Measure.CREDITED) == (D("-2"), D("-200.00"), D("-120.00"), D("-80.00"), -1)

    # The first delivery arrives; one chair comes back (requested, approved, received: restocked at 60.00) and is credited.
    fulfilment.delivery_deliver(delivery=first, actor=clerk)
    step()
    request = fulfilment.return_create(
        company=company,
        actor=admin,
        membership=admin_membership,
        customer=customer,
        delivery=first,
        lines=[{"product": chair, "quantity": D("1"), "reason": "scratched"}],
    )
    step()
    fulfilment.return_approve(request=request, actor=manager, membership=manager_membership, reason="within 30 days")
    step()
    assert total(company, Measure.DELIVERED) == (D("3"), D("300.00"), D("180.00"), D("120.00"), 1)
    fulfilment.return_receive(request=request, actor=clerk, lines=[{"id": request.lines.get().pk, "outcome": "restock"}])
    step()
    # Goods back take quantity, value and cost off the delivered figures; the delivery still counts.
    assert total(company, Measure.DELIVERED, source=Source.RETURN) == (D("-1"), D("-100.00"), D("-60.00"), D("-40.00"), 0)
    request, [return_note] = billing.return_credit(request=request, actor=accountant)
    step()
    assert return_note.untaxed_amount == D("100.00")

    # The customer pays what is left of the first invoice: 363.00 - 121.00.
    invoice_first.refresh_from_db()
    assert invoice_first.amount_due == D("242.00")
    payment = billing.payment_create(
        company=company,
        actor=accountant,
        customer=customer,
        amount=D("242.00"),
        allocations=[{"invoice": invoice_first, "amount": D("242.00")}],
    )
    step()
    assert steps == 19

    # What every step added equals what a rebuild reads from scratch: per document line, and per rollup cell of both grains.
    incremental_facts, incremental_cells = snapshot(company)
    assert incremental_facts and incremental_cells
    assert {grain for (_m, grain, *_rest) in incremental_cells} == {Grain.DAY, Grain.MONTH}
    rebuilt = reporting.rebuild(company=company)
    assert rebuilt == SalesFact.objects.filter(company=company).count() > 0
    assert fact_sums(company) == incremental_facts
    assert rollup_cells(company) == incremental_cells
    assert_rollups_agree_with_facts(company)

    # The figures a user sees, each equal to its documents.
    order.refresh_from_db()
    lines = list(order.lines.all())
    ordered = total(company, Measure.ORDERED)
    assert ordered == (D("5"), D("500.00"), D("300.00"), D("200.00"), 1)
    assert (ordered[0], ordered[1]) == (sum(line.quantity for line in lines), order.untaxed_amount)

    shipped = sum(line.quantity for line in first.lines.all()) + sum(line.quantity for line in second.lines.all())
    refused = sum(line.quantity for line in second.lines.all())
    returned = sum(line.received_quantity for line in request.lines.all())
    assert (shipped, refused, returned) == (D("5"), D("2"), D("1"))
    delivered = total(company, Measure.DELIVERED)
    assert delivered[:4] == (D("2"), D("200.00"), D("120.00"), D("80.00"))
    assert delivered[0] == shipped - refused - returned
    # Counted once per delivery that stands (the refused one undone); a return is not a delivery undone.
    assert total(company, Measure.DELIVERED, source=Source.DELIVERY)[4] == 1
    assert total(company, Measure.DELIVERED, source=Source.RETURN)[4] == 0

    invoiced = total(company, Measure.INVOICED)
    assert invoiced == (D("5"), D("500.00"), D("300.00"), D("200.00"), 2)
    posted = Invoice.objects.filter(company=company, kind=Invoice.Kind.INVOICE, status__in=["posted", "paid"])
    assert invoiced[1] == sum(i.untaxed_amount for i in posted) and posted.count() == 2

    credited = total(company, Measure.CREDITED)
    assert credited == (D("-3"), D("-300.00"), D("-180.00"), D("-120.00"), -2)
    assert credited[1] == -(refusal_note.untaxed_amount + return_note.untaxed_amount)

    collected = total(company, Measure.COLLECTED)
    assert collected == (D("0"), D("242.00"), D("0.00"), D("242.00"), 1)
    assert collected[1] == payment.amount

    # The month's rollups show the same figures.
    for measure, expected in (
        (Measure.ORDERED, ordered),
        (Measure.DELIVERED, delivered),
        (Measure.INVOICED, invoiced),
        (Measure.CREDITED, credited),
        (Measure.COLLECTED, collected),
    ):
        assert rollup_total(company, measure, Grain.MONTH) == expected, measure
        assert rollup_total(company, measure, Grain.DAY) == expected, measure


# --- 2. and 3. an order cancelled or amended after a refresh -----------------------------------------


def test_cancelling_a_confirmed_order_adds_facts_that_take_its_figures_back_to_zero(company, goods, people):
    admin, _ = people["admin"]
    goods["receive"]("10", "60")
    order = goods["order"]("4")
    reporting.refresh(company=company)
    assert total(company, Measure.ORDERED) == (D("4"), D("400.00"), D("240.00"), D("160.00"), 1)
    first_fact = SalesFact.objects.get(company=company, source=Source.ORDER, source_id=order.pk)

    sales_services.order_cancel(order=order, actor=admin, reason="customer changed their mind")
    assert reporting.refresh(company=company) == 1

    # Append-only: the first fact is still there, unchanged, and a second one undoes it.
    facts = list(SalesFact.objects.filter(company=company, source=Source.ORDER, source_id=order.pk).order_by("id"))
    assert [f.pk for f in facts[:1]] == [first_fact.pk] and len(facts) == 2
    assert (facts[0].quantity, facts[0].revenue, facts[0].documents) == (D("4"), D("400.00"), 1)
    assert (facts[1].quantity, facts[1].revenue, facts[1].cost, facts[1].gross_profit, facts[1].documents) == (
        D("-4"),
        D("-400.00"),
        D("-240.00"),
        D("-160.00"),
        -1,
    )
    assert total(company, Measure.ORDERED) == NOTHING
    # The month's (and the day's) cell is still there, at zero.
    month = SalesRollup.objects.get(company=company, measure=Measure.ORDERED, grain=Grain.MONTH)
    assert month.period == order.date.replace(day=1)
    assert (month.quantity, month.revenue, month.cost, month.gross_profit, month.documents) == NOTHING
    day = SalesRollup.objects.get(company=company, measure=Measure.ORDERED, grain=Grain.DAY)
    assert (day.period, day.quantity, day.revenue, day.documents) == (order.date, D("0"), D("0.00"), 0)
    # A rebuild agrees: nothing ordered.
    reporting.rebuild(company=company)
    assert total(company, Measure.ORDERED) == NOTHING
    assert rollup_cells(company) == {}


def test_amending_a_confirmed_order_changes_ordered_figures_by_exactly_the_difference(company, goods, chair, people):
    admin, admin_membership = people["admin"]
    goods["receive"]("10", "60")
    order = goods["order"]("5")
    line = order.lines.get()
    reporting.refresh(company=company)
    assert total(company, Measure.ORDERED) == (D("5"), D("500.00"), D("300.00"), D("200.00"), 1)

    def amend(quantity: str):
        sales_services.order_amend(
            order=order, actor=admin, membership=admin_membership, lines=[{"id": line.pk, "product": chair, "quantity": D(quantity)}]
        )
        before = SalesFact.objects.filter(company=company).count()
        assert reporting.refresh(company=company) == 1
        assert SalesFact.objects.filter(company=company).count() == before + 1
        newest = SalesFact.objects.filter(company=company).latest("id")
        order.refresh_from_db()
        return newest

    more = amend("8")
    assert (more.source, more.source_id, more.source_line_id) == (Source.ORDER, order.pk, line.pk)
    assert (more.quantity, more.revenue, more.cost, more.gross_profit, more.documents) == (D("3"), D("300.00"), D("180.00"), D("120.00"), 0)
    assert total(company, Measure.ORDERED) == (D("8"), D("800.00"), D("480.00"), D("320.00"), 1)
    assert total(company, Measure.ORDERED)[1] == order.untaxed_amount

    fewer = amend("2")
    assert (fewer.quantity, fewer.revenue, fewer.cost, fewer.documents) == (D("-6"), D("-600.00"), D("-360.00"), 0)
    assert total(company, Measure.ORDERED) == (D("2"), D("200.00"), D("120.00"), D("80.00"), 1)
    assert total(company, Measure.ORDERED)[1] == order.untaxed_amount
    assert rollup_total(company, Measure.ORDERED, Grain.MONTH) == (D("2"), D("200.00"), D("120.00"), D("80.00"), 1)

    incremental = snapshot(company)
    reporting.rebuild(company=company)
    assert snapshot(company) == incremental


def test_a_chargeback_takes_the_collected_money_back_on_the_payments_date(company, goods, people):
    accountant, accountant_membership = people["accountant"]
    admin, admin_membership = people["admin"]
    goods["receive"]("2", "60")
    order = goods["order"]("2")
    delivery = fulfilment.delivery_ship(
        delivery=fulfilment.delivery_create(order=order, actor=admin, membership=admin_membership), actor=admin
    )
    invoice = billing.invoice_post(
        invoice=billing.invoice_from_order(order=order, actor=accountant, membership=accountant_membership, delivery=delivery),
        actor=accountant,
    )
    payment = billing.payment_create(
        company=company,
        actor=accountant,
        customer=goods["customer"],
        amount=D("242.00"),
        allocations=[{"invoice": invoice, "amount": D("242.00")}],
    )
    reporting.refresh(company=company)
    assert total(company, Measure.COLLECTED) == (D("0"), D("242.00"), D("0.00"), D("242.00"), 1)

    billing.payment_reverse(payment=payment, actor=accountant, reason="chargeback")
    assert reporting.refresh(company=company) == 1
    rows = list(SalesFact.objects.filter(company=company, source=Source.PAYMENT, source_id=payment.pk).order_by("id"))
    assert [(f.date, f.revenue, f.documents) for f in rows] == [(payment.date, D("242.00"), 1), (payment.date, D("-242.00"), -1)]
    assert total(company, Measure.COLLECTED) == NOTHING
    assert rollup_total(company, Measure.COLLECTED, Grain.MONTH) == NOTHING
    # The goods stay delivered and invoiced.
    assert total(company, Measure.INVOICED)[:2] == (D("2"), D("200.00"))
    assert total(company, Measure.DELIVERED)[:2] == (D("2"), D("200.00"))


# --- 4. a refresh reads each event once, and only its company's --------------------------------------


@pytest.fixture
def other_sell(other_company):
    """`other_sell(quantity)` confirms an order of company OTHER (base currency USD) for that many gadgets at 30.00."""
    admin = accounts_services.user_create(
        company=other_company,
        actor=None,
        username="other-admin",
        password="other-admin-pw-1234",
        full_name="Other",
        roles=[roles.ADMINISTRATOR],
    )
    membership = admin.memberships.get(company=other_company)
    tax = Tax.objects.create(company=other_company, name="Sales tax 5%", rate=D("5"))
    gadget = Product.objects.create(
        company=other_company,
        sku="G-1",
        name="Gadget",
        unit=Unit.objects.get(company=other_company, code="pc"),
        list_price=D("30.00"),
        cost=D("10"),
        tax=tax,
    )
    customer = customer_services.customer_create(
        company=other_company, actor=admin, membership=membership, values={"code": "O1", "name": "Other customer", "salesperson": admin}
    )

    def sell(quantity: str):
        order = sales_services.order_create(
            company=other_company,
            actor=admin,
            membership=membership,
            customer=customer,
            lines=[{"product": gadget, "quantity": D(quantity)}],
        )
        return sales_services.order_confirm(order=order, actor=admin, membership=membership)

    return sell


def test_refresh_is_idempotent_and_reads_only_its_own_companys_events(company, other_company, goods, other_sell):
    goods["receive"]("10", "60")
    other_first = other_sell("7")
    order = goods["order"]("2")
    assert other_first.status == "confirmed" and other_first.company_id == other_company.pk

    assert reporting.refresh(company=company) == 1
    before = snapshot(company), SalesFact.objects.count(), SalesRollup.objects.count()
    cursor = FactCursor.objects.get(company=company)
    assert cursor.last_event_id == DocumentEvent.objects.filter(company=company).latest("id").pk

    # A second refresh finds no new event: nothing is added, the cursor stays.
    assert reporting.refresh(company=company) == 0
    assert (snapshot(company), SalesFact.objects.count(), SalesRollup.objects.count()) == before
    assert FactCursor.objects.get(company=company).last_event_id == cursor.last_event_id

    # OTHER confirms another order: its events come after ACME's. ACME's refresh steps over them (the
    # cursor follows every company's event ids, to notice ids that commit late) and makes no facts of them.
    other_second = other_sell("3")
    newest_other = DocumentEvent.objects.filter(company=other_company).latest("id").pk
    assert newest_other > cursor.last_event_id
    assert reporting.refresh(company=company) == 0
    assert FactCursor.objects.get(company=company).last_event_id == newest_other
    assert set(SalesFact.objects.filter(company=company).values_list("source_id", flat=True)) == {order.pk}
    assert not SalesFact.objects.filter(company=other_company).exists()
    assert total(company, Measure.ORDERED) == (D("2"), D("200.00"), D("120.00"), D("80.00"), 1)

    # OTHER's refresh counts its two orders, in its own facts, and leaves ACME's as they were.
    assert reporting.refresh(company=other_company) == 2
    assert total(other_company, Measure.ORDERED) == (D("10"), D("300.00"), D("100.00"), D("200.00"), 2)
    assert total(other_company, Measure.ORDERED)[1] == other_first.untaxed_amount + other_second.untaxed_amount
    assert (snapshot(company), SalesFact.objects.filter(company=company).count()) == (before[0], before[1])
    assert reporting.refresh(company=company) == 0
    assert reporting.refresh(company=other_company) == 0


# --- 5. and 6. a generated company: rollups agree with facts, figures with documents -----------------


@pytest.fixture
def bench(db):
    return generate(scale=0.001, seed=3).company


def test_rollups_agree_with_facts_and_small_batches_give_what_a_rebuild_gives(bench, monkeypatch):
    # Small batches, so the cursor moves many times and documents are read again by later batches.
    monkeypatch.setattr(reporting, "BATCH_EVENTS", 37)
    added = reporting.refresh(company=bench)
    assert added > 0
    months = SalesRollup.objects.filter(company=bench, grain=Grain.MONTH).values("period").distinct().count()
    assert months >= 24  # two years of history
    assert_rollups_agree_with_facts(bench)
    for measure in Measure.values:
        assert rollup_total(bench, measure, Grain.MONTH) == total(bench, measure), measure
        assert rollup_total(bench, measure, Grain.DAY) == total(bench, measure), measure
    assert reporting.refresh(company=bench) == 0

    batched = snapshot(bench)
    monkeypatch.setattr(reporting, "BATCH_EVENTS", 5000)
    reporting.rebuild(company=bench)
    assert snapshot(bench) == batched
    assert_rollups_agree_with_facts(bench)


def test_a_generated_companys_figures_equal_its_documents(bench):
    assert bench.base_currency == "EUR"
    reporting.rebuild(company=bench)

    orders = SalesOrder.objects.filter(company=bench, status__in=["confirmed", "closed"])
    assert orders.count() > 0 and SalesOrder.objects.filter(company=bench, status="cancelled").exists()
    order_lines = SalesOrderLine.objects.filter(order__in=orders).aggregate(q=Sum("quantity"), r=Sum("amount"))
    ordered = total(bench, Measure.ORDERED)
    assert ordered[0] == order_lines["q"]
    assert ordered[1] == order_lines["r"] == orders.aggregate(s=Sum("untaxed_amount"))["s"]
    assert ordered[4] == orders.count()

    invoices = Invoice.objects.filter(company=bench, kind=Invoice.Kind.INVOICE, status__in=["posted", "paid"])
    assert invoices.count() > 0
    invoiced = total(bench, Measure.INVOICED)
    assert invoiced[1] == InvoiceLine.objects.filter(invoice__in=invoices).aggregate(s=Sum("amount"))["s"]
    assert invoiced[0] == InvoiceLine.objects.filter(invoice__in=invoices).aggregate(s=Sum("quantity"))["s"]
    assert invoiced[4] == invoices.count()
    notes = Invoice.objects.filter(company=bench, kind=Invoice.Kind.CREDIT_NOTE, status__in=["posted", "paid"])
    assert total(bench, Measure.CREDITED)[1] == -(notes.aggregate(s=Sum("untaxed_amount"))["s"] or D("0.00"))

    payments = Payment.objects.filter(company=bench, status=Payment.Status.POSTED)
    assert payments.count() > 0
    collected = total(bench, Measure.COLLECTED)
    assert collected[1] == payments.aggregate(s=Sum("amount"))["s"]
    assert collected[4] == payments.count()

    shipped = Delivery.objects.filter(company=bench, status__in=["shipped", "delivered"])
    delivered = total(bench, Measure.DELIVERED)
    assert delivered[0] == shipped.aggregate(s=Sum("lines__quantity"))["s"]
    assert delivered[2] == shipped.aggregate(s=Sum("lines__cost"))["s"]
    assert delivered[4] == shipped.count()
    # Every order was shipped whole or not at all: delivered revenue is the ordered value of the shipped lines.
    shipped_lines = SalesOrderLine.objects.filter(pk__in=shipped.values("lines__order_line"))
    assert delivered[1] == shipped_lines.aggregate(s=Sum("amount"))["s"]


# --- the cost of a refresh does not grow with the number of documents --------------------------------


def test_a_refresh_batch_takes_the_same_number_of_queries_for_one_sale_or_five(
    company, goods, chair, people, django_assert_max_num_queries
):
    accountant, accountant_membership = people["accountant"]
    admin, admin_membership = people["admin"]
    goods["receive"]("100", "60")
    reporting.refresh(company=company)  # the cursor and the content types exist from here on

    def sell(count: int) -> None:
        """`count` orders (of 1, 2, ... lines), each shipped, invoiced and paid."""
        for n in range(1, count + 1):
            made = sales_services.order_create(
                company=company,
                actor=admin,
                membership=admin_membership,
                customer=goods["customer"],
                lines=[{"product": chair, "quantity": D(n)} for _ in range(n)],
            )
            order = sales_services.order_confirm(order=made, actor=admin, membership=admin_membership)
            delivery = fulfilment.delivery_ship(
                delivery=fulfilment.delivery_create(order=order, actor=admin, membership=admin_membership), actor=admin
            )
            invoice = billing.invoice_post(
                invoice=billing.invoice_from_order(order=order, actor=accountant, membership=accountant_membership, delivery=delivery),
                actor=accountant,
            )
            billing.payment_create(
                company=company,
                actor=accountant,
                customer=goods["customer"],
                amount=invoice.total_amount,
                allocations=[{"invoice": invoice, "amount": invoice.total_amount}],
            )

    # Savepoint, cursor (2), new events, watched ids, teams; per kind of document: its rows, lines, customers,
    # products (order line values for deliveries), the facts it has; facts inserted, rollups, year totals and seller
    # spans upserted, the kept scopes listed (their totals upserted when there are some),
    # cursor moved, savepoint released.
    def watch_one_id() -> None:
        """One watched id, as PostgreSQL leaves after a rolled-back insert: its lookup is one query
        however many there are, and both runs pay it."""
        FactCursor.objects.filter(company=company).update(pending=[[10**12, timezone.now().isoformat()]])

    def refreshed() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            added = reporting.refresh(company=company)
        return added, len(queries)

    sell(1)
    watch_one_id()
    with django_assert_max_num_queries(REFRESH_QUERIES):
        one = refreshed()
    sell(5)
    watch_one_id()
    with django_assert_max_num_queries(REFRESH_QUERIES):
        five = refreshed()
    # 1 sale: 1 order line, delivery line, invoice line, payment; 5 sales: 15 of each line and 5 payments.
    assert (one[0], five[0]) == (4, 15 * 3 + 5)
    assert five[1] == one[1]
    assert total(company, Measure.ORDERED) == (D("56"), D("5600.00"), D("3360.00"), D("2240.00"), 6)
    assert total(company, Measure.COLLECTED)[1] == sum(p.amount for p in Payment.objects.filter(company=company)) == D("6776.00")
