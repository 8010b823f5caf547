"""What the delivery, return and stock adjustment pages show, and which buttons the member may use.

Costs and margins are shown only to members with `fulfilment.margins_delivery`; the warehouse
works with quantities. Prices never appear on these pages.
"""

from typing import Any

from salesdesk.core import workflow
from salesdesk.fulfilment.models import Delivery, ReturnOutcome, ReturnRequest
from salesdesk.fulfilment.web.forms import DeliveryUpdateForm, ReceiveForm

MARGINS = "fulfilment.margins_delivery"
DStatus = Delivery.Status
RStatus = ReturnRequest.Status
# The carrier, tracking number and address may still be noted until the goods arrived or came back.
NOTED = (DStatus.DRAFT, DStatus.PICKED, DStatus.SHIPPED)
CREDITED_OUTCOMES = (ReturnOutcome.RESTOCK, ReturnOutcome.SCRAP)


def events(document) -> list:
    return list(workflow.events_for(document).order_by("at", "id"))


def delivery_context(request, delivery: Delivery) -> dict[str, Any]:
    m = request.membership
    change = m.has_perm("fulfilment.change_delivery")
    status = delivery.status
    context: dict[str, Any] = {
        "lines": list(delivery.lines.select_related("product", "product__unit")),
        "show_costs": m.has_perm(MARGINS),
        "returns": list(delivery.returns.order_by("date", "id")),
        "events": events(delivery),
        "can_pick": change and status == DStatus.DRAFT,
        "can_ship": change and status in (DStatus.DRAFT, DStatus.PICKED),
        "can_deliver": change and status == DStatus.SHIPPED,
        "can_cancel": change and status in (DStatus.DRAFT, DStatus.PICKED),
        "can_refuse": change and status == DStatus.SHIPPED,
        "can_edit": change and status in NOTED,
        "can_return": m.has_perm("fulfilment.add_returnrequest") and status in (DStatus.SHIPPED, DStatus.DELIVERED),
        "show_order_link": m.has_perm("sales.view_salesorder"),
        # Billing's button (the view lives in billing): a draft invoice for this delivery's goods.
        "can_invoice": m.has_perm("billing.add_invoice")
        and delivery.sales_order_id is not None
        and status in (DStatus.SHIPPED, DStatus.DELIVERED),
    }
    if context["can_edit"]:
        context["form"] = DeliveryUpdateForm(company=request.company, request=request, delivery=delivery)
    return context


def return_context(request, ret: ReturnRequest) -> dict[str, Any]:
    m = request.membership
    lines = list(ret.lines.select_related("product", "product__unit"))
    decide = m.has_perm("fulfilment.approve_returnrequest")
    context: dict[str, Any] = {
        "lines": lines,
        "show_costs": m.has_perm(MARGINS),
        "replacements": list(ret.replacements.order_by("date", "id")),
        # Credit notes are billing's: their numbers are shown, their amounts only to who reads billing.
        "credit_notes": list(ret.credit_notes.select_related("currency").order_by("issue_date", "id")),
        "show_billing": m.has_perm("billing.view_invoice"),
        "show_order_link": m.has_perm("sales.view_salesorder"),
        "events": events(ret),
        "can_approve": decide and ret.status == RStatus.REQUESTED,
        "can_reject": decide and ret.status in (RStatus.REQUESTED, RStatus.APPROVED),
        "can_receive": m.has_perm("fulfilment.change_returnrequest") and ret.status == RStatus.APPROVED,
        "can_credit": m.has_perm("billing.post_invoice")
        and ret.status == RStatus.RECEIVED
        and any(line.outcome in CREDITED_OUTCOMES and line.received_quantity > line.credited_quantity for line in lines),
    }
    if context["can_receive"]:
        # After a refused receipt the form comes back as the user left it (kept for one showing).
        typed = request.session.pop(receipt_draft_key(ret), None)
        context["receive_form"] = ReceiveForm(typed, lines=lines) if typed else ReceiveForm(lines=lines)
        if typed:
            context["receive_form"].is_valid()  # shows the errors on their lines
    return context


def receipt_draft_key(ret) -> str:
    return f"fulfilment:receipt:{ret.pk}"


def adjustment_context(request, adjustment) -> dict[str, Any]:
    return {
        "lines": list(adjustment.lines.select_related("product", "product__unit", "move")),
        "show_costs": request.membership.has_perm(MARGINS),
    }
