"""Quote to order through the services, with exact figures, refusals that leave nothing behind, and approvals."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection

from salesdesk.catalog.models import Product, Tax
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.customers.selectors import customer_credit
from salesdesk.sales import selectors, services
from salesdesk.sales.errors import NotAllowedToApprove, PriceApprovalRequired, QuotationExpired
from salesdesk.sales.models import WORKED_ON, PriceApproval, Quotation, SalesOrder


@pytest.fixture
def setup(company, users, unit_pc, customer_of):
    tax10 = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    p10 = Product.objects.create(company=company, sku="P-10", name="Chair", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10)
    p20 = Product.objects.create(
        company=company, sku="P-20", name="Desk", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10, floor_price=D("9.00")
    )
    customer = customer_of("sales", "C001", email="buyer@example.com", credit_limit=D("1000"))
    membership = {u: users[u].memberships.get(company=company) for u in users}
    return {"p10": p10, "p20": p20, "customer": customer, "m": membership, "u": users, "company": company}


def _quote(s, *lines, actor="sales"):
    return services.quotation_create(
        company=s["company"],
        actor=s["u"][actor],
        membership=s["m"][actor],
        customer=s["customer"],
        lines=[
            {"product": p, "quantity": D(q), **({"unit_price": D(pr)} if pr else {}), **({"discount_percent": D(d)} if d else {})}
            for p, q, pr, d in lines
        ],
    )


def _order(s, who, lines, **values):
    """A draft order for the setup's customer, entered by `who`."""
    return services.order_create(
        company=s["company"], actor=s["u"][who], membership=s["m"][who], customer=s["customer"], lines=lines, **values
    )


def test_quotation_totals_are_exact(setup):
    q = _quote(setup, (setup["p10"], "2", None, None), (setup["p20"], "3", None, None))
    assert (q.untaxed_amount, q.tax_amount, q.total_amount) == (D("50.00"), D("5.00"), D("55.00"))
    assert q.number.startswith("QUO-") and q.status == "draft"
    assert q.lines.first().price_explanation[-1] == "list price 10.00 EUR applies"


def test_a_discounted_line_rounds_half_up(setup):
    q = _quote(setup, (setup["p10"], "3", "9.99", "15"))
    assert q.lines.get().amount == D("25.47")


def test_bad_lines_are_refused_and_nothing_is_saved(setup):
    with pytest.raises(Invalid) as exc:
        _quote(setup, (setup["p10"], "0", None, None), (setup["p20"], "1", None, "150"))
    assert exc.value.details["lines"][0] == {"quantity": ["Must be greater than zero."]}
    assert exc.value.details["lines"][1] == {"discount_percent": ["Must be between 0 and 100."]}
    assert Quotation.objects.count() == 0


def test_quote_to_order_with_a_price_approval(setup):
    s = setup
    q = _quote(s, (s["p10"], "2", None, None), (s["p20"], "3", "8.00", None))
    services.quotation_send(quotation=q, actor=s["u"]["sales"])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buyer@example.com"]
    services.quotation_accept(quotation=q, actor=s["u"]["sales"])
    order = services.quotation_convert(quotation=q, actor=s["u"]["sales"], membership=s["m"]["sales"])
    assert order.status == "draft" and order.total_amount == D("48.40")

    with pytest.raises(PriceApprovalRequired) as exc:
        services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    order.refresh_from_db()
    assert order.status == "pending_approval" and order.number == ""
    approval = PriceApproval.objects.get(pk=exc.value.details["price_approval"])
    assert [(line.floor_price, line.net_unit_price) for line in approval.lines.all()] == [(D("9.0000"), D("8.0000"))]

    with pytest.raises(NotAllowedToApprove):
        services.approval_approve(approval=approval, actor=s["u"]["sales"], membership=s["m"]["sales"])
    with pytest.raises(NotAllowedToApprove):  # another salesperson cannot approve either
        services.approval_approve(approval=approval, actor=s["u"]["sales3"], membership=s["m"]["sales3"])
    services.approval_approve(approval=approval, actor=s["u"]["manager"], membership=s["m"]["manager"], reason="key account")

    confirmed = services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    assert confirmed.status == "confirmed" and confirmed.number == f"SO-{confirmed.date.year}-00001"
    assert customer_credit(s["customer"]).open_orders == D("48.40")

    with pytest.raises(InvalidTransition):
        services.order_confirm(order=confirmed, actor=s["u"]["sales"], membership=s["m"]["sales"])
    assert NumberCounter.objects.get(company=s["company"], series="SO").last_value == 1


def test_a_changed_price_needs_a_new_approval(setup):
    s = setup
    order = _order(s, "sales", lines=[{"product": s["p20"], "quantity": D("1"), "unit_price": D("8.00")}])
    with pytest.raises(PriceApprovalRequired) as exc:
        services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    approval = PriceApproval.objects.get(pk=exc.value.details["price_approval"])
    services.approval_reject(approval=approval, actor=s["u"]["manager"], membership=s["m"]["manager"], reason="too low")
    order.refresh_from_db()
    assert order.status == "draft"
    services.order_update(
        order=order,
        actor=s["u"]["sales"],
        membership=s["m"]["sales"],
        values={},
        lines=[{"product": s["p20"], "quantity": D("1"), "unit_price": D("8.50")}],
    )
    with pytest.raises(PriceApprovalRequired):
        services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    assert PriceApproval.objects.filter(order=order, status="pending").count() == 1


def test_a_manager_may_go_ten_percent_below_the_floor(setup):
    s = setup
    order = _order(s, "manager", lines=[{"product": s["p20"], "quantity": D("1"), "unit_price": D("8.10")}])
    assert services.order_confirm(order=order, actor=s["u"]["manager"], membership=s["m"]["manager"]).status == "confirmed"


def test_cancel_gives_back_open_orders(setup):
    s = setup
    order = _order(s, "sales", lines=[{"product": s["p10"], "quantity": D("1")}])
    services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    services.order_cancel(order=order, actor=s["u"]["sales"], reason="customer changed mind")
    order.refresh_from_db()
    assert order.status == "cancelled" and customer_credit(s["customer"]).open_orders == D("0.00")


def test_amend_keeps_a_revision_and_reprices(setup):
    s = setup
    order = _order(s, "sales", lines=[{"product": s["p10"], "quantity": D("1")}])
    services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    line = order.lines.get()
    services.order_amend(
        order=order,
        actor=s["u"]["sales"],
        membership=s["m"]["sales"],
        lines=[{"id": line.pk, "product": s["p10"], "quantity": D("4")}, {"product": s["p20"], "quantity": D("1")}],
        reason="more chairs",
    )
    order.refresh_from_db()
    assert order.revision == 1 and order.total_amount == D("55.00")
    assert order.revisions.get().snapshot["totals"]["total"] == "11.00"
    assert customer_credit(s["customer"]).open_orders == D("55.00")
    with pytest.raises(PriceApprovalRequired):
        services.order_amend(
            order=order,
            actor=s["u"]["sales"],
            membership=s["m"]["sales"],
            lines=[{"product": s["p20"], "quantity": D("1"), "unit_price": D("1")}],
        )
    order.refresh_from_db()
    assert order.revision == 1 and order.lines.count() == 2


def test_accepting_after_validity_expires_the_quotation(setup):
    s = setup
    q = _quote(s, (s["p10"], "1", None, None))
    Quotation.objects.filter(pk=q.pk).update(valid_until=q.date - timedelta(days=1), date=q.date - timedelta(days=40))
    services.quotation_send(quotation=q, actor=s["u"]["sales"])
    with pytest.raises(QuotationExpired):
        services.quotation_accept(quotation=q, actor=s["u"]["sales"])
    q.refresh_from_db()
    assert q.status == "expired"


def test_revise_keeps_the_previous_revision_linked(setup):
    s = setup
    q = _quote(s, (s["p10"], "1", None, None))
    services.quotation_send(quotation=q, actor=s["u"]["sales"])
    r2 = services.quotation_revise(quotation=q, actor=s["u"]["sales"])
    assert (r2.number, r2.revision, r2.previous_id, r2.status) == (q.number, 2, q.pk, "draft")
    assert r2.lines.count() == 1


def test_contract_price_applies_and_is_consumed(setup):
    s = setup
    from datetime import date

    contract = services.contract_create(
        company=s["company"],
        actor=s["u"]["manager"],
        customer=s["customer"],
        valid_from=date(2020, 1, 1),
        valid_to=date(2099, 12, 31),
        items=[{"product": s["p10"], "price": "7.50", "quantity": "10"}],
    )
    services.contract_activate(contract=contract, actor=s["u"]["manager"])
    order = _order(s, "sales", lines=[{"product": s["p10"], "quantity": D("4")}])
    assert order.contract_id == contract.pk and order.lines.get().unit_price == D("7.5000")
    services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    assert contract.items.get().consumed_quantity == D("4")
    big = _order(s, "sales", lines=[{"product": s["p10"], "quantity": D("7")}])
    assert big.lines.get().unit_price == D("10.0000")  # beyond what remains: the price list applies
    assert SalesOrder.objects.count() == 2


def test_selling_at_the_price_list_price_never_needs_approval(setup):
    from salesdesk.catalog.models import Currency, PriceList, PriceListItem

    s = setup
    deal = PriceList.objects.create(company=s["company"], name="Deal", currency=Currency.objects.get(company=s["company"], code="EUR"))
    PriceListItem.objects.create(
        company=s["company"], price_list=deal, product=s["p20"], price=D("8.00")
    )  # below the product floor of 9.00
    order = _order(s, "sales", price_list=deal, lines=[{"product": s["p20"], "quantity": D("1")}])
    assert services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"]).status == "confirmed"


def test_an_approved_line_left_as_it_was_survives_an_amendment(setup):
    s = setup
    order = _order(s, "sales", lines=[{"product": s["p20"], "quantity": D("1"), "unit_price": D("8.00")}])
    with pytest.raises(PriceApprovalRequired) as exc:
        services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    services.approval_approve(
        approval=PriceApproval.objects.get(pk=exc.value.details["price_approval"]), actor=s["u"]["manager"], membership=s["m"]["manager"]
    )
    services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    line = order.lines.get()
    services.order_amend(
        order=order,
        actor=s["u"]["sales"],
        membership=s["m"]["sales"],
        reason="add chairs",
        lines=[
            {"id": line.pk, "product": s["p20"], "quantity": D("1"), "unit_price": D("8.00")},
            {"product": s["p10"], "quantity": D("2")},
        ],
    )
    order.refresh_from_db()
    assert order.revision == 1 and order.lines.count() == 2


def test_a_refused_request_keeps_its_lines_after_the_order_is_edited(setup):
    s = setup
    order = _order(s, "sales", lines=[{"product": s["p20"], "quantity": D("1"), "unit_price": D("8.00")}])
    with pytest.raises(PriceApprovalRequired) as exc:
        services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])
    approval = PriceApproval.objects.get(pk=exc.value.details["price_approval"])
    services.approval_reject(approval=approval, actor=s["u"]["manager"], membership=s["m"]["manager"], reason="too low")
    services.order_update(
        order=order, actor=s["u"]["sales"], membership=s["m"]["sales"], values={}, lines=[{"product": s["p20"], "quantity": D("1")}]
    )
    assert [(line.unit_price, line.floor_price) for line in approval.lines.all()] == [(D("8.0000"), D("9.0000"))]


def test_revising_a_draft_is_an_invalid_transition(setup):
    q = _quote(setup, (setup["p10"], "1", None, None))
    with pytest.raises(InvalidTransition):
        services.quotation_revise(quotation=q, actor=setup["u"]["sales"])
    assert Quotation.objects.count() == 1


def test_an_order_can_only_come_from_an_accepted_quotation_of_its_customer(setup):
    s = setup
    q = _quote(s, (s["p10"], "1", None, None))
    with pytest.raises(Invalid) as exc:
        _order(s, "sales", quotation=q, lines=[{"product": s["p10"], "quantity": D("1")}])
    assert "quotation" in exc.value.details
    assert SalesOrder.objects.count() == 0


def test_the_price_preview_shows_the_floor_that_confirmation_checks(setup):
    from datetime import date

    from salesdesk.sales.selectors import price_preview

    s = setup
    preview = price_preview(company=s["company"], customer=s["customer"], product=s["p20"], quantity=D("1"), on=date.today())
    assert (preview.unit_price, preview.floor_price) == (D("10.0000"), D("9.0000"))
    assert preview.explanation[-1] == "list price 10.00 EUR applies"


def test_a_draft_order_can_be_deleted_but_a_confirmed_one_only_cancelled(setup, api_as):
    s = setup
    draft = _order(s, "sales", lines=[{"product": s["p10"], "quantity": D("1")}])
    confirmed = _order(s, "sales", lines=[{"product": s["p10"], "quantity": D("1")}])
    services.order_confirm(order=confirmed, actor=s["u"]["sales"], membership=s["m"]["sales"])
    assert api_as("sales").delete(f"/api/v1/sales-orders/{draft.pk}/").status_code == 204
    refused = api_as("sales").delete(f"/api/v1/sales-orders/{confirmed.pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    assert list(SalesOrder.objects.values_list("pk", flat=True)) == [confirmed.pk]


def test_the_orders_worked_on_in_sql_are_those_of_the_model_condition(setup):
    """`selectors.orders_worked_on` spells `WORKED_ON` out as literal SQL (for SQLite's partial index):
    for every status and progress state, both pick the same orders."""
    order = _order(setup, "sales", [{"product": setup["p10"], "quantity": D("1")}])
    orders = SalesOrder.objects.filter(pk=order.pk)
    states = ["none", "partial", "delivered", "invoiced"]
    for status in SalesOrder.Status.values:
        for delivery_state in states:
            for invoice_state in states:
                orders.update(status=status, delivery_state=delivery_state, invoice_state=invoice_state)
                by_model = orders.filter(WORKED_ON).exists()
                assert selectors.orders_worked_on(orders).exists() == by_model, (status, delivery_state, invoice_state)
                expected = status in ("draft", "pending_approval", "credit_hold") or (
                    status == "confirmed" and not (delivery_state == "delivered" and invoice_state == "invoiced")
                )
                assert by_model == expected


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_the_orders_worked_on_are_read_from_their_partial_index_with_the_query_parameters_bound(setup):
    company = setup["company"]
    for orders in (SalesOrder.objects.filter(company=company), SalesOrder.objects.filter(company=company, salesperson__in=[1, 2])):
        sql, params = selectors.orders_worked_on(orders).order_by().values("status", "open_amount").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(step[3]) for step in cursor.fetchall())
        assert "COVERING INDEX salesorder_worked_on_idx" in plan, plan
