"""Posting an invoice or a credit note: the legal step.

In one transaction the invoice takes the next number of its series and year (a failed
posting gives it back), freezes its totals, gets its instalments and due date from the
payment term, writes its ledger entry, bills the order's lines and applies the order's
deposits when the company says so. A posted credit note takes its quantities back from
the invoice it credits and settles it.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.billing import reads
from salesdesk.billing.errors import OverCredit
from salesdesk.billing.models import Invoice, InvoiceInstalment, InvoiceLine, InvoicePolicy
from salesdesk.billing.services import common, open_items, settlement
from salesdesk.billing.services.invoices import _locked
from salesdesk.core import arithmetic, bulk, rows, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.core.locking import lock_keys
from salesdesk.core.money import ZERO, split
from salesdesk.core.prepared import Prepared
from salesdesk.customers.models import PaymentTermLine
from salesdesk.ledger import services as ledger
from salesdesk.ledger.models import Account
from salesdesk.sales import services as sales_services
from salesdesk.sales.errors import OverInvoicing
from salesdesk.sales.models import SalesOrder
from salesdesk.sales.services import lines as line_service

Status = Invoice.Status
Kind = Invoice.Kind


_TERM_LINES = Prepared(lambda term: PaymentTermLine.objects.filter(term_id=term), int)


def instalments_for(invoice: Invoice) -> list[tuple[int, object, Decimal]]:
    """(sequence, due date, amount) from the payment term; the amounts add up exactly to the total."""
    term_lines = _TERM_LINES.all(invoice.payment_term_id) if invoice.payment_term_id else []
    if not term_lines or invoice.kind == Kind.CREDIT_NOTE:
        return [(0, invoice.issue_date, invoice.total_amount)]
    amounts = split(invoice.total_amount, [line.percent for line in term_lines], invoice.currency.decimal_places)
    try:
        return [
            (i, invoice.issue_date + timedelta(days=line.days), amount)
            for i, (line, amount) in enumerate(zip(term_lines, amounts, strict=True))
        ]
    except OverflowError:  # a due date past the calendar's last day
        raise Invalid({"issue_date": ["Too far in the future for the payment term's due dates."]}) from None


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
    "billed_to",
    "issued_by",
    "journal_entry",
)


def invoice_post(*, invoice: Invoice, actor) -> Invoice:
    """Post a draft: legal number, frozen totals, instalments and due date, ledger entry, order billed."""
    with transaction.atomic():
        if invoice.sales_order_id:
            # The order before the invoice, as confirmation and amendment lock it before the customer's row.
            lock_keys(SalesOrder, [invoice.sales_order_id])
        invoice = _locked(invoice)
        if invoice.status != Status.DRAFT:
            raise InvalidTransition(from_status=invoice.status, to_status=Status.POSTED, allowed=sorted(workflow.allowed_targets(invoice)))
        lines = reads.invoice_lines(invoice)
        if not lines:
            raise Invalid({"lines": ["An invoice needs at least one line."]})
        common.freeze_taxes(invoice, lines)
        totals = line_service.apply_totals(lines, invoice.currency.decimal_places, frozen=True)
        invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount = totals.untaxed, totals.tax, totals.total
        if invoice.original_invoice_id:
            invoice.rate = invoice.original_invoice.rate  # a credit note takes back at the invoice's own rate
        else:
            invoice.rate = common.rate_for(invoice.company, invoice.currency, invoice.issue_date)
        invoice.series = Invoice.SERIES[invoice.kind]
        invoice.year = invoice.issue_date.year
        invoice.sequence, invoice.number = common.take_number(invoice.company, invoice.series, invoice.issue_date)
        instalments = instalments_for(invoice)
        rows.insert_many(
            InvoiceInstalment(company=invoice.company, invoice=invoice, sequence=seq, due_date=due, amount=amount)
            for seq, due, amount in instalments
        )
        invoice.due_date = max(due for _, due, _ in instalments)
        invoice.next_due_date = min(due for _, due, _ in instalments) if invoice.total_amount > 0 else None
        invoice.amount_due = invoice.total_amount
        invoice.posted_at, invoice.posted_by = timezone.now(), actor
        invoice.billed_to = common.billed_to(invoice.customer, invoice.company)
        invoice.issued_by = common.issued_by(invoice.company)
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
        settled = invoice.kind != Kind.INVOICE  # a credit note settles its invoice and itself below
        if invoice.kind == Kind.INVOICE:
            billing = common.billing_settings(invoice.company)
            _bill_order(invoice, lines, billing)
            settlement.refresh_oldest_due(invoice.company_id, invoice.customer_id)
            if invoice.sales_order_id and billing.apply_deposits_automatically:
                from salesdesk.billing.services.deposits import apply_order_deposits

                settled = apply_order_deposits(invoice=invoice, actor=actor)
        else:
            _take_back(invoice, lines, actor)
        if invoice.amount_due == 0 and invoice.total_amount == 0:
            workflow.transition(invoice, to=Status.PAID, actor=actor, note="nothing to pay")
    # What settled it (deposits, a credit note's use) moved its figures by conditional updates
    # in the database: read them back. Otherwise every figure it has was set on it above.
    return reads.fresh_invoice(invoice) if settled else invoice


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
        settlement.credit_used(credit_note, original, used, actor=actor, on=credit_note.issue_date)
    if original.sales_order_id:
        # A credit note for goods refused at the door hands them back to the order, to deliver and bill again.
        given_back: dict[int, Decimal] = {}
        if credit_note.delivery_id:
            for line in lines:
                if line.order_line_id:
                    given_back[line.order_line_id] = given_back.get(line.order_line_id, ZERO) + line.quantity
        sales_services.order_record_credit(order=original.sales_order, amount=credit_note.total_amount, quantities=given_back or None)
        # What the invoice no longer needed had been paid: that money is now the customer's credit
        # (used on whichever invoice it is applied to), no longer a payment of this order.
        back = min(credit_note.total_amount - used, original.amount_paid)
        if back > 0:
            sales_services.order_record_payment(order=original.sales_order, amount=-back)
