"""Returns at the service level: requested for goods the customer has (409 `over_return` beyond
that), decided only by a sales manager or an administrator, received line by line with each
outcome's exact stock and ledger effects (409 `over_receipt` beyond what was approved), a
replacement delivery drafted for replaced goods, and the credit at the price invoiced."""

from decimal import Decimal as D

import pytest

from salesdesk.billing import services as billing
from salesdesk.billing.errors import OverCredit
from salesdesk.billing.models import Invoice
from salesdesk.catalog.models import Product
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.models import NumberCounter
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.errors import NotAllowedToApproveReturn, OverReceipt, OverReturn
from salesdesk.fulfilment.models import Delivery, ReturnLine, ReturnRequest
from salesdesk.inventory import selectors as stock_selectors
from salesdesk.inventory.models import Reservation, StockLevel, StockMove
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import Account, AccountBalance, JournalEntry
from salesdesk.sales import services as sales_services

ROLE = Account.Role


def balance(company, role) -> D:
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0.00")


def snapshot(company) -> dict:
    return {
        "returns": sorted(ReturnRequest.objects.filter(company=company).values_list("pk", "status", "decided_by_id", "journal_entry_id")),
        "lines": sorted(
            ReturnLine.objects.filter(company=company).values_list(
                "pk", "quantity", "received_quantity", "outcome", "cost", "credited_quantity"
            )
        ),
        "deliveries": Delivery.objects.filter(company=company).count(),
        "moves": StockMove.objects.filter(company=company).count(),
        "levels": sorted(StockLevel.objects.filter(company=company).values_list("product_id", "on_hand", "reserved", "value")),
        "entries": JournalEntry.objects.filter(company=company).count(),
        "invoices": Invoice.objects.filter(company=company).count(),
        "counters": sorted(NumberCounter.objects.filter(company=company).values_list("series", "last_value")),
    }


@pytest.fixture
def admin(goods):
    return goods["admin"]


@pytest.fixture
def shipped(company, goods, chair, admin):
    """3 chairs ordered at 90.00 (list 100.00), shipped from 5 in stock at 60, invoiced on delivery (326.70)."""
    goods["receive"]("5", "60")
    order = sales_services.order_create(
        company=company,
        actor=admin,
        membership=goods["membership"],
        customer=goods["customer"],
        lines=[{"product": chair, "quantity": D("3"), "unit_price": D("90.00")}],
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=goods["membership"])
    delivery = fulfilment.delivery_create(order=order, actor=admin, membership=goods["membership"])
    delivery = fulfilment.delivery_ship(delivery=delivery, actor=admin)
    return {"order": order, "delivery": delivery}


@pytest.fixture
def invoiced(shipped, goods, admin):
    draft = billing.invoice_from_order(order=shipped["order"], actor=admin, membership=goods["membership"], delivery=shipped["delivery"])
    invoice = billing.invoice_post(invoice=draft, actor=admin)
    assert invoice.total_amount == D("326.70")
    return {**shipped, "invoice": invoice}


@pytest.fixture
def ask(company, goods, chair, admin):
    """`ask(quantity, **references)`: a return request for chairs made by the administrator."""

    def create(quantity, product=None, membership=None, actor=None, **references):
        return fulfilment.return_create(
            company=company,
            actor=actor or admin,
            membership=membership or goods["membership"],
            customer=references.pop("customer", goods["customer"]),
            lines=[{"product": product or chair, "quantity": D(quantity), "reason": "scratched"}],
            **references,
        )

    return create


@pytest.fixture
def member(company, users):
    return lambda username: users[username].memberships.get(company=company)


def approve(request, admin, goods):
    return fulfilment.return_approve(request=request, actor=admin, membership=goods["membership"])


def receive(request, admin, outcome, quantity=None):
    line = request.lines.get()
    raw = {"id": line.pk, "outcome": outcome}
    if quantity is not None:
        raw["quantity"] = D(quantity)
    return fulfilment.return_receive(request=request, actor=admin, lines=[raw])


# --- Requesting ------------------------------------------------------------------------------------------------


def test_a_return_with_a_delivery_takes_its_order_and_warehouse(company, shipped, ask, warehouse):
    request = ask("2", delivery=shipped["delivery"])
    assert (request.status, request.delivery, request.sales_order, request.warehouse) == (
        "requested",
        shipped["delivery"],
        shipped["order"],
        warehouse,
    )
    assert request.number.startswith("RMA-")
    assert list(request.lines.values_list("quantity", "reason")) == [(D("2"), "scratched")]


def test_a_return_with_an_invoice_or_an_order_or_no_reference_at_all(shipped, invoiced, ask):
    by_invoice = ask("1", invoice=invoiced["invoice"])
    assert (by_invoice.invoice, by_invoice.sales_order) == (invoiced["invoice"], shipped["order"])
    by_order = ask("1", sales_order=shipped["order"])
    assert (by_order.sales_order, by_order.delivery) == (shipped["order"], None)
    bulk = ask("1")
    assert (bulk.sales_order, bulk.delivery, bulk.invoice) == (None, None, None)


@pytest.mark.parametrize("reference", ["delivery", "sales_order", "none"])
def test_returning_more_than_was_delivered_is_refused_and_nothing_is_saved(company, shipped, ask, reference):
    references = {"delivery": {"delivery": shipped["delivery"]}, "sales_order": {"sales_order": shipped["order"]}, "none": {}}[reference]
    before = snapshot(company)
    with pytest.raises(OverReturn) as refused:
        ask("4", **references)
    assert refused.value.code == "over_return" and refused.value.status == 409
    assert D(refused.value.details["returnable"]) == D("3")
    assert snapshot(company) == before


def test_what_other_returns_already_ask_for_is_not_returnable_again_but_a_rejected_return_frees_it(company, goods, shipped, ask, admin):
    first = ask("2", delivery=shipped["delivery"])
    before = snapshot(company)
    with pytest.raises(OverReturn):
        ask("2", delivery=shipped["delivery"])
    with pytest.raises(OverReturn):
        ask("2")  # without references the same goods are counted
    assert snapshot(company) == before
    fulfilment.return_reject(request=first, actor=admin, membership=goods["membership"], reason="outside the return window")
    assert ask("3", delivery=shipped["delivery"]).status == "requested"


def test_goods_refused_at_the_door_cannot_be_returned(company, shipped, ask, admin):
    billing.delivery_refuse(delivery=shipped["delivery"], actor=admin, reason="damaged")
    before = snapshot(company)
    with pytest.raises(OverReturn):
        ask("1")
    assert snapshot(company) == before


def test_a_product_the_referenced_document_does_not_have_is_refused(company, unit_pc, shipped, ask):
    stool = Product.objects.create(company=company, sku="ST", name="Stool", unit=unit_pc, list_price=D("20"), cost=D("8"))
    service = Product.objects.create(company=company, sku="SV", name="Fitting", unit=unit_pc, list_price=D("20"), kind=Product.Kind.SERVICE)
    before = snapshot(company)
    for product, references in [(stool, {"delivery": shipped["delivery"]}), (stool, {"sales_order": shipped["order"]}), (service, {})]:
        with pytest.raises(Invalid) as refused:
            ask("1", product=product, **references)
        assert "product" in refused.value.details["lines"][0]
    assert snapshot(company) == before


@pytest.mark.parametrize("quantity", ["0", "-1", "0.00001"])
def test_a_bad_quantity_is_refused_and_nothing_is_saved(company, shipped, ask, quantity):
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        ask(quantity, delivery=shipped["delivery"])
    assert "quantity" in refused.value.details["lines"][0]
    assert snapshot(company) == before


def test_references_of_another_customer_or_an_unshipped_delivery_are_refused(company, goods, customer_of, shipped, ask, admin):
    stranger = customer_of("sales", "STR", status="active")
    draft = fulfilment.delivery_create(order=goods["order"]("1"), actor=admin, membership=goods["membership"])
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        ask("1", customer=stranger, delivery=shipped["delivery"])
    assert "delivery" in refused.value.details
    with pytest.raises(Invalid) as refused:
        ask("1", customer=stranger, sales_order=shipped["order"])
    assert "sales_order" in refused.value.details
    with pytest.raises(Invalid) as refused:
        ask("1", delivery=draft)
    assert "delivery" in refused.value.details
    assert snapshot(company) == before


def test_a_salesperson_asks_for_returns_of_their_own_customers_only(company, users, member, shipped, ask):
    own = ask("1", delivery=shipped["delivery"], actor=users["sales"], membership=member("sales"))
    assert own.created_by == users["sales"]
    with pytest.raises(Invalid) as refused:
        ask("1", delivery=shipped["delivery"], actor=users["sales3"], membership=member("sales3"))
    assert "customer" in refused.value.details
    assert ReturnRequest.objects.count() == 1


# --- Deciding ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_a_sales_manager_or_an_administrator_approves(users, member, shipped, ask, who):
    request = fulfilment.return_approve(
        request=ask("1", delivery=shipped["delivery"]), actor=users[who], membership=member(who), reason="ok"
    )
    assert (request.status, request.decided_by, request.decision_reason) == ("approved", users[who], "ok")
    assert request.decided_at is not None


@pytest.mark.parametrize("who", ["sales", "sales2", "warehouse", "accountant"])
def test_anyone_else_is_refused_with_403_and_nothing_changes(company, users, member, shipped, ask, who):
    request = ask("1", delivery=shipped["delivery"])
    before = snapshot(company)
    for decide in (
        lambda: fulfilment.return_approve(request=request, actor=users[who], membership=member(who)),
        lambda: fulfilment.return_reject(request=request, actor=users[who], membership=member(who), reason="no"),
    ):
        with pytest.raises(NotAllowedToApproveReturn) as refused:
            decide()
        assert refused.value.code == "not_allowed_to_approve" and refused.value.status == 403
    assert snapshot(company) == before


def test_a_rejection_needs_a_reason_and_may_follow_an_approval(company, users, member, shipped, ask):
    request = ask("1", delivery=shipped["delivery"])
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        fulfilment.return_reject(request=request, actor=users["manager"], membership=member("manager"), reason="  ")
    assert "reason" in refused.value.details
    assert snapshot(company) == before
    fulfilment.return_approve(request=request, actor=users["manager"], membership=member("manager"))
    rejected = fulfilment.return_reject(request=request, actor=users["manager"], membership=member("manager"), reason="not ours")
    assert (rejected.status, rejected.decision_reason) == ("rejected", "not ours")


def test_deciding_twice_or_after_receipt_is_an_invalid_transition_and_changes_nothing(company, goods, shipped, ask, admin):
    request = approve(ask("1", delivery=shipped["delivery"]), admin, goods)
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        approve(request, admin, goods)
    assert snapshot(company) == before
    receive(request, admin, "restock")
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        fulfilment.return_reject(request=request, actor=admin, membership=goods["membership"], reason="late")
    with pytest.raises(InvalidTransition):
        receive(request, admin, "restock")
    assert snapshot(company) == before


def test_goods_of_a_request_not_yet_approved_or_rejected_cannot_be_received(company, goods, shipped, ask, admin):
    request = ask("1", delivery=shipped["delivery"])
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        receive(request, admin, "restock")
    fulfilment.return_reject(request=request, actor=admin, membership=goods["membership"], reason="no")
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        receive(request, admin, "restock")
    assert snapshot(company) == before


# --- Receiving ------------------------------------------------------------------------------------------------------


def test_restocked_goods_come_back_at_the_cost_they_left_at_and_reverse_cost_of_goods_sold(company, goods, chair, shipped, ask, admin):
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("120.00"), D("180.00"))
    goods["receive"]("1", "90")  # the average moves to 70.00; the return still comes back at 60.00
    request = receive(approve(ask("2", delivery=shipped["delivery"]), admin, goods), admin, "restock")
    assert request.status == "received" and request.received_at is not None
    line = request.lines.get()
    assert (line.received_quantity, line.outcome, line.cost) == (D("2"), "restock", D("120.00"))
    assert StockLevel.objects.values_list("on_hand", "value").get(product=chair) == (D("5"), D("330.00"))
    move = StockMove.objects.filter(kind="return").get()
    assert (move.quantity, move.value, move.reference) == (D("2"), D("120.00"), request.number)
    assert sorted((x.account.role, x.debit, x.credit) for x in request.journal_entry.lines.select_related("account")) == [
        (ROLE.COST_OF_GOODS_SOLD, D("0.00"), D("120.00")),
        (ROLE.INVENTORY, D("120.00"), D("0.00")),
    ]
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD)) == (D("330.00"), D("60.00"))
    assert stock_selectors.level_mismatches(company) == []


def test_restocked_goods_go_to_an_order_waiting_for_them(company, goods, chair, shipped, ask, admin):
    waiting = goods["order"]("3")  # 2 free in stock: 1 waits
    assert list(Reservation.objects.filter(order_line_id=waiting.lines.get().pk).values_list("reserved", flat=True)) == [D("2")]
    receive(approve(ask("1", delivery=shipped["delivery"]), admin, goods), admin, "restock")
    assert list(Reservation.objects.filter(order_line_id=waiting.lines.get().pk).values_list("reserved", flat=True)) == [D("3")]


@pytest.mark.parametrize("outcome", ["scrap", "replace"])
def test_scrapped_or_replaced_goods_come_in_and_are_written_off_at_once(company, goods, chair, shipped, ask, admin, outcome):
    waiting = goods["order"]("3")  # 2 in stock are promised and 1 waits: the scrapped goods must not go to it
    request = receive(approve(ask("1", delivery=shipped["delivery"]), admin, goods), admin, outcome)
    line = request.lines.get()
    assert (line.received_quantity, line.outcome, line.cost) == (D("1"), outcome, D("60.00"))
    assert list(StockMove.objects.filter(reference=request.number).order_by("id").values_list("kind", "quantity", "value")) == [
        ("return", D("1"), D("60.00")),
        ("scrap", D("-1"), D("-60.00")),
    ]
    assert StockLevel.objects.values_list("on_hand", "reserved", "value").get(product=chair) == (D("2"), D("2"), D("120.00"))
    assert list(Reservation.objects.filter(order_line_id=waiting.lines.get().pk).values_list("wanted", "reserved")) == [(D("3"), D("2"))]
    assert sorted((x.account.role, x.debit, x.credit) for x in request.journal_entry.lines.select_related("account")) == [
        (ROLE.COST_OF_GOODS_SOLD, D("0.00"), D("60.00")),
        (ROLE.STOCK_ADJUSTMENT, D("60.00"), D("0.00")),
    ]
    assert (balance(company, ROLE.INVENTORY), balance(company, ROLE.COST_OF_GOODS_SOLD), balance(company, ROLE.STOCK_ADJUSTMENT)) == (
        D("120.00"),
        D("120.00"),
        D("60.00"),
    )
    assert stock_selectors.level_mismatches(company) == []


def test_a_replace_outcome_drafts_a_replacement_delivery_that_ships_from_free_stock(company, goods, chair, shipped, ask, admin):
    request = receive(approve(ask("2", delivery=shipped["delivery"]), admin, goods), admin, "replace", quantity="2")
    [replacement] = request.replacements.all()
    assert (replacement.status, replacement.sales_order, replacement.customer, replacement.shipping_address) == (
        "draft",
        None,
        goods["customer"],
        "1 Dock Road",
    )
    assert list(replacement.lines.values_list("product", "quantity", "order_line")) == [(chair.pk, D("2"), None)]
    shipped_again = fulfilment.delivery_ship(delivery=replacement, actor=admin)
    assert shipped_again.cost_amount == D("120.00")
    assert StockLevel.objects.values_list("on_hand", "value").get(product=chair) == (D("0"), D("0.00"))
    # 180 shipped, 120 scrapped back, 120 replaced: the books say the same.
    assert (balance(company, ROLE.COST_OF_GOODS_SOLD), balance(company, ROLE.INVENTORY)) == (D("180.00"), D("0.00"))


def test_repaired_goods_change_neither_stock_nor_the_ledger(company, goods, chair, shipped, ask, admin):
    request = approve(ask("1", delivery=shipped["delivery"]), admin, goods)
    moves, entries = StockMove.objects.count(), JournalEntry.objects.count()
    request = receive(request, admin, "repair")
    assert (request.status, request.journal_entry, request.lines.get().cost) == ("received", None, D("0.00"))
    assert (StockMove.objects.count(), JournalEntry.objects.count()) == (moves, entries)
    assert not request.replacements.exists()


def test_receiving_part_of_the_goods_books_only_what_came(company, goods, chair, shipped, ask, admin):
    request = receive(approve(ask("3", delivery=shipped["delivery"]), admin, goods), admin, "restock", quantity="1")
    assert request.lines.values_list("quantity", "received_quantity", "cost").get() == (D("3"), D("1"), D("60.00"))
    assert StockLevel.objects.values_list("on_hand", "value").get(product=chair) == (D("3"), D("180.00"))


def test_receiving_more_than_was_approved_is_refused_and_nothing_is_saved(company, goods, shipped, ask, admin):
    request = approve(ask("2", delivery=shipped["delivery"]), admin, goods)
    before = snapshot(company)
    with pytest.raises(OverReceipt) as refused:
        receive(request, admin, "restock", quantity="2.5")
    assert refused.value.code == "over_receipt" and refused.value.status == 409
    assert snapshot(company) == before
    assert ReturnRequest.objects.get(pk=request.pk).status == "approved"


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [{"outcome": "restock"}],
        [{"id": "line", "outcome": "melt"}],
        [{"id": "line", "outcome": "restock", "quantity": "-1"}],
        [{"id": 999999, "outcome": "restock"}],
        "restock",
    ],
)
def test_bad_receipts_are_refused_and_nothing_is_saved(company, goods, shipped, ask, admin, lines):
    request = approve(ask("2", delivery=shipped["delivery"]), admin, goods)
    if isinstance(lines, list):
        lines = [{**raw, "id": request.lines.get().pk} if raw.get("id") == "line" else raw for raw in lines]
    before = snapshot(company)
    with pytest.raises(Invalid) as refused:
        fulfilment.return_receive(request=request, actor=admin, lines=lines)
    assert "lines" in refused.value.details
    assert snapshot(company) == before


# --- Crediting ------------------------------------------------------------------------------------------------------


def test_the_credit_is_at_the_invoiced_price_not_the_list_price(company, goods, invoiced, ask, admin):
    request = receive(approve(ask("2", delivery=invoiced["delivery"]), admin, goods), admin, "restock")
    receivable = balance(company, ROLE.RECEIVABLE)
    request, [note] = billing.return_credit(request=request, actor=admin)
    assert request.status == "credited"
    assert (note.kind, note.status, note.return_request, note.original_invoice) == ("credit_note", "paid", request, invoiced["invoice"])
    assert (note.untaxed_amount, note.tax_amount, note.total_amount) == (D("180.00"), D("37.80"), D("217.80"))
    assert list(note.lines.values_list("quantity", "unit_price")) == [(D("2"), D("90.0000"))]
    assert request.lines.get().credited_quantity == D("2")
    invoice = Invoice.objects.get(pk=invoiced["invoice"].pk)
    assert invoice.amount_due == D("108.90")
    assert balance(company, ROLE.RECEIVABLE) == receivable - D("217.80")
    tb = ledger_selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit


def test_a_scrapped_line_is_credited_too(company, goods, invoiced, ask, admin):
    request = receive(approve(ask("1", invoice=invoiced["invoice"]), admin, goods), admin, "scrap")
    _, [note] = billing.return_credit(request=request, actor=admin)
    assert note.total_amount == D("108.90")


def test_a_credit_is_refused_when_nothing_was_invoiced_and_nothing_is_saved(company, goods, shipped, ask, admin):
    request = receive(approve(ask("1", delivery=shipped["delivery"]), admin, goods), admin, "restock")
    before = snapshot(company)
    with pytest.raises(OverCredit) as refused:
        billing.return_credit(request=request, actor=admin)
    assert refused.value.code == "over_credit"
    assert snapshot(company) == before
    assert ReturnRequest.objects.get(pk=request.pk).status == "received"


@pytest.mark.parametrize("outcome", ["repair", "replace"])
def test_goods_the_customer_gets_back_are_not_credited(company, goods, invoiced, ask, admin, outcome):
    request = receive(approve(ask("1", delivery=invoiced["delivery"]), admin, goods), admin, outcome)
    before = snapshot(company)
    with pytest.raises(OverCredit):
        billing.return_credit(request=request, actor=admin)
    assert snapshot(company) == before


def test_crediting_before_receipt_or_twice_is_an_invalid_transition(company, goods, invoiced, ask, admin):
    request = approve(ask("1", delivery=invoiced["delivery"]), admin, goods)
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        billing.return_credit(request=request, actor=admin)
    assert snapshot(company) == before
    receive(request, admin, "restock")
    billing.return_credit(request=request, actor=admin)
    before = snapshot(company)
    with pytest.raises(InvalidTransition):
        billing.return_credit(request=request, actor=admin)
    assert snapshot(company) == before


def test_goods_returned_in_several_returns_come_back_at_exactly_what_they_left_at(company, goods, chair, ask, admin):
    goods["receive"]("3", "60.3333")  # 181.00
    order = goods["order"]("2")
    delivery = fulfilment.delivery_ship(
        delivery=fulfilment.delivery_create(order=order, actor=admin, membership=goods["membership"]), actor=admin
    )
    assert delivery.cost_amount == D("120.67")
    for _ in range(2):
        receive(approve(ask("1", delivery=delivery), admin, goods), admin, "restock")
    assert sorted(ReturnLine.objects.values_list("cost", flat=True)) == [D("60.33"), D("60.34")]
    assert balance(company, ROLE.COST_OF_GOODS_SOLD) == D("0.00")
    assert StockLevel.objects.values_list("on_hand", "value").get(product=chair) == (D("3"), D("181.00"))
