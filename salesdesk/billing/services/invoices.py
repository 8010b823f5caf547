"""Invoice drafts: from an order (what is left to bill, or one delivery's goods) or by hand;
changing and cancelling a draft. Posting is in `posting`."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.billing import reads
from salesdesk.billing.errors import NothingToInvoice
from salesdesk.billing.models import Invoice, InvoiceLine, InvoicePolicy
from salesdesk.billing.services import common
from salesdesk.catalog.models import Product, Tax
from salesdesk.core import instances, rows, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.money import HUNDRED, ZERO
from salesdesk.core.prepared import PreparedByKeys
from salesdesk.fulfilment.models import Delivery
from salesdesk.sales import reads as sales_reads
from salesdesk.sales import services as sales_services
from salesdesk.sales.errors import NotEditable, OverInvoicing
from salesdesk.sales.models import SalesOrder, SalesOrderLine
from salesdesk.sales.services import lines as line_service

Status = Invoice.Status
Kind = Invoice.Kind
_HEADER_FIELDS = {"issue_date", "notes", "customer_reference", "payment_term"}


def _decimal(value, errors: dict, field: str, *, minimum: Decimal | None = None) -> Decimal | None:
    if value is None or isinstance(value, (bool, float)):
        errors[field] = ["Give a number."]
        return None
    try:
        value = Decimal(str(value))
    except ArithmeticError:
        errors[field] = ["Not a number."]
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e10") or value != value.quantize(Decimal("0.0001")):
        errors[field] = ["Not a valid number (at most 4 decimal places)."]
        return None
    if minimum is not None and value < minimum:
        errors[field] = [f"Must be at least {minimum}."]
        return None
    return value


def _manual_lines(company, raw_lines) -> list[InvoiceLine]:
    """Unsaved lines from input {product, quantity, unit_price?, discount_percent?, tax?, description?}."""
    if not isinstance(raw_lines, (list, tuple)) or not raw_lines:
        raise Invalid({"lines": ["An invoice needs at least one line."]})
    built, line_errors, failed = [], [], False
    for raw in raw_lines:
        errors: dict = {}
        product = raw.get("product") if isinstance(raw, dict) else None
        if not isinstance(product, Product) or product.company_id != company.pk:
            errors["product"] = ["Unknown product."]
            product = None
        quantity = _decimal(raw.get("quantity") if isinstance(raw, dict) else None, errors, "quantity", minimum=Decimal("0.0001"))
        price = raw.get("unit_price") if isinstance(raw, dict) else None
        unit_price = (product.list_price if product else ZERO) if price is None else _decimal(price, errors, "unit_price", minimum=ZERO)
        discount = _decimal(raw.get("discount_percent", ZERO) if isinstance(raw, dict) else ZERO, errors, "discount_percent", minimum=ZERO)
        if discount is not None and discount > HUNDRED:
            errors["discount_percent"] = ["At most 100."]
        tax = raw.get("tax", product.tax if product else None) if isinstance(raw, dict) else None
        if tax is not None and (not isinstance(tax, Tax) or tax.company_id != company.pk):
            errors["tax"] = ["Unknown tax."]
        line_errors.append(errors)
        failed = failed or bool(errors)
        if not errors:
            built.append(
                InvoiceLine(
                    company=company,
                    product=product,
                    description=str(raw.get("description") or product.name)[:300],
                    quantity=quantity,
                    unit_price=unit_price,
                    discount_percent=discount,
                    tax=tax,
                )
            )
    if failed:
        raise Invalid({"lines": line_errors})
    return built


def _write_lines(invoice: Invoice, lines: list[InvoiceLine], new: bool = False) -> Invoice:
    """The invoice's lines replaced by `lines`, and its totals. `new`: the invoice is not
    stored yet; it goes in with its totals, then its lines (no second write of the invoice)."""
    if not new:
        InvoiceLine.objects.filter(invoice=invoice).delete()
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    if credit_note:
        common.freeze_taxes(invoice, lines)  # the draft shows what posting will take back
    totals = line_service.apply_totals(lines, invoice.currency.decimal_places, frozen=credit_note)
    invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount = totals.untaxed, totals.tax, totals.total
    if new:
        rows.insert(invoice)
    for i, line in enumerate(lines):
        line.invoice, line.sequence, line.company = invoice, i, invoice.company
    rows.insert_many(lines)
    if not new:
        rows.save_fields(invoice, ["untaxed_amount", "tax_amount", "total_amount"])
    return invoice


def _check_customer(company, membership, customer):
    from salesdesk.sales.services.common import check_customer

    return check_customer(company, membership, customer)


@transaction.atomic
def invoice_create(
    *, company, actor, membership, customer, lines, issue_date=None, currency=None, payment_term=None, notes="", customer_reference=""
) -> Invoice:
    """A manual invoice (not from an order): lines typed by the accountant."""
    customer = _check_customer(company, membership, customer)
    if payment_term is not None and payment_term.company_id != company.pk:
        raise Invalid({"payment_term": ["Unknown payment term."]})
    built = _manual_lines(company, lines)
    invoice = Invoice(
        company=company,
        customer=customer,
        salesperson=customer.salesperson,
        currency=common.document_currency(company, customer, currency),
        issue_date=issue_date or timezone.localdate(),
        payment_term=payment_term or customer.payment_term,
        notes=notes,
        customer_reference=customer_reference,
        created_by=actor,
    )
    _write_lines(invoice, built, new=True)
    workflow.record_event(invoice, actor=actor, note="created")
    return invoice


_DRAFTED = PreparedByKeys(
    lambda *lines: (
        InvoiceLine.objects.filter(order_line_id__in=lines, invoice__status=Status.DRAFT, invoice__kind=Kind.INVOICE)
        .order_by()
        .values_list("order_line_id", "quantity")
    ),
    rows="tuples",
)


def _draft_quantities(order_line_ids) -> dict[int, Decimal]:
    """Quantities already on draft invoices, per order line (so two drafts never bill the same goods)."""
    pending: dict[int, Decimal] = {}
    rows = _DRAFTED.all(keys=order_line_ids)
    for line_id, quantity in rows:
        pending[line_id] = pending.get(line_id, ZERO) + quantity
    return pending


@transaction.atomic
def invoice_from_order(*, order: SalesOrder, actor, membership, lines=None, issue_date=None, delivery=None) -> Invoice:
    """A draft invoice for what the order has left to bill under its policy, or for chosen quantities.

    `lines` is a list of {order_line, quantity}; asking for more than is left gives 409 `over_invoicing`.
    With a shipped `delivery` of the order, the invoice bills that delivery's goods not billed yet."""
    order = sales_reads.locked_order(order)
    if order.status not in (SalesOrder.Status.CONFIRMED, SalesOrder.Status.CLOSED):
        raise InvalidTransition(from_status=order.status, to_status="invoiced", allowed=[], reason="only confirmed orders are invoiced")
    on_delivery = common.invoice_policy(order.company, order.customer) == InvoicePolicy.ON_DELIVERY
    order_lines = {line.pk: line for line in sales_reads.order_lines(order)}
    left = sales_services.billable_quantities(order, on_delivery=on_delivery, lines=order_lines.values())
    for line_id, quantity in _draft_quantities(list(order_lines)).items():
        left[line_id] = left.get(line_id, ZERO) - quantity
    if delivery is not None:
        delivery, left = _delivery_billable(order, delivery, left)
    if lines is None:
        wanted = {line_id: quantity for line_id, quantity in left.items() if quantity > 0}
    else:
        wanted, line_errors, failed = {}, [], False
        for raw in lines:
            errors: dict = {}
            ref = raw.get("order_line") if isinstance(raw, dict) else None
            line_id = ref.pk if isinstance(ref, SalesOrderLine) else ref
            if not isinstance(line_id, int) or isinstance(line_id, bool) or line_id not in order_lines:
                errors["order_line"] = ["Not a line of this order."]
            quantity = _decimal(raw.get("quantity") if isinstance(raw, dict) else None, errors, "quantity", minimum=Decimal("0.0001"))
            line_errors.append(errors)
            failed = failed or bool(errors)
            if not errors:
                wanted[line_id] = wanted.get(line_id, ZERO) + quantity
        if failed:
            raise Invalid({"lines": line_errors})
        for line_id, quantity in wanted.items():
            if quantity > left.get(line_id, ZERO):
                raise OverInvoicing(order_line=line_id, quantity=str(quantity), billable=str(max(left.get(line_id, ZERO), ZERO)))
    if not wanted:
        raise NothingToInvoice(order=order.pk, policy="on_delivery" if on_delivery else "on_order")
    built = []
    for line_id in sorted(wanted, key=lambda pk: (order_lines[pk].sequence, pk)):
        source = order_lines[line_id]
        built.append(
            instances.new(
                InvoiceLine,
                company=order.company,
                order_line=source,
                product=source.product,
                description=source.description or source.product.name,
                quantity=wanted[line_id],
                unit_price=source.unit_price,
                discount_percent=source.discount_percent,
                tax=source.tax,
            )
        )
    invoice = instances.new(
        Invoice,
        company=order.company,
        customer=order.customer,
        salesperson_id=order.salesperson_id,
        sales_order=order,
        delivery=delivery,
        currency=order.currency,
        issue_date=issue_date or timezone.localdate(),
        payment_term_id=order.customer.payment_term_id,
        customer_reference=order.customer_reference,
        created_by=actor,
    )
    _write_lines(invoice, built, new=True)
    source = f"delivery {delivery.number}" if delivery is not None else f"order {order.number}"
    workflow.record_event(invoice, actor=actor, note=f"created from {source}")
    return invoice


def _delivery_billable(order: SalesOrder, delivery, left: dict[int, Decimal]) -> tuple[Delivery, dict[int, Decimal]]:
    """What is left to bill, limited to the delivery's goods less what invoices for that delivery already bill."""
    delivery = Delivery.objects.filter(pk=delivery.pk, company_id=order.company_id).first()
    if delivery is None or delivery.sales_order_id != order.pk or delivery.status not in ("shipped", "delivered"):
        raise Invalid({"delivery": ["Not a shipped delivery of this order."]})
    shipped: dict[int, Decimal] = {}
    for line_id, quantity in delivery.lines.exclude(order_line=None).values_list("order_line_id", "quantity"):
        shipped[line_id] = shipped.get(line_id, ZERO) + quantity
    billed = InvoiceLine.objects.filter(
        invoice__delivery=delivery, invoice__kind=Kind.INVOICE, invoice__status__in=[Status.DRAFT, Status.POSTED, Status.PAID]
    ).values_list("order_line_id", "quantity")
    for line_id, quantity in billed:
        shipped[line_id] = shipped.get(line_id, ZERO) - quantity
    return delivery, {pk: min(qty, left.get(pk, ZERO)) for pk, qty in shipped.items() if min(qty, left.get(pk, ZERO)) > 0}


def _locked(invoice: Invoice) -> Invoice:
    return reads.locked_invoice(invoice)


@transaction.atomic
def invoice_update(*, invoice: Invoice, actor, values: dict, lines=None) -> Invoice:
    """Change a draft: header fields, and the lines of a manual invoice (an order's invoice keeps the order's lines)."""
    invoice = _locked(invoice)
    if invoice.status != Status.DRAFT:
        raise NotEditable(status=invoice.status)
    unknown = set(values) - _HEADER_FIELDS
    if unknown:
        raise Invalid({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if values.get("payment_term") is not None and values["payment_term"].company_id != invoice.company_id:
        raise Invalid({"payment_term": ["Unknown payment term."]})
    for name, value in values.items():
        setattr(invoice, name, value)
    invoice.save()
    if lines is not None:
        if invoice.sales_order_id or invoice.kind == Kind.CREDIT_NOTE:
            raise Invalid({"lines": ["The lines come from the order or the credited invoice; make a new draft instead."]})
        _write_lines(invoice, _manual_lines(invoice.company, lines))
    return invoice


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, actor, reason: str = "") -> Invoice:
    """Cancel a draft. A posted invoice is never cancelled: credit it instead."""
    invoice = _locked(invoice)
    if invoice.status != Status.DRAFT:
        raise InvalidTransition(
            from_status=invoice.status, to_status=Status.CANCELLED, allowed=[], reason="a posted invoice is corrected with a credit note"
        )
    return workflow.transition(invoice, to=Status.CANCELLED, actor=actor, note=reason)
