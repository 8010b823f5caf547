"""Sales orders: drafts, confirmation (number, frozen totals, price floors), cancellation and amendment."""

from datetime import date

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from salesdesk.core import instances, rows, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.money import ZERO
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer
from salesdesk.sales import holds, reads
from salesdesk.sales.errors import NotEditable, PriceApprovalRequired
from salesdesk.sales.models import Contract, Quotation, SalesOrder, SalesOrderLine, SalesOrderRevision
from salesdesk.sales.services import approvals, common, credit, goods, invoicing
from salesdesk.sales.services import lines as line_service
from salesdesk.sales.services.confirmation import book_confirmation, consume_contract, in_base, locked

Status = SalesOrder.Status
_HEADER_FIELDS = {"requested_date", "date", "notes", "price_list", "currency", "customer_reference", "contract", "warehouse"}


def _active_contract(company, customer, on: date, contract: Contract | None) -> Contract | None:
    """The contract whose prices apply: the one given, else the customer's active contract on that date."""
    if contract is not None:
        if contract.company_id != company.pk or contract.customer_id != customer.pk:
            raise Invalid({"contract": ["Not a contract of this customer."]})
        if contract.status != Contract.Status.ACTIVE or not contract.valid_from <= on <= contract.valid_to:
            raise Invalid({"contract": ["The contract is not in force on the order date."]})
        return contract
    return reads.active_contract(company.pk, customer.pk, on)


def _in_force(contract: Contract | None, on: date) -> bool:
    return contract is not None and contract.status == Contract.Status.ACTIVE and contract.valid_from <= on <= contract.valid_to


def _price(order: SalesOrder, raw_lines):
    """The order's lines priced, and their totals (nothing is written)."""
    priced = line_service.build(
        company=order.company,
        customer=order.customer,
        currency=order.currency.code,
        on=order.date,
        raw_lines=raw_lines,
        price_list=order.price_list,
        contract=order.contract,
    )
    for line in priced:
        line.extra = {"contract_item": line.contract_item}
    return priced, line_service.apply_totals(priced, order.currency.decimal_places)


def _write_lines(order: SalesOrder, raw_lines) -> None:
    """A stored draft's lines replaced, and its totals with them."""
    common.store_priced(order, *_price(order, raw_lines), line_model=SalesOrderLine, parent_field="order")


@transaction.atomic
def order_create(
    *,
    company,
    actor,
    membership,
    customer,
    lines,
    quotation=None,
    contract=None,
    requested_date=None,
    date=None,
    currency=None,
    price_list=None,
    notes="",
    customer_reference="",
    warehouse=None,
) -> SalesOrder:
    customer = common.check_customer(company, membership, customer)
    if warehouse is not None and (warehouse.company_id != company.pk or not warehouse.active):
        raise Invalid({"warehouse": ["Unknown warehouse."]})
    on = date or common.today()
    if price_list is not None and price_list.company_id != company.pk:
        raise Invalid({"price_list": ["Unknown price list."]})
    if quotation is not None and (
        quotation.company_id != company.pk or quotation.customer_id != customer.pk or quotation.status != Quotation.Status.ACCEPTED
    ):
        raise Invalid({"quotation": ["Only an accepted quotation of this customer can be the origin of an order."]})
    if requested_date is not None and requested_date < on:
        raise Invalid({"requested_date": ["Cannot be before the order date."]})
    order = SalesOrder(
        company=company,
        customer=customer,
        salesperson_id=customer.salesperson_id or actor.pk,
        quotation=quotation,
        currency=common.document_currency(company, customer, currency),
        price_list=price_list,
        date=on,
        contract=_active_contract(company, customer, on, contract),
        requested_date=requested_date,
        notes=notes,
        customer_reference=customer_reference,
        warehouse=warehouse,
        created_by=actor,
    )
    # Priced before it is stored, so the order goes in with its totals (no second write).
    common.store_priced(order, *_price(order, lines), line_model=SalesOrderLine, parent_field="order", new=True)
    return order


def order_from_quotation(*, quotation: Quotation, actor) -> SalesOrder:
    """The draft order of an accepted quotation: the same lines at the same prices (no re-pricing).

    Lines quoted at a contract's agreed price draw on the customer's contract in force on the
    order's date, so confirming the order consumes its committed quantities."""
    on = common.today()
    contract = reads.active_contract(quotation.company_id, quotation.customer_id, on)
    order = rows.insert(
        instances.new(
            SalesOrder,
            company=quotation.company,
            customer=quotation.customer,
            salesperson_id=quotation.salesperson_id,
            quotation=quotation,
            currency=quotation.currency,
            price_list=quotation.price_list,
            contract=contract,
            date=on,
            notes=quotation.notes,
            created_by=actor,
            untaxed_amount=quotation.untaxed_amount,
            tax_amount=quotation.tax_amount,
            total_amount=quotation.total_amount,
        )
    )
    common.copy_lines(source=quotation, line_model=SalesOrderLine, parent_field="order", parent=order, note=f"from quotation {quotation}")
    if contract is not None:
        items = {item.product_id: item.pk for item in contract.items.all()}
        for line_id, product_id in order.lines.filter(price_source="contract").values_list("pk", "product_id"):
            if product_id in items:
                SalesOrderLine.objects.filter(pk=line_id).update(contract_item_id=items[product_id])
    workflow.record_event(order, actor=actor, note=f"created from quotation {quotation}")
    return order


@transaction.atomic
def order_update(*, order: SalesOrder, actor, membership, values: dict, lines=None) -> SalesOrder:
    order = locked(order)
    if order.status != Status.DRAFT:
        raise NotEditable(status=order.status)
    unknown = set(values) - _HEADER_FIELDS
    if unknown:
        raise Invalid({name: ["This field cannot be changed."] for name in sorted(unknown)})
    warehouse = values.get("warehouse")
    if warehouse is not None and (warehouse.company_id != order.company_id or not warehouse.active):
        raise Invalid({"warehouse": ["Unknown warehouse."]})
    for name, value in values.items():
        setattr(order, name, value)
    if "contract" in values:
        order.contract = _active_contract(order.company, order.customer, order.date, values["contract"]) if values["contract"] else None
    elif "date" in values and not _in_force(order.contract, order.date):
        # Only an order dated within a contract's period takes its prices: a new date takes the
        # contract in force on it, if any.
        order.contract = reads.active_contract(order.company_id, order.customer_id, order.date)
    order.save()
    if lines is not None or {"price_list", "currency", "date", "contract"} & set(values):
        _write_lines(order, lines if lines is not None else common.reprice_inputs(order))
    return order


def order_confirm(*, order: SalesOrder, actor, membership) -> SalesOrder:
    """Confirm: check prices against the seller's authority and the customer's credit, then
    number the order and freeze it.

    Below the floor, the order moves to pending approval (that change is kept) and the call
    answers `price_approval_required`; once a manager approves, confirming goes through.
    Over the credit limit or with an invoice overdue too long, the order moves to credit hold
    (kept) and the call answers `credit_limit_exceeded` or `customer_blocked`; a manager or
    accountant then releases it. A blocked customer file refuses with nothing changed.
    """
    refusal = None
    with transaction.atomic():
        order = locked(order)
        if order.status not in (Status.DRAFT, Status.PENDING_APPROVAL):
            raise InvalidTransition(from_status=order.status, to_status=Status.CONFIRMED, allowed=sorted(workflow.allowed_targets(order)))
        lines = reads.order_lines(order)
        if not lines:
            raise Invalid({"lines": ["An order needs at least one line."]})
        below = line_service.breaches(lines, membership)
        if below and not approvals.covers(order, [lines[b.key] for b in below]):
            approval = approvals.request(order=order, actor=actor, lines=lines, breaches=below)
            if order.status == Status.DRAFT:
                workflow.transition(order, to=Status.PENDING_APPROVAL, actor=actor, note="price below floor")
            refusal = PriceApprovalRequired(price_approval=approval.pk, lines=[approvals.describe(line) for line in approval.lines.all()])
        else:
            totals = line_service.apply_totals(lines, order.currency.decimal_places)
            refusal = credit.refusal_for(customer=order.customer, order_amount=in_base(order, totals.total))
            if refusal is not None and order.customer.status == Customer.Status.BLOCKED:
                raise refusal  # the customer's file is blocked: nothing to hold, unblock the customer first
            if refusal is not None:
                common.freeze_totals(order, totals)
                order.save(update_fields=["untaxed_amount", "tax_amount", "total_amount"])
                workflow.transition(order, to=Status.CREDIT_HOLD, actor=actor, note=refusal.code)
            else:
                book_confirmation(order, actor=actor, lines=lines)
    if refusal is not None:
        raise refusal
    return order


@transaction.atomic
def order_delete(*, order: SalesOrder, actor) -> None:
    """Delete a draft order: it has no number yet, so nothing legal is lost. Others are cancelled."""
    order = locked(order)
    if order.status != Status.DRAFT or order.number:
        raise InvalidTransition(
            from_status=order.status, to_status="deleted", allowed=[], reason="only drafts can be deleted; cancel it instead"
        )
    if order.price_approvals.exists():
        raise InvalidTransition(
            from_status=order.status, to_status="deleted", allowed=[], reason="its price requests are on record; cancel it instead"
        )
    from salesdesk.core import audit

    audit.record(
        instance=order, actor=actor, action="delete", before={"customer": str(order.customer), "total": str(order.total_amount)}, after={}
    )
    order.delete()


def _terms(line) -> tuple:
    """What a line sells and at what price (an order line, or a priced line of an amendment)."""
    tax = getattr(line, "tax", None)
    return (line.product.pk, line.unit_price, line.discount_percent, tax.pk if tax is not None else None)


def _label(line: SalesOrderLine) -> str:
    """A line as the user sees it in a message: its place on the order and its product."""
    return f"Line {line.sequence + 1} ({line.product.name})"


def _done(line: SalesOrderLine):
    """What of a line is past changing: invoiced, or goods delivered (services count as delivered at confirmation)."""
    delivered = line.delivered_quantity if line.product.kind == "goods" else ZERO
    return max(delivered, line.invoiced_quantity)


def _has_progress(order: SalesOrder) -> bool:
    """Goods delivered, or money still billed. An order billed on order whose invoices were then
    wholly credited (the customer called it off before delivery) owes nothing and can be cancelled."""
    if order.lines.filter(delivered_quantity__gt=0, product__kind="goods").exists():
        return True
    return order.invoiced_amount > 0 and order.lines.filter(invoiced_quantity__gt=0).exists()


@transaction.atomic
def order_cancel(*, order: SalesOrder, actor, reason: str = "") -> SalesOrder:
    order = locked(order)
    if _has_progress(order):
        raise InvalidTransition(from_status=order.status, to_status=Status.CANCELLED, allowed=[], reason="goods were delivered or invoiced")
    was_confirmed = order.status == Status.CONFIRMED
    workflow.transition(order, to=Status.CANCELLED, actor=actor, note=reason)
    if was_confirmed:
        goods.release_lines(company_id=order.company_id, order_line_ids=list(order.lines.values_list("pk", flat=True)))
        consume_contract(order, -1)
        customer_services.account_add(customer_id=order.customer_id, company_id=order.company_id, open_orders=-order.open_amount)
        order.open_amount = ZERO
        order.save(update_fields=["open_amount"])
    for approval in order.price_approvals.select_for_update().filter(status="pending"):
        approval.reason, approval.decided_at = "order cancelled", timezone.now()
        workflow.transition(approval, to="rejected", actor=actor, note="order cancelled", extra_fields=("reason", "decided_at"))
    return order


def _as_line(priced) -> SalesOrderLine:
    """A priced line in the shape the approval check compares (id, product, price, discount, quantity)."""
    return SalesOrderLine(
        pk=priced.id,
        product_id=priced.product.pk,
        unit_price=priced.unit_price,
        discount_percent=priced.discount_percent,
        quantity=priced.quantity,
    )


def _snapshot(order: SalesOrder) -> dict:
    return {
        "totals": {"untaxed": str(order.untaxed_amount), "tax": str(order.tax_amount), "total": str(order.total_amount)},
        "lines": [
            {
                "id": line.pk,
                "product": line.product_id,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "discount_percent": str(line.discount_percent),
                "amount": str(line.amount),
            }
            for line in order.lines.all()
        ],
    }


@transaction.atomic
def order_amend(*, order: SalesOrder, actor, membership, lines, reason: str = "") -> SalesOrder:
    """Change a confirmed order's undelivered, uninvoiced lines, as a numbered and logged revision."""
    order = locked(order)
    if order.status != Status.CONFIRMED:
        raise InvalidTransition(from_status=order.status, to_status="amended", allowed=[])
    existing = {line.pk: line for line in order.lines.select_related("product", "tax")}
    keep_ids = {raw.get("id") for raw in lines if raw.get("id")}
    errors = {}
    for line_id in keep_ids - set(existing):
        errors.setdefault("lines", []).append(f"Line {line_id} is not a line of this order.")
    held = holds.held(existing)
    for line in existing.values():
        if line.pk not in keep_ids and _done(line) > 0:
            errors.setdefault("lines", []).append(f"{_label(line)} was delivered or invoiced and cannot be removed.")
        elif line.pk not in keep_ids and line.pk in held:
            errors.setdefault("lines", []).append(
                f"{_label(line)} is on {held[line.pk]}: cancel that document first, then remove the line."
            )
    if errors:
        raise Invalid(errors)
    # Give the contract back what this order drew, so the new lines are priced against what remains.
    consume_contract(order, -1)
    contract = Contract.objects.prefetch_related("items").get(pk=order.contract_id) if order.contract_id else None
    priced = line_service.build(
        company=order.company,
        customer=order.customer,
        currency=order.currency.code,
        on=order.date,
        raw_lines=lines,
        price_list=order.price_list,
        contract=contract,
    )
    for new in priced:
        old = existing.get(new.id)
        if old is not None and new.quantity < _done(old):
            raise Invalid({"lines": [f"{_label(old)}: cannot order less than was delivered or invoiced ({_done(old).normalize():f})."]})
        if old is not None and _done(old) > 0 and _terms(new) != _terms(old):
            # What left the warehouse or was billed was that product at that price: only the quantity may grow.
            raise Invalid({"lines": [f"{_label(old)} was delivered or invoiced: its product, price, discount and tax cannot change."]})
        if old is not None and old.pk in held and _terms(new) != _terms(old):
            # The open delivery or draft invoice will ship or bill the line as it was.
            raise Invalid(
                {"lines": [f"{_label(old)} is on {held[old.pk]}: its product, price, discount and tax cannot change until that is done."]}
            )
    # Lines a manager already approved at these exact prices stay approved.
    below = [
        b
        for b in line_service.breaches(priced, membership)
        if not (priced[b.key].id and approvals.covers(order, [_as_line(priced[b.key])]))
    ]
    if below:
        raise PriceApprovalRequired(
            lines=[
                {
                    "product": priced[b.key].product.pk,
                    "net_unit_price": str(b.net_unit_price),
                    "floor_price": str(b.floor),
                    "allowed_price": str(b.allowed),
                }
                for b in below
            ]
        )
    totals = line_service.apply_totals(priced, order.currency.decimal_places)
    increase = in_base(order, totals.total) - in_base(order, order.total_amount)
    if increase > 0:
        refusal = credit.refusal_for(customer=order.customer, order_amount=increase)
        if refusal is not None:
            raise refusal  # the amendment is refused and nothing changes; the order stays as confirmed
    SalesOrderRevision.objects.create(
        company=order.company, order=order, revision=order.revision + 1, actor=actor, reason=reason, snapshot=_snapshot(order)
    )
    removed = [pk for pk in existing if pk not in keep_ids]
    goods.release_lines(company_id=order.company_id, order_line_ids=removed)
    holds.let_go(removed)  # closed deliveries and cancelled drafts stop pointing at the removed lines
    for line in existing.values():
        if line.pk not in keep_ids:
            try:
                line.delete()
            except ProtectedError as exc:  # the whole amendment is undone with the refusal
                raise Invalid({"lines": [f"{_label(line)} is on a posted invoice or a shipped delivery and cannot be removed."]}) from exc
    for i, new in enumerate(priced):
        values = {**new.model_values(), "contract_item": new.contract_item}
        old = existing.get(new.id)
        if old is not None:
            was_service = old.product.kind != "goods"
            for name, value in values.items():
                setattr(old, name, value)
            if old.product.kind != "goods":
                old.delivered_quantity = old.quantity  # a service counts as delivered as ordered
            elif was_service:
                old.delivered_quantity = ZERO  # now goods: they are still to ship
            old.sequence = i
            old.save()
        else:
            SalesOrderLine.objects.create(company=order.company, order=order, sequence=i, **values)
    consume_contract(order, +1)
    common.freeze_totals(order, totals)
    order.revision += 1
    # What is still to invoice moves by the change in value, never below nothing.
    new_open = max(order.open_amount + increase, ZERO)
    customer_services.account_add(customer_id=order.customer_id, company_id=order.company_id, open_orders=new_open - order.open_amount)
    order.open_amount = new_open
    # New lines may leave a paid order owing again, and removed ones may leave nothing owed.
    invoicing.money_states(order, [(line.quantity, line.invoiced_quantity) for line in order.lines.all()])
    order.save(update_fields=["untaxed_amount", "tax_amount", "total_amount", "revision", "open_amount", "invoice_state", "payment_state"])
    goods.rereserve_order(order)
    goods.refresh_states(order, actor=actor)
    workflow.record_event(order, actor=actor, note=f"amended (revision {order.revision}){': ' + reason if reason else ''}")
    return order
