"""The open items (`OpenItem`): what each posted document leaves open, per due date, in the company's currency.

A document's items are replaced whenever what it leaves open changes: an invoice or credit
note when it posts and whenever `settlement.settle` changes what is due, a payment when it is
received, allocated or reversed. Each runs inside that change's transaction, with the
document locked, so the items always add up to what the ageing report computes from the
documents (a test compares them in every ageing scenario).

`invoice_parts` and `payment_parts` are the one definition of a document's open parts: the
ageing report uses them too.
"""

from datetime import date
from decimal import Decimal

from salesdesk.billing.models import Invoice, OpenItem, Payment
from salesdesk.billing.services.common import to_base
from salesdesk.core import rows
from salesdesk.core.money import ZERO


def unpaid_parts(instalments: list[tuple[date, Decimal]], covered: Decimal) -> list[tuple[date, Decimal]]:
    """What is still open of each instalment, earliest first, once `covered` has paid the earliest ones."""
    parts = []
    left = covered
    for due, amount in sorted(instalments):
        taken = min(amount, max(left, ZERO))
        left -= taken
        if amount - taken > 0:
            parts.append((due, amount - taken))
    return parts


Part = tuple[date | None, Decimal]  # (due date, or none for due now; amount in the company's currency)


def invoice_parts(
    *, kind: str, status: str, amount_due: Decimal, total_amount: Decimal, rate: Decimal, due_date, issue_date, instalments
) -> list[Part]:
    """A posted invoice's open instalments, the earliest paid first; a credit note's unused
    credit, due now and negative. `instalments` are (due date, amount); an invoice without
    any is due in one on its due (or issue) date."""
    if status != Invoice.Status.POSTED or amount_due <= 0:
        return []
    if kind == Invoice.Kind.CREDIT_NOTE:
        return [(None, -to_base(amount_due, rate))]
    parts = unpaid_parts(list(instalments) or [(due_date or issue_date, total_amount)], total_amount - amount_due)
    # Convert the running total, so the parts add up to the invoice's open amount in company currency.
    result, running, converted = [], ZERO, ZERO
    for due, amount in parts:
        running += amount
        value = to_base(running, rate) - converted
        converted += value
        result.append((due, value))
    return result


def parts_of(invoice: Invoice, instalments) -> list[Part]:
    """`invoice_parts` of an invoice as it stands, with its (due date, amount) instalments."""
    return invoice_parts(
        kind=invoice.kind,
        status=invoice.status,
        amount_due=invoice.amount_due,
        total_amount=invoice.total_amount,
        rate=invoice.rate,
        due_date=invoice.due_date,
        issue_date=invoice.issue_date,
        instalments=instalments,
    )


def payment_parts(*, status: str, unallocated_amount: Decimal, rate: Decimal) -> list[Part]:
    """A posted payment's money not yet allocated: the customer's, due now, negative."""
    if status != Payment.Status.POSTED or unallocated_amount <= 0:
        return []
    return [(None, -to_base(unallocated_amount, rate))]


def sync_invoice(invoice: Invoice, instalments=None, *, fresh: bool = False) -> None:
    """Replace the invoice's items with what it leaves open now. `instalments` are read when
    money is still due and they are not given; `fresh` (just posted) has no items to remove."""
    if not fresh:
        rows.delete_where(OpenItem, invoice=invoice.pk)
    if invoice.status != Invoice.Status.POSTED or invoice.amount_due <= 0:
        return
    if instalments is None and invoice.kind == Invoice.Kind.INVOICE:
        instalments = invoice.instalments.values_list("due_date", "amount")
    _write(invoice.company_id, invoice.customer_id, parts_of(invoice, instalments or ()), invoice_id=invoice.pk)


def sync_payment(payment: Payment, *, fresh: bool = False) -> None:
    """Replace the payment's item with its money not yet allocated."""
    if not fresh:
        rows.delete_where(OpenItem, payment=payment.pk)
    parts = payment_parts(status=payment.status, unallocated_amount=payment.unallocated_amount, rate=payment.rate)
    _write(payment.company_id, payment.customer_id, parts, payment_id=payment.pk)


def _write(company_id: int, customer_id: int, parts: list[Part], **document) -> None:
    rows.insert_many(
        OpenItem(company_id=company_id, customer_id=customer_id, due_date=due, amount=amount, **document) for due, amount in parts if amount
    )
