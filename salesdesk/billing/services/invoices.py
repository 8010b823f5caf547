"""Invoices and credit notes: drafts from an order or by hand, posting, cancelling and crediting.

Posting is the legal step: in one transaction the invoice takes the next number of its
series and year (a failed posting gives it back), freezes its totals, gets its instalments
and due date from the payment term, writes its ledger entry, bills the order's lines and
applies the order's deposits when the company says so.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.billing.errors import NothingToInvoice, OverCredit
from salesdesk.billing.models import Invoice, InvoiceInstalment, InvoiceLine, InvoicePolicy
from salesdesk.billing.services import common, open_items, settlement
from salesdesk.catalog.models import Product, Tax
from salesdesk.core import arithmetic, bulk, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.money import HUNDRED, ZERO, split
from salesdesk.fulfilment.models import Delivery
from salesdesk.ledger import services as ledger
from salesdesk.ledger.models import Account
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


def _write_lines(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    InvoiceLine.objects.filter(invoice=invoice).delete()
    totals = line_service.apply_totals(lines, invoice.currency.decimal_places)
    for i, line in enumerate(lines):
        line.invoice, line.sequence, line.company = invoice, i, invoice.company
    InvoiceLine.objects.bulk_create(lines)
    invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount = totals.untaxed, totals.tax, totals.total
    invoice.save(update_fields=["untaxed_amount", "tax_amount", "total_amount"])


def _check_customer(company, membership, customer) -> None:
    from salesdesk.sales.services.common import check_customer

    check_customer(company, membership, customer)


@transaction.atomic
def invoice_create(
    *, company, actor, membership, customer, lines, issue_date=None, currency=None, payment_term=None, notes="", customer_reference=""
) -> Invoice:
    """A manual invoice (not from an order): lines typed by the accountant."""
    _check_customer(company, membership, customer)
    if payment_term is not None and payment_term.company_id != company.pk:
        raise Invalid({"payment_term": ["Unknown payment term."]})
    built = _manual_lines(company, lines)
    invoice = Invoice.objects.create(
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
    _write_lines(invoice, built)
    workflow.record_event(invoice, actor=actor, note="created")
    return invoice


def _draft_quantities(order_line_ids) -> dict[int, Decimal]:
    """Quantities already on draft invoices, per order line (so two drafts never bill the same goods)."""
    pending: dict[int, Decimal] = {}
    rows = InvoiceLine.objects.filter(
        order_line_id__in=order_line_ids, invoice__status=Status.DRAFT, invoice__kind=Kind.INVOICE
    ).values_list("order_line_id", "quantity")
    for line_id, quantity in rows:
        pending[line_id] = pending.get(line_id, ZERO) + quantity
    return pending


@transaction.atomic
def invoice_from_order(*, order: SalesOrder, actor, membership, lines=None, issue_date=None, delivery=None) -> Invoice:
    """A draft invoice for what the order has left to bill under its policy, or for chosen quantities.

    `lines` is a list of {order_line, quantity}; asking for more than is left gives 409 `over_invoicing`.
    With a shipped `delivery` of the order, the invoice bills that delivery's goods not billed yet."""
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer", "currency", "company").get(pk=order.pk)
    if order.status not in (SalesOrder.Status.CONFIRMED, SalesOrder.Status.CLOSED):
        raise InvalidTransition(from_status=order.status, to_status="invoiced", allowed=[], reason="only confirmed orders are invoiced")
    on_delivery = common.invoice_policy(order.company, order.customer) == InvoicePolicy.ON_DELIVERY
    order_lines = {line.pk: line for line in order.lines.select_related("product", "tax")}
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
            InvoiceLine(
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
    invoice = Invoice.objects.create(
        company=order.company,
        customer=order.customer,
        salesperson_id=order.salesperson_id,
        sales_order=order,
        delivery=delivery,
        currency=order.currency,
        issue_date=issue_date or timezone.localdate(),
        payment_term=order.customer.payment_term,
        customer_reference=order.customer_reference,
        created_by=actor,
    )
    _write_lines(invoice, built)
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
    return (
        Invoice.objects.select_for_update(of=("self",))
        # A credit note reads its invoice when it needs it: joining it would read an
        # invoice's 40 columns (empty ones, for an invoice) on every lock.
        .select_related("company", "currency", "customer", "payment_term", "sales_order")
        .get(pk=invoice.pk, company_id=invoice.company_id)
    )


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


def instalments_for(invoice: Invoice) -> list[tuple[int, object, Decimal]]:
    """(sequence, due date, amount) from the payment term; the amounts add up exactly to the total."""
    term_lines = list(invoice.payment_term.lines.all()) if invoice.payment_term_id else []
    if not term_lines or invoice.kind == Kind.CREDIT_NOTE:
        return [(0, invoice.issue_date, invoice.total_amount)]
    amounts = split(invoice.total_amount, [line.percent for line in term_lines], invoice.currency.decimal_places)
    return [
        (i, invoice.issue_date + timedelta(days=line.days), amount)
        for i, (line, amount) in enumerate(zip(term_lines, amounts, strict=True))
    ]


def _ledger_lines(invoice: Invoice) -> list[dict]:
    """Receivable against revenue and tax, in the company's currency; a credit note the other way round."""
    total = common.to_base(invoice.total_amount, invoice.rate)
    untaxed = common.to_base(invoice.untaxed_amount, invoice.rate)
    tax = total - untaxed  # so the entry balances and the receivable is exactly the converted total
    receivable = {"role": Account.Role.RECEIVABLE, "customer": invoice.customer, "memo": invoice.number}
    others = [
        {"role": Account.Role.REVENUE, "amount": untaxed, "memo": invoice.number},
        {"role": Account.Role.TAX_PAYABLE, "amount": tax, "memo": invoice.number},
    ]
    debit_side = invoice.kind == Kind.INVOICE
    result = [{**receivable, "debit" if debit_side else "credit": total}]
    for line in others:
        if line["amount"] > 0:
            result.append({"role": line["role"], "memo": line["memo"], "credit" if debit_side else "debit": line["amount"]})
    return result


# What posting sets on the invoice, saved with its new status in one UPDATE.
_POSTED_FIELDS = (
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    "rate",
    "series",
    "year",
    "sequence",
    "number",
    "due_date",
    "next_due_date",
    "amount_due",
    "posted_at",
    "posted_by",
    "journal_entry",
)


def invoice_post(*, invoice: Invoice, actor) -> Invoice:
    """Post a draft: legal number, frozen totals, instalments and due date, ledger entry, order billed."""
    with transaction.atomic():
        if invoice.sales_order_id:
            # The order before the invoice, as confirmation and amendment lock it before the customer's row.
            SalesOrder.objects.select_for_update().filter(pk=invoice.sales_order_id).values_list("pk").first()
        invoice = _locked(invoice)
        if invoice.status != Status.DRAFT:
            raise InvalidTransition(from_status=invoice.status, to_status=Status.POSTED, allowed=sorted(workflow.allowed_targets(invoice)))
        lines = list(invoice.lines.select_related("tax").order_by("sequence", "id"))
        if not lines:
            raise Invalid({"lines": ["An invoice needs at least one line."]})
        for line in lines:
            line.tax_rate = line.tax.rate if line.tax else None
            line.tax_included = bool(line.tax and line.tax.included_in_price)
        totals = line_service.apply_totals(lines, invoice.currency.decimal_places)
        invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount = totals.untaxed, totals.tax, totals.total
        if invoice.original_invoice_id:
            invoice.rate = invoice.original_invoice.rate  # a credit note takes back at the invoice's own rate
        else:
            invoice.rate = common.rate_for(invoice.company, invoice.currency, invoice.issue_date)
        invoice.series = Invoice.SERIES[invoice.kind]
        invoice.year = invoice.issue_date.year
        invoice.sequence, invoice.number = common.take_number(invoice.company, invoice.series, invoice.issue_date)
        instalments = instalments_for(invoice)
        InvoiceInstalment.objects.bulk_create(
            InvoiceInstalment(company=invoice.company, invoice=invoice, sequence=seq, due_date=due, amount=amount)
            for seq, due, amount in instalments
        )
        invoice.due_date = max(due for _, due, _ in instalments)
        invoice.next_due_date = min(due for _, due, _ in instalments) if invoice.total_amount > 0 else None
        invoice.amount_due = invoice.total_amount
        invoice.posted_at, invoice.posted_by = timezone.now(), actor
        bulk.save_each(lines, ["amount", "tax_rate", "tax_included"])
        if invoice.total_amount > 0:
            invoice.journal_entry = ledger.post_entry(
                company=invoice.company,
                date=invoice.issue_date,
                memo=invoice.number,
                lines=_ledger_lines(invoice),
                actor=actor,
                source=invoice,
            )
        workflow.transition(invoice, to=Status.POSTED, actor=actor, extra_fields=_POSTED_FIELDS)
        # Its open items before anything settles it (the order's deposits, a credit note's use).
        open_items.sync_invoice(invoice, [(due, amount) for _, due, amount in instalments], fresh=True)
        if invoice.kind == Kind.INVOICE:
            billing = common.billing_settings(invoice.company)
            _bill_order(invoice, lines, billing)
            settlement.refresh_oldest_due(invoice.company_id, invoice.customer_id)
            if invoice.sales_order_id and billing.apply_deposits_automatically:
                from salesdesk.billing.services.deposits import apply_order_deposits

                apply_order_deposits(invoice=invoice, actor=actor)
        else:
            _take_back(invoice, lines, actor)
        if invoice.amount_due == 0 and invoice.total_amount == 0:
            workflow.transition(invoice, to=Status.PAID, actor=actor, note="nothing to pay")
    invoice.refresh_from_db()
    return invoice


def _bill_order(invoice: Invoice, lines: list[InvoiceLine], billing) -> None:
    if not invoice.sales_order_id:
        return
    quantities: dict[int, Decimal] = {}
    for line in lines:
        if line.order_line_id:
            quantities[line.order_line_id] = quantities.get(line.order_line_id, ZERO) + line.quantity
    order = invoice.sales_order
    customer = invoice.customer if invoice.customer_id == order.customer_id else order.customer
    if common.invoice_policy(invoice.company, customer, billing) == InvoicePolicy.ON_DELIVERY:
        # Goods may have come back (refused) since the draft was made: bill only what the customer has.
        billable = sales_services.billable_quantities(order, on_delivery=True)
        for line_id, quantity in sorted(quantities.items()):
            if quantity > billable.get(line_id, ZERO):
                raise OverInvoicing(order_line=line_id, quantity=str(quantity), billable=str(billable.get(line_id, ZERO)))
    sales_services.order_record_invoice(order=invoice.sales_order, quantities=quantities, amount=invoice.total_amount)


def _take_back(credit_note: Invoice, lines: list[InvoiceLine], actor) -> None:
    """A posted credit note takes its quantities back from the invoice lines and settles the invoice."""
    for line in sorted(lines, key=lambda line: line.original_line_id or 0):
        if line.original_line_id is None:
            continue
        updated = arithmetic.bump(
            InvoiceLine,
            where={"id": line.original_line_id},
            add={"credited_quantity": line.quantity},
            places=arithmetic.QUANTITY_PLACES,
            room={"credited_quantity": "quantity"},
        )
        if not updated:
            raise OverCredit(invoice_line=line.original_line_id, quantity=str(line.quantity))
    original = credit_note.original_invoice
    if original is None:
        return
    original = Invoice.objects.select_for_update(of=("self",)).select_related("sales_order").get(pk=original.pk)
    used = min(credit_note.total_amount, original.amount_due)
    if used > 0:
        settlement.settle(original, actor=actor, credited=used)
        settlement.settle(credit_note, actor=actor, paid=used)
    if original.sales_order_id:
        # A credit note for goods refused at the door hands them back to the order, to deliver and bill again.
        given_back: dict[int, Decimal] = {}
        if credit_note.delivery_id:
            for line in lines:
                if line.order_line_id:
                    given_back[line.order_line_id] = given_back.get(line.order_line_id, ZERO) + line.quantity
        sales_services.order_record_credit(order=original.sales_order, amount=credit_note.total_amount, quantities=given_back or None)
