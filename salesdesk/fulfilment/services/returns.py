"""Returns (RMA): requested for goods the customer has, decided by a sales manager, received and
inspected line by line, then credited (billing) or replaced.

Outcomes at receipt:
- restock: the goods go back into stock at the cost they left at (cost of goods sold is reversed);
- scrap: they come in and are written off at once (stock adjustments instead of cost of goods sold);
- replace: like scrap for the faulty goods, and a replacement delivery is drafted;
- repair: the goods are the customer's and go back to them repaired: no stock or ledger change.
Restocked and scrapped lines are credited; repaired and replaced ones are not (the customer gets goods).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.catalog.models import Product
from salesdesk.core import arithmetic, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.locking import lock_keys, lock_rows
from salesdesk.core.money import round_money
from salesdesk.customers.models import Customer
from salesdesk.fulfilment.errors import NotAllowedToApproveReturn, OverReceipt, OverReturn
from salesdesk.fulfilment.models import Delivery, DeliveryLine, ReturnLine, ReturnOutcome, ReturnRequest
from salesdesk.fulfilment.services.common import ROLE, ZERO, quantity, take_number
from salesdesk.inventory import services as stock
from salesdesk.inventory.models import StockMove
from salesdesk.ledger import services as ledger
from salesdesk.sales import services as sales_services
from salesdesk.sales.services.common import check_customer

Status = ReturnRequest.Status
SHIPPED = (Delivery.Status.SHIPPED, Delivery.Status.DELIVERED)
CREDITED_OUTCOMES = (ReturnOutcome.RESTOCK, ReturnOutcome.SCRAP)
WRITTEN_OFF_OUTCOMES = (ReturnOutcome.SCRAP, ReturnOutcome.REPLACE)


def _sum(qs, field: str) -> Decimal:
    return Decimal(str(qs.aggregate(total=Sum(field))["total"] or 0)).quantize(Decimal("0.0001"))


def returnable(*, customer, product_id: int, delivery=None, sales_order=None, exclude=None) -> Decimal:
    """What the customer has of a product from us (shipped, not refused) and has not already asked to return."""
    shipped = DeliveryLine.objects.filter(delivery__customer=customer, delivery__status__in=SHIPPED, product_id=product_id)
    asked = ReturnLine.objects.filter(return_request__customer=customer, product_id=product_id).exclude(
        return_request__status=Status.REJECTED
    )
    if delivery is not None:
        shipped, asked = shipped.filter(delivery=delivery), asked.filter(return_request__delivery=delivery)
    elif sales_order is not None:
        shipped, asked = shipped.filter(delivery__sales_order=sales_order), asked.filter(return_request__sales_order=sales_order)
    if exclude is not None:
        asked = asked.exclude(return_request=exclude)
    return _sum(shipped, "quantity") - _sum(asked, "quantity")


def _references(company, customer, sales_order, delivery, invoice):
    errors = {}
    if delivery is not None and (
        delivery.company_id != company.pk or delivery.customer_id != customer.pk or delivery.status not in SHIPPED
    ):
        errors["delivery"] = ["Not a shipped delivery of this customer."]
    if sales_order is not None and (sales_order.company_id != company.pk or sales_order.customer_id != customer.pk):
        errors["sales_order"] = ["Not an order of this customer."]
    if invoice is not None and (
        invoice.company_id != company.pk
        or invoice.customer_id != customer.pk
        or invoice.kind != "invoice"
        or invoice.status not in ("posted", "paid")
    ):
        errors["invoice"] = ["Not a posted invoice of this customer."]
    if errors:
        raise Invalid(errors)
    if sales_order is None and delivery is not None:
        sales_order = delivery.sales_order
    if sales_order is None and invoice is not None:
        sales_order = invoice.sales_order
    if delivery is not None and sales_order is not None and delivery.sales_order_id not in (None, sales_order.pk):
        raise Invalid({"delivery": ["The delivery is not of this order."]})
    # The credit goes to the invoice named: it must bill the order the goods are counted against.
    if invoice is not None and sales_order is not None and invoice.sales_order_id not in (None, sales_order.pk):
        raise Invalid({"invoice": ["The invoice is not of this order."]})
    return sales_order


def _allowed_products(sales_order, delivery, invoice) -> set[int] | None:
    """The products the referenced document has (None: a bulk return, any goods the customer got)."""
    if delivery is not None:
        return set(delivery.lines.values_list("product_id", flat=True))
    if invoice is not None:
        return set(invoice.lines.values_list("product_id", flat=True))
    if sales_order is not None:
        return set(sales_order.lines.values_list("product_id", flat=True))
    return None


def _parse_lines(company, raw_lines, allowed: set[int] | None) -> list[tuple[Product, Decimal, str]]:
    if not isinstance(raw_lines, (list, tuple)) or not raw_lines:
        raise Invalid({"lines": ["A return needs at least one line."]})
    parsed, line_errors, failed = [], [], False
    for raw in raw_lines:
        errors: dict = {}
        product = raw.get("product") if isinstance(raw, dict) else None
        if not isinstance(product, Product) or product.company_id != company.pk or product.kind != Product.Kind.GOODS:
            errors["product"] = ["Unknown goods product."]
        elif allowed is not None and product.pk not in allowed:
            errors["product"] = ["The referenced document does not have this product."]
        qty = quantity(raw.get("quantity") if isinstance(raw, dict) else None, errors)
        reason = str(raw.get("reason") or "")[:255] if isinstance(raw, dict) else ""
        line_errors.append(errors)
        failed = failed or bool(errors)
        if not errors:
            parsed.append((product, qty, reason))
    if failed:
        raise Invalid({"lines": line_errors})
    return parsed


@transaction.atomic
def return_create(
    *, company, actor, membership, customer, lines, sales_order=None, delivery=None, invoice=None, warehouse=None, reason="", date=None
) -> ReturnRequest:
    """A return request for goods the customer has; more than was delivered and not yet returned gives 409 `over_return`."""
    check_customer(company, membership, customer)
    # One return request per customer at a time: two made at once must not both count the same goods as returnable.
    lock_rows(Customer.objects.filter(pk=customer.pk, company_id=company.pk))
    sales_order = _references(company, customer, sales_order, delivery, invoice)
    parsed = _parse_lines(company, lines, _allowed_products(sales_order, delivery, invoice))
    wanted: dict[int, Decimal] = {}
    for product, qty, _reason in parsed:
        wanted[product.pk] = wanted.get(product.pk, ZERO) + qty
    for product_id, qty in wanted.items():
        left = returnable(customer=customer, product_id=product_id, delivery=delivery, sales_order=sales_order)
        if delivery is not None or sales_order is not None:
            left = min(left, returnable(customer=customer, product_id=product_id))
        if qty > left:
            raise OverReturn(product=product_id, quantity=str(qty), returnable=str(max(left, ZERO)))
    if warehouse is not None and (warehouse.company_id != company.pk or not warehouse.active):
        raise Invalid({"warehouse": ["Unknown warehouse."]})
    warehouse = warehouse or (delivery.warehouse if delivery else None) or (sales_order.warehouse if sales_order else None)
    warehouse = warehouse or sales_services.default_warehouse(company)
    if warehouse is None:
        raise Invalid({"warehouse": ["The company has no warehouse to receive into."]})
    on = date or timezone.localdate()
    request = ReturnRequest.objects.create(
        company=company,
        number=take_number(company, "RMA", on),
        customer=customer,
        sales_order=sales_order,
        delivery=delivery,
        invoice=invoice,
        warehouse=warehouse,
        date=on,
        reason=reason or "",
        created_by=actor,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(company=company, return_request=request, sequence=i, product=product, quantity=qty, reason=line_reason)
        for i, (product, qty, line_reason) in enumerate(parsed)
    )
    workflow.record_event(request, actor=actor, note="requested")
    return request


def locked(request: ReturnRequest) -> ReturnRequest:
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("company", "customer", "warehouse", "delivery", "sales_order")
        .get(pk=request.pk, company_id=request.company_id)
    )


def _decider(membership) -> None:
    if membership is None or not membership.has_role(roles.ADMINISTRATOR, roles.SALES_MANAGER):
        raise NotAllowedToApproveReturn()


@transaction.atomic
def return_approve(*, request: ReturnRequest, actor, membership, reason: str = "") -> ReturnRequest:
    _decider(membership)
    request = locked(request)
    request.decided_by, request.decided_at, request.decision_reason = actor, timezone.now(), reason or ""
    return workflow.transition(
        request, to=Status.APPROVED, actor=actor, note=reason, extra_fields=("decided_by", "decided_at", "decision_reason")
    )


@transaction.atomic
def return_reject(*, request: ReturnRequest, actor, membership, reason: str) -> ReturnRequest:
    _decider(membership)
    if not (reason or "").strip():
        raise Invalid({"reason": ["Say why the return is rejected."]})
    request = locked(request)
    request.decided_by, request.decided_at, request.decision_reason = actor, timezone.now(), reason
    return workflow.transition(
        request, to=Status.REJECTED, actor=actor, note=reason, extra_fields=("decided_by", "decided_at", "decision_reason")
    )


def _unit_cost(request: ReturnRequest, product: Product) -> Decimal:
    """What one unit cost when it left: from the referenced delivery, else the customer's latest shipment, else standard cost."""
    shipped = DeliveryLine.objects.filter(delivery__customer_id=request.customer_id, delivery__status__in=SHIPPED, product=product)
    if request.delivery_id:
        shipped = shipped.filter(delivery_id=request.delivery_id)
    elif request.sales_order_id:
        shipped = shipped.filter(delivery__sales_order_id=request.sales_order_id)
    line = shipped.order_by("-delivery__shipped_at", "-id").first()
    return line.unit_cost if line is not None else product.cost


def _cost_back(request: ReturnRequest, product: Product, qty: Decimal, earlier: tuple[Decimal, Decimal] = (ZERO, ZERO)) -> Decimal:
    """What `qty` returned units cost when they left, to the cent.

    Goods of a referenced delivery come back at their share of what that delivery's lines cost,
    and the last of them take whatever is left, so goods returned in several parts (other
    returns, or `earlier` lines of this one: quantity and cost) come back at exactly what they
    left at (never more). Otherwise at the latest shipment's unit cost."""
    if not request.delivery_id:
        return round_money(qty * _unit_cost(request, product))
    shipped = DeliveryLine.objects.filter(delivery_id=request.delivery_id, product=product)
    shipped_qty, shipped_cost = _sum(shipped, "quantity"), _sum(shipped, "cost").quantize(Decimal("0.01"))
    if shipped_qty <= 0:
        return round_money(qty * product.cost)
    back = ReturnLine.objects.filter(
        return_request__delivery_id=request.delivery_id,
        product=product,
        outcome__in=[o for o in ReturnOutcome.values if o != ReturnOutcome.REPAIR],
    ).exclude(return_request=request)
    back_qty = _sum(back, "received_quantity") + earlier[0]
    back_cost = _sum(back, "cost").quantize(Decimal("0.01")) + earlier[1]
    left = max(shipped_cost - back_cost, ZERO)
    if back_qty + qty >= shipped_qty:
        return left
    return min(round_money(shipped_cost * qty / shipped_qty), left)


def _parse_receipt(request: ReturnRequest, raw_lines) -> dict[int, tuple[Decimal, str]]:
    lines = {line.pk: line for line in request.lines.all()}
    if not isinstance(raw_lines, (list, tuple)):
        raise Invalid({"lines": ["Give each line its outcome."]})
    got: dict[int, tuple[Decimal, str]] = {}
    line_errors, failed = [], False
    for raw in raw_lines:
        errors: dict = {}
        line_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(line_id, int) or isinstance(line_id, bool) or line_id not in lines:
            errors["id"] = ["Not a line of this return."]
        outcome = raw.get("outcome") if isinstance(raw, dict) else None
        if outcome not in ReturnOutcome.values:
            errors["outcome"] = [f"Choose one of: {', '.join(ReturnOutcome.values)}."]
        raw_qty = raw.get("quantity") if isinstance(raw, dict) else None
        qty = None if errors.get("id") else (lines[line_id].quantity if raw_qty in (None, "") else quantity(raw_qty, errors))
        line_errors.append(errors)
        failed = failed or bool(errors)
        if not errors:
            if qty > lines[line_id].quantity:
                raise OverReceipt(line=line_id, quantity=str(qty), approved=str(lines[line_id].quantity))
            got[line_id] = (qty, outcome)
    if failed:
        raise Invalid({"lines": line_errors})
    missing = [pk for pk in lines if pk not in got]
    if missing:
        raise Invalid({"lines": [f"Line {pk} needs an outcome." for pk in missing]})
    return got


@transaction.atomic
def return_receive(*, request: ReturnRequest, actor, lines) -> ReturnRequest:
    """The goods arrived: each line gets what came and its outcome ({id, quantity?, outcome}).

    Receiving more than was approved gives 409 `over_receipt` and nothing is saved."""
    request = locked(request)
    if not workflow.can_transition(request, Status.RECEIVED):
        raise InvalidTransition(from_status=request.status, to_status=Status.RECEIVED, allowed=sorted(workflow.allowed_targets(request)))
    got = _parse_receipt(request, lines)
    if request.delivery_id:
        # Returns of one delivery are received one at a time, so each takes back only the cost left.
        lock_keys(Delivery, [request.delivery_id])
    on = timezone.localdate()
    restocked = written_off = ZERO
    replacements: list[tuple[Product, Decimal]] = []
    taken: dict[int, tuple[Decimal, Decimal]] = {}  # per product: quantity and cost of this return's earlier lines
    for line in request.lines.select_related("product").order_by("id"):
        qty, outcome = got[line.pk]
        line.received_quantity, line.outcome = qty, outcome
        if outcome != ReturnOutcome.REPAIR:
            earlier = taken.get(line.product_id, (ZERO, ZERO))
            line.cost = _cost_back(request, line.product, qty, earlier)
            taken[line.product_id] = (earlier[0] + qty, earlier[1] + line.cost)
            move = {"company": request.company, "product": line.product, "warehouse": request.warehouse, "quantity": qty, "on": on}
            move |= {"reason": line.reason or outcome, "reference": request.number, "actor": actor}
            stock.move_in(kind=StockMove.Kind.RETURN, value=line.cost, serve_waiting=outcome == ReturnOutcome.RESTOCK, **move)
            if outcome in WRITTEN_OFF_OUTCOMES:
                stock.move_out(kind=StockMove.Kind.SCRAP, value=line.cost, **move)
                written_off += line.cost
            else:
                restocked += line.cost
            if outcome == ReturnOutcome.REPLACE:
                replacements.append((line.product, qty))
        line.save(update_fields=["received_quantity", "outcome", "cost"])
    if restocked or written_off:
        entry_lines = [{"role": ROLE.COST_OF_GOODS_SOLD, "credit": restocked + written_off}]
        if restocked:
            entry_lines.append({"role": ROLE.INVENTORY, "debit": restocked})
        if written_off:
            entry_lines.append({"role": ROLE.STOCK_ADJUSTMENT, "debit": written_off})
        request.journal_entry = ledger.post_entry(
            company=request.company, date=on, memo=f"return {request.number}", lines=entry_lines, actor=actor, source=request
        )
    request.received_at = timezone.now()
    workflow.transition(request, to=Status.RECEIVED, actor=actor, extra_fields=("received_at", "journal_entry"))
    if replacements:
        _replacement(request, replacements, actor)
    return request


def _replacement(request: ReturnRequest, goods: list[tuple[Product, Decimal]], actor) -> Delivery:
    """A draft delivery sending new goods for the faulty ones; it ships from free stock like any other."""
    on = timezone.localdate()
    delivery = Delivery.objects.create(
        company=request.company,
        number=take_number(request.company, "DL", on),
        customer=request.customer,
        sales_order=None,
        return_request=request,
        warehouse=request.warehouse,
        date=on,
        shipping_address=request.customer.shipping_address,
        notes=f"replacement for return {request.number}",
        created_by=actor,
    )
    DeliveryLine.objects.bulk_create(
        DeliveryLine(company=request.company, delivery=delivery, sequence=i, product=product, description=product.name, quantity=qty)
        for i, (product, qty) in enumerate(goods)
    )
    workflow.record_event(delivery, actor=actor, note=f"replacement for return {request.number}")
    return delivery


def creditable_lines(request: ReturnRequest) -> list[tuple[ReturnLine, Decimal]]:
    """Received lines the customer is owed money for (restocked or scrapped), with what is left to credit."""
    return [
        (line, line.received_quantity - line.credited_quantity)
        for line in request.lines.select_related("product").order_by("id")
        if line.outcome in CREDITED_OUTCOMES and line.received_quantity > line.credited_quantity
    ]


def return_mark_credited(*, request: ReturnRequest, actor, credited: dict[int, Decimal], note: str = "") -> ReturnRequest:
    """Billing credited the lines (return line id -> quantity): record it and close the return."""
    for line_id, qty in sorted(credited.items()):
        arithmetic.bump(
            ReturnLine,
            where={"id": line_id, "return_request": request.pk},
            add={"credited_quantity": qty},
            places=arithmetic.QUANTITY_PLACES,
        )
    return workflow.transition(request, to=Status.CREDITED, actor=actor, note=note)
