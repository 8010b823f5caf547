"""Price approvals: a manager lets a line go below the floor, for exactly the prices they saw."""

from django.db import transaction
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.accounts.selectors import visible_salesperson_ids
from salesdesk.core import workflow
from salesdesk.core.errors import Invalid
from salesdesk.sales.errors import NotAllowedToApprove
from salesdesk.sales.models import PriceApproval, PriceApprovalLine, SalesOrder


def covers(order: SalesOrder, lines) -> bool:
    """An approved request covers these lines if it saw each of them: the same product at the same
    price, discount and quantity."""
    approval = order.price_approvals.filter(status=PriceApproval.Status.APPROVED).order_by("-decided_at", "-id").first()
    if approval is None:
        return False
    seen = {(a.order_line_id, a.product_id, a.unit_price, a.discount_percent, a.quantity) for a in approval.lines.all()}
    return all((line.pk, line.product_id, line.unit_price, line.discount_percent, line.quantity) in seen for line in lines)


def request(*, order: SalesOrder, actor, lines, breaches) -> PriceApproval:
    """The pending request for these prices (reused when one already asks for the same)."""
    pending = order.price_approvals.filter(status=PriceApproval.Status.PENDING).first()
    wanted = {(lines[b.key].pk, lines[b.key].unit_price, lines[b.key].discount_percent, lines[b.key].quantity) for b in breaches}
    if pending is not None:
        asked = {(a.order_line_id, a.unit_price, a.discount_percent, a.quantity) for a in pending.lines.all()}
        if asked == wanted:
            return pending
        pending.status, pending.reason, pending.decided_at = PriceApproval.Status.REJECTED, "superseded by a new request", timezone.now()
        pending.save(update_fields=["status", "reason", "decided_at"])
    approval = PriceApproval.objects.create(company=order.company, order=order, requested_by=actor)
    PriceApprovalLine.objects.bulk_create(
        [
            PriceApprovalLine(
                company=order.company,
                approval=approval,
                order_line=lines[b.key],
                product_id=lines[b.key].product_id,
                quantity=lines[b.key].quantity,
                unit_price=lines[b.key].unit_price,
                discount_percent=lines[b.key].discount_percent,
                net_unit_price=b.net_unit_price,
                floor_price=b.floor,
                allowed_price=b.allowed,
            )
            for b in breaches
        ]
    )
    return approval


def describe(line: PriceApprovalLine) -> dict:
    return {
        "order_line": line.order_line_id,
        "product": line.product_id,
        "quantity": str(line.quantity),
        "net_unit_price": str(line.net_unit_price),
        "floor_price": str(line.floor_price),
        "allowed_price": str(line.allowed_price),
    }


def _check_decider(approval: PriceApproval, membership) -> None:
    """An administrator, or a sales manager whose team includes the order's salesperson; never the requester."""
    if membership.has_role(roles.ADMINISTRATOR):
        return
    salesperson_id = approval.order.salesperson_id
    # Nobody decides on a price they asked for, even on a team member's order.
    own = membership.user_id in (salesperson_id, approval.requested_by_id)
    if membership.has_role(roles.SALES_MANAGER) and not own:
        visible = visible_salesperson_ids(membership)
        if visible is None or salesperson_id in visible:
            return
    raise NotAllowedToApprove()


def _decide(*, approval: PriceApproval, actor, membership, to: str, reason: str) -> PriceApproval:
    approval = (
        PriceApproval.objects.select_for_update(of=("self",)).select_related("order").get(pk=approval.pk, company_id=approval.company_id)
    )
    _check_decider(approval, membership)
    approval.decided_by, approval.decided_at, approval.reason = actor, timezone.now(), reason
    workflow.transition(approval, to=to, actor=actor, note=reason, extra_fields=("decided_by", "decided_at", "reason"))
    return approval


@transaction.atomic
def approval_approve(*, approval: PriceApproval, actor, membership, reason: str = "") -> PriceApproval:
    return _decide(approval=approval, actor=actor, membership=membership, to=PriceApproval.Status.APPROVED, reason=reason)


@transaction.atomic
def approval_reject(*, approval: PriceApproval, actor, membership, reason: str) -> PriceApproval:
    """Refuse the prices: the order goes back to draft so the salesperson can change them."""
    if not (reason or "").strip():
        raise Invalid({"reason": ["Say why the price is refused."]})
    approval = _decide(approval=approval, actor=actor, membership=membership, to=PriceApproval.Status.REJECTED, reason=reason.strip())
    order = SalesOrder.objects.select_for_update().get(pk=approval.order_id)
    if order.status == SalesOrder.Status.PENDING_APPROVAL:
        workflow.transition(order, to=SalesOrder.Status.DRAFT, actor=actor, note=f"price refused: {reason.strip()}")
    return approval
