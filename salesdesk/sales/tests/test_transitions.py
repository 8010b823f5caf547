"""Every status move of quotations, orders, price approvals and contracts, through the services.

Each allowed move is checked for its new status and for the document event (from, to, actor)
it writes. Each refused move (a status pair not in the model's `TRANSITIONS` that a service
can attempt) must answer `invalid_transition` and leave everything as it was: the document's
row, the event and audit logs, the number counters, the mail box and the customer's credit.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from salesdesk.catalog.models import Product, Tax
from salesdesk.core.errors import InvalidTransition
from salesdesk.core.models import AuditEntry, DocumentEvent, NumberCounter
from salesdesk.core.workflow import events_for
from salesdesk.customers.selectors import customer_credit
from salesdesk.sales import services
from salesdesk.sales.errors import PriceApprovalRequired
from salesdesk.sales.models import (
    Contract,
    ContractItem,
    PriceApproval,
    Quotation,
    SalesOrder,
    SalesOrderLine,
)

# --- data ------------------------------------------------------------------------------------


@pytest.fixture
def s(company, users, unit_pc, customer_of):
    tax10 = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    chair = Product.objects.create(company=company, sku="P-10", name="Chair", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10)
    desk = Product.objects.create(
        company=company, sku="P-20", name="Desk", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10, floor_price=D("9.00")
    )
    customer = customer_of("sales", "C001", email="buyer@example.com", credit_limit=D("1000"))
    membership = {u: users[u].memberships.get(company=company) for u in users}
    return {"company": company, "u": users, "m": membership, "customer": customer, "chair": chair, "desk": desk}


def _today():
    return timezone.localdate()


def _quotation_in(s, status: str) -> Quotation:
    sales = s["u"]["sales"]
    q = services.quotation_create(
        company=s["company"],
        actor=sales,
        membership=s["m"]["sales"],
        customer=s["customer"],
        lines=[{"product": s["chair"], "quantity": D("2")}],
    )
    if status == "cancelled":
        services.quotation_cancel(quotation=q, actor=sales, reason="duplicate")
    elif status != "draft":
        services.quotation_send(quotation=q, actor=sales)
        if status == "accepted":
            services.quotation_accept(quotation=q, actor=sales)
        elif status == "rejected":
            services.quotation_reject(quotation=q, actor=sales, reason="too expensive")
        elif status == "expired":
            # Backdated by update() rather than waiting a month; the expiry itself goes through the service.
            Quotation.objects.filter(pk=q.pk).update(date=_today() - timedelta(days=31), valid_until=_today() - timedelta(days=1))
            assert services.quotations_expire(company=s["company"]) == 1
    q.refresh_from_db()
    assert q.status == status
    return q


def _order(s, *, below_floor: bool = False) -> SalesOrder:
    line = (
        {"product": s["desk"], "quantity": D("1"), "unit_price": D("8.00")} if below_floor else {"product": s["chair"], "quantity": D("2")}
    )
    return services.order_create(
        company=s["company"], actor=s["u"]["sales"], membership=s["m"]["sales"], customer=s["customer"], lines=[line]
    )


def _confirm(s, order) -> SalesOrder:
    return services.order_confirm(order=order, actor=s["u"]["sales"], membership=s["m"]["sales"])


def _pending(s) -> tuple[SalesOrder, PriceApproval]:
    """A draft below the floor, confirmed by the salesperson: the order waits for a manager."""
    order = _order(s, below_floor=True)
    with pytest.raises(PriceApprovalRequired) as exc:
        _confirm(s, order)
    return order, PriceApproval.objects.get(pk=exc.value.details["price_approval"])


def _order_in(s, status: str) -> SalesOrder:
    if status == "pending_approval":
        order, _ = _pending(s)
    else:
        order = _order(s)
        if status in ("confirmed", "closed", "cancelled"):
            _confirm(s, order)
        if status == "cancelled":
            services.order_cancel(order=order, actor=s["u"]["sales"], reason="customer changed mind")
        elif status == "closed":
            # No service closes an order yet (it needs delivery and invoicing): set the status by update().
            SalesOrder.objects.filter(pk=order.pk).update(status=SalesOrder.Status.CLOSED)
        elif status == "credit_hold":
            # No service puts an order on credit hold yet (the credit check comes later): set it by update().
            SalesOrder.objects.filter(pk=order.pk).update(status=SalesOrder.Status.CREDIT_HOLD)
    order.refresh_from_db()
    assert order.status == status
    return order


def _approval_in(s, status: str) -> PriceApproval:
    _, approval = _pending(s)
    manager, membership = s["u"]["manager"], s["m"]["manager"]
    if status == "approved":
        services.approval_approve(approval=approval, actor=manager, membership=membership, reason="key account")
    elif status == "rejected":
        services.approval_reject(approval=approval, actor=manager, membership=membership, reason="too low")
    approval.refresh_from_db()
    assert approval.status == status
    return approval


def _contract_in(s, status: str) -> Contract:
    manager, today = s["u"]["manager"], _today()
    contract = services.contract_create(
        company=s["company"],
        actor=manager,
        customer=s["customer"],
        valid_from=today - timedelta(days=30),
        valid_to=today if status == "expired" else today + timedelta(days=365),
        items=[{"product": s["chair"], "price": "9", "quantity": "10"}],
    )
    if status in ("active", "expired"):
        services.contract_activate(contract=contract, actor=manager)
    elif status == "cancelled":
        services.contract_cancel(contract=contract, actor=manager)
    if status == "expired":
        # The period is made to end yesterday by update() rather than waiting; the expiry itself goes through the service.
        Contract.objects.filter(pk=contract.pk).update(valid_to=today - timedelta(days=1))
        assert services.contracts_expire(company=s["company"]) == 1
    contract.refresh_from_db()
    assert contract.status == status
    return contract


# --- checks ----------------------------------------------------------------------------------


def _assert_moved(document, *, events_before: int, from_status: str, to_status: str, actor) -> None:
    """The document is in its new status, with exactly one new event and a status audit row saying so."""
    fresh = type(document).objects.get(pk=document.pk)
    assert fresh.status == to_status
    new_events = list(events_for(fresh))[events_before:]
    actor_id = actor.pk if actor is not None else None
    assert [(e.from_status, e.to_status, e.actor_id) for e in new_events] == [(from_status, to_status, actor_id)]
    audit = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(fresh), object_id=fresh.pk, action=AuditEntry.Action.STATUS
    ).first()
    assert (audit.before, audit.after, audit.actor_id) == (from_status, to_status, actor_id)


def _everything(customer) -> dict:
    """What a refused move must not change."""
    return {
        "quotations": list(Quotation.objects.order_by("pk").values()),
        "orders": list(SalesOrder.objects.order_by("pk").values()),
        "order_lines": list(SalesOrderLine.objects.order_by("pk").values()),
        "approvals": list(PriceApproval.objects.order_by("pk").values()),
        "contracts": list(Contract.objects.order_by("pk").values()),
        "contract_items": list(ContractItem.objects.order_by("pk").values()),
        "events": DocumentEvent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "numbers": sorted(NumberCounter.objects.values_list("series", "year", "last_value")),
        "mails": len(mail.outbox),
        "open_orders": customer_credit(customer).open_orders,
    }


def _assert_refused(s, document, call) -> None:
    status = document.status
    before = _everything(s["customer"])
    with pytest.raises(InvalidTransition) as exc:
        call()
    assert exc.value.code == "invalid_transition"
    assert type(document).objects.get(pk=document.pk).status == status
    after = _everything(s["customer"])
    assert after["events"] == before["events"], "a document event was written"
    assert after["audit"] == before["audit"], "an audit row was written"
    assert after["numbers"] == before["numbers"], "a number was taken"
    assert after["mails"] == before["mails"], "an email was sent"
    assert after["open_orders"] == before["open_orders"], "the customer's open orders changed"
    assert after == before


def _refusable(model, targets: dict, not_moves: set = frozenset()) -> list[tuple[str, str]]:
    """(status, action) pairs whose target status TRANSITIONS does not allow from that status."""
    return sorted(
        (str(status), action)
        for status in model.Status
        for action, target in targets.items()
        if target not in model.TRANSITIONS.get(status, set()) and (str(status), action) not in not_moves
    )


# --- quotations ------------------------------------------------------------------------------

QUOTATION_ACTIONS = {
    "send": lambda s, q: services.quotation_send(quotation=q, actor=s["u"]["sales"]),
    "accept": lambda s, q: services.quotation_accept(quotation=q, actor=s["u"]["sales"]),
    "reject": lambda s, q: services.quotation_reject(quotation=q, actor=s["u"]["sales"], reason="too expensive"),
    "cancel": lambda s, q: services.quotation_cancel(quotation=q, actor=s["u"]["sales"], reason="duplicate"),
}
QUOTATION_TARGETS = {"send": "sent", "accept": "accepted", "reject": "rejected", "cancel": "cancelled"}
REFUSED_QUOTATION_MOVES = [
    ("accepted", "send"),
    ("rejected", "send"),
    ("expired", "send"),
    ("cancelled", "send"),
    ("accepted", "accept"),
    ("rejected", "accept"),
    ("expired", "accept"),
    ("cancelled", "accept"),
    ("draft", "reject"),
    ("accepted", "reject"),
    ("rejected", "reject"),
    ("expired", "reject"),
    ("cancelled", "reject"),
    ("accepted", "cancel"),
    ("rejected", "cancel"),
    ("expired", "cancel"),
    ("cancelled", "cancel"),
]


def test_sending_a_draft_quotation_marks_it_sent_and_emails_it(s):
    q = _quotation_in(s, "draft")
    services.quotation_send(quotation=q, actor=s["u"]["sales"])
    _assert_moved(q, events_before=0, from_status="draft", to_status="sent", actor=s["u"]["sales"])
    assert events_for(q).last().note == "sent to buyer@example.com"
    assert [m.to for m in mail.outbox] == [["buyer@example.com"]]


@pytest.mark.parametrize("start", ["draft", "sent"])
def test_a_quotation_can_be_accepted(s, start):
    q = _quotation_in(s, start)
    events_before = events_for(q).count()
    services.quotation_accept(quotation=q, actor=s["u"]["sales"])
    _assert_moved(q, events_before=events_before, from_status=start, to_status="accepted", actor=s["u"]["sales"])


def test_a_sent_quotation_can_be_rejected_with_a_reason(s):
    q = _quotation_in(s, "sent")
    services.quotation_reject(quotation=q, actor=s["u"]["sales"], reason="  too expensive ")
    _assert_moved(q, events_before=1, from_status="sent", to_status="rejected", actor=s["u"]["sales"])
    q.refresh_from_db()
    assert q.rejection_reason == "too expensive" and events_for(q).last().note == "too expensive"


def test_a_sent_quotation_past_its_validity_expires_in_the_daily_run(s):
    q = _quotation_in(s, "sent")
    fresh = _quotation_in(s, "sent")
    # Backdated by update() rather than waiting a month.
    Quotation.objects.filter(pk=q.pk).update(date=_today() - timedelta(days=31), valid_until=_today() - timedelta(days=1))
    assert services.quotations_expire(company=s["company"]) == 1
    _assert_moved(q, events_before=1, from_status="sent", to_status="expired", actor=None)
    fresh.refresh_from_db()
    assert fresh.status == "sent"


def test_the_daily_expiry_run_leaves_quotations_that_are_not_sent_alone(s):
    quotations = [_quotation_in(s, status) for status in ("draft", "accepted", "rejected", "cancelled")]
    Quotation.objects.filter(pk__in=[q.pk for q in quotations]).update(valid_until=_today() - timedelta(days=1))
    before = _everything(s["customer"])
    assert services.quotations_expire(company=s["company"]) == 0
    assert _everything(s["customer"]) == before


@pytest.mark.parametrize("start", ["draft", "sent"])
def test_a_quotation_can_be_cancelled(s, start):
    q = _quotation_in(s, start)
    events_before = events_for(q).count()
    services.quotation_cancel(quotation=q, actor=s["u"]["sales"], reason="duplicate")
    _assert_moved(q, events_before=events_before, from_status=start, to_status="cancelled", actor=s["u"]["sales"])


@pytest.mark.parametrize(("start", "action"), REFUSED_QUOTATION_MOVES, ids=[f"{a}-{st}" for st, a in REFUSED_QUOTATION_MOVES])
def test_a_refused_quotation_move_changes_nothing(s, start, action):
    q = _quotation_in(s, start)
    _assert_refused(s, q, lambda: QUOTATION_ACTIONS[action](s, q))


def test_the_refused_quotation_moves_are_every_move_transitions_forbid(s):
    # Sending a sent quotation again re-sends it: that is not a status move.
    assert sorted(REFUSED_QUOTATION_MOVES) == _refusable(Quotation, QUOTATION_TARGETS, {("sent", "send")})


# --- sales orders ----------------------------------------------------------------------------

ORDER_ACTIONS = {
    "confirm": lambda s, o: _confirm(s, o),
    "cancel": lambda s, o: services.order_cancel(order=o, actor=s["u"]["sales"], reason="no longer needed"),
}
ORDER_TARGETS = {"confirm": "confirmed", "cancel": "cancelled"}
REFUSED_ORDER_MOVES = [
    ("confirmed", "confirm"),
    ("closed", "confirm"),
    ("cancelled", "confirm"),
    ("closed", "cancel"),
    ("cancelled", "cancel"),
]


def test_confirming_a_draft_order_within_authority_confirms_it(s):
    order = _order_in(s, "draft")
    _confirm(s, order)
    _assert_moved(order, events_before=0, from_status="draft", to_status="confirmed", actor=s["u"]["sales"])
    order.refresh_from_db()
    assert order.number == f"SO-{order.date.year}-00001"
    assert customer_credit(s["customer"]).open_orders == order.total_amount == D("22.00")


def test_confirming_a_draft_below_the_floor_puts_it_pending_approval(s):
    order = _order(s, below_floor=True)
    with pytest.raises(PriceApprovalRequired):
        _confirm(s, order)
    _assert_moved(order, events_before=0, from_status="draft", to_status="pending_approval", actor=s["u"]["sales"])
    order.refresh_from_db()
    assert order.number == "" and not NumberCounter.objects.filter(series="SO").exists()
    assert PriceApproval.objects.get(order=order).status == "pending"
    assert customer_credit(s["customer"]).open_orders == D("0.00")


def test_an_approved_order_pending_approval_confirms(s):
    order, approval = _pending(s)
    services.approval_approve(approval=approval, actor=s["u"]["manager"], membership=s["m"]["manager"])
    _confirm(s, order)
    _assert_moved(order, events_before=1, from_status="pending_approval", to_status="confirmed", actor=s["u"]["sales"])
    assert customer_credit(s["customer"]).open_orders == D("8.80")


def test_a_refused_price_sends_the_order_back_to_draft(s):
    order, approval = _pending(s)
    services.approval_reject(approval=approval, actor=s["u"]["manager"], membership=s["m"]["manager"], reason="too low")
    _assert_moved(order, events_before=1, from_status="pending_approval", to_status="draft", actor=s["u"]["manager"])
    assert events_for(order).last().note == "price refused: too low"


@pytest.mark.parametrize("start", ["draft", "pending_approval", "credit_hold", "confirmed"])
def test_an_order_can_be_cancelled(s, start):
    order = _order_in(s, start)
    events_before = events_for(order).count()
    services.order_cancel(order=order, actor=s["u"]["sales"], reason="no longer needed")
    _assert_moved(order, events_before=events_before, from_status=start, to_status="cancelled", actor=s["u"]["sales"])
    assert customer_credit(s["customer"]).open_orders == D("0.00")
    assert not PriceApproval.objects.filter(order=order, status="pending").exists()


@pytest.mark.parametrize(("start", "action"), REFUSED_ORDER_MOVES, ids=[f"{a}-{st}" for st, a in REFUSED_ORDER_MOVES])
def test_a_refused_order_move_changes_nothing(s, start, action):
    order = _order_in(s, start)
    _assert_refused(s, order, lambda: ORDER_ACTIONS[action](s, order))


@pytest.mark.parametrize("progress", ["delivered_quantity", "invoiced_quantity"])
def test_an_order_with_goods_delivered_or_invoiced_cannot_be_cancelled(s, progress):
    order = _order_in(s, "confirmed")
    # Fulfilment and billing are not part of this test: record the progress by update().
    SalesOrderLine.objects.filter(order=order).update(**{progress: D("1")})
    if progress == "invoiced_quantity":  # a posted invoice bills its amount too (a wholly credited one would not block)
        SalesOrder.objects.filter(pk=order.pk).update(invoiced_amount=D("11.00"))
    assert customer_credit(s["customer"]).open_orders == D("22.00")
    _assert_refused(s, order, lambda: ORDER_ACTIONS["cancel"](s, order))


def test_the_refused_order_moves_are_every_move_transitions_forbid(s):
    # A closed order goes back to confirmed only by reopening itself (money or goods came back), never by `confirm`.
    assert sorted(REFUSED_ORDER_MOVES) == sorted({*_refusable(SalesOrder, ORDER_TARGETS), ("closed", "confirm")})


# --- price approvals -------------------------------------------------------------------------

APPROVAL_ACTIONS = {
    "approve": lambda s, a: services.approval_approve(approval=a, actor=s["u"]["manager"], membership=s["m"]["manager"]),
    "reject": lambda s, a: services.approval_reject(approval=a, actor=s["u"]["manager"], membership=s["m"]["manager"], reason="no"),
}
APPROVAL_TARGETS = {"approve": "approved", "reject": "rejected"}
REFUSED_APPROVAL_MOVES = [
    ("approved", "approve"),
    ("rejected", "approve"),
    ("approved", "reject"),
    ("rejected", "reject"),
]


def test_a_manager_approves_a_price_request(s):
    approval = _approval_in(s, "pending")
    services.approval_approve(approval=approval, actor=s["u"]["manager"], membership=s["m"]["manager"], reason="key account")
    _assert_moved(approval, events_before=0, from_status="pending", to_status="approved", actor=s["u"]["manager"])
    approval.refresh_from_db()
    assert (approval.decided_by, approval.reason) == (s["u"]["manager"], "key account")


def test_a_manager_rejects_a_price_request(s):
    approval = _approval_in(s, "pending")
    services.approval_reject(approval=approval, actor=s["u"]["manager"], membership=s["m"]["manager"], reason="too low")
    _assert_moved(approval, events_before=0, from_status="pending", to_status="rejected", actor=s["u"]["manager"])
    approval.refresh_from_db()
    assert (approval.decided_by, approval.reason) == (s["u"]["manager"], "too low")


@pytest.mark.parametrize(("start", "action"), REFUSED_APPROVAL_MOVES, ids=[f"{a}-{st}" for st, a in REFUSED_APPROVAL_MOVES])
def test_a_refused_approval_move_changes_nothing(s, start, action):
    approval = _approval_in(s, start)
    _assert_refused(s, approval, lambda: APPROVAL_ACTIONS[action](s, approval))


def test_the_refused_approval_moves_are_every_move_transitions_forbid(s):
    assert sorted(REFUSED_APPROVAL_MOVES) == _refusable(PriceApproval, APPROVAL_TARGETS)


# --- contracts -------------------------------------------------------------------------------

CONTRACT_ACTIONS = {
    "activate": lambda s, c: services.contract_activate(contract=c, actor=s["u"]["manager"]),
    "cancel": lambda s, c: services.contract_cancel(contract=c, actor=s["u"]["manager"], reason="replaced"),
}
CONTRACT_TARGETS = {"activate": "active", "cancel": "cancelled"}
REFUSED_CONTRACT_MOVES = [
    ("active", "activate"),
    # Expired the only way the service expires contracts: its period has ended.
    ("expired", "activate"),
    ("cancelled", "activate"),
    ("expired", "cancel"),
    ("cancelled", "cancel"),
]


def test_a_draft_contract_can_be_activated(s):
    contract = _contract_in(s, "draft")
    services.contract_activate(contract=contract, actor=s["u"]["manager"])
    _assert_moved(contract, events_before=1, from_status="draft", to_status="active", actor=s["u"]["manager"])


@pytest.mark.parametrize("start", ["draft", "active"])
def test_a_contract_can_be_cancelled(s, start):
    contract = _contract_in(s, start)
    events_before = events_for(contract).count()
    services.contract_cancel(contract=contract, actor=s["u"]["manager"], reason="replaced")
    _assert_moved(contract, events_before=events_before, from_status=start, to_status="cancelled", actor=s["u"]["manager"])


def test_an_active_contract_past_its_end_expires_in_the_daily_run(s):
    contract = _contract_in(s, "active")
    running = _contract_in(s, "active")
    # The period is made to end yesterday by update() rather than waiting.
    Contract.objects.filter(pk=contract.pk).update(valid_to=_today() - timedelta(days=1))
    assert services.contracts_expire(company=s["company"]) == 1
    _assert_moved(contract, events_before=2, from_status="active", to_status="expired", actor=None)
    running.refresh_from_db()
    assert running.status == "active"


@pytest.mark.parametrize(("start", "action"), REFUSED_CONTRACT_MOVES, ids=[f"{a}-{st}" for st, a in REFUSED_CONTRACT_MOVES])
def test_a_refused_contract_move_changes_nothing(s, start, action):
    contract = _contract_in(s, start)
    _assert_refused(s, contract, lambda: CONTRACT_ACTIONS[action](s, contract))


def test_the_refused_contract_moves_are_every_move_transitions_forbid(s):
    assert sorted(REFUSED_CONTRACT_MOVES) == _refusable(Contract, CONTRACT_TARGETS)
