"""What the invoice, payment, deposit and dunning letter pages show, and which buttons the member may use."""

from typing import Any

from django.db.models import F
from django.utils import timezone

from salesdesk.billing import selectors
from salesdesk.billing.models import Deposit, Invoice, InvoiceLine, Payment
from salesdesk.billing.web.forms import ALLOCATION_PREFIX
from salesdesk.core import workflow
from salesdesk.sales.web.display import line_totals, tax_rows

Status = Invoice.Status
Kind = Invoice.Kind


def is_overdue(invoice: Invoice, today=None) -> bool:
    """A posted invoice with money due whose earliest unpaid instalment is past its date."""
    today = today or timezone.localdate()
    return bool(
        invoice.kind == Kind.INVOICE
        and invoice.status == Status.POSTED
        and invoice.amount_due > 0
        and invoice.next_due_date
        and invoice.next_due_date < today
    )


def _events(document) -> list:
    return list(workflow.events_for(document).order_by("at", "id"))


def open_invoices_of(request, customer_id: int, currency_id: int, exclude: int | None = None):
    """The customer's posted invoices with money due, in one currency: what money or credit can settle."""
    qs = (
        selectors.open_invoices(request.company, request.membership)
        .filter(customer_id=customer_id, currency_id=currency_id, kind=Kind.INVOICE)
        .order_by("next_due_date", "id")
    )
    return list(qs.exclude(pk=exclude) if exclude else qs)


def invoice_context(request, invoice: Invoice) -> dict[str, Any]:
    m = request.membership
    lines = list(invoice.lines.select_related("product", "tax"))
    for line in lines:
        line.creditable = line.quantity - line.credited_quantity
    taxes = tax_rows(line_totals(lines, invoice.currency.code))
    posted = invoice.status in (Status.POSTED, Status.PAID)
    is_invoice = invoice.kind == Kind.INVOICE
    change, post = m.has_perm("billing.change_invoice"), m.has_perm("billing.post_invoice")
    draft = invoice.status == Status.DRAFT
    context: dict[str, Any] = {
        "lines": lines,
        "taxes": taxes,
        "instalments": list(invoice.instalments.all()),
        "allocations": list(invoice.allocations.select_related("payment").order_by("date", "id")),
        "deposit_applications": list(invoice.deposit_applications.select_related("deposit").order_by("date", "id")),
        "credit_notes": list(invoice.credit_notes.exclude(status=Status.CANCELLED).order_by("issue_date", "id")) if is_invoice else [],
        "write_offs": list(invoice.write_offs.select_related("actor").order_by("date", "id")),
        "events": _events(invoice),
        "overdue": is_overdue(invoice),
        "can_post": draft and post,
        "can_cancel": draft and change,
        "can_edit": draft and change,
        "lines_editable": draft and change and not invoice.sales_order_id and is_invoice,
        "can_credit": is_invoice and posted and post and m.has_perm("billing.add_invoice") and any(line.creditable > 0 for line in lines),
        "can_send": posted and change,
        "can_write_off": is_invoice and invoice.status == Status.POSTED and invoice.amount_due > 0 and m.has_perm("billing.add_writeoff"),
        "can_record_payment": is_invoice
        and invoice.status == Status.POSTED
        and invoice.amount_due > 0
        and m.has_perm("billing.add_payment"),
        "can_export": posted,
        "default_email": invoice.sent_to or invoice.customer.email,
    }
    if not is_invoice and invoice.status == Status.POSTED and invoice.amount_due > 0 and change:
        context["apply_targets"] = open_invoices_of(request, invoice.customer_id, invoice.currency_id)
        context["can_apply_credit"] = bool(context["apply_targets"])
    return context


def creditable_lines(invoice: Invoice) -> list[InvoiceLine]:
    """The lines of an invoice that still have something to take back."""
    return list(invoice.lines.select_related("product", "tax").filter(credited_quantity__lt=F("quantity")))


def allocation_rows(invoices, data=None, errors=None) -> list[dict]:
    """One row per open invoice for the allocation table: the amount typed (blank by default) and its error."""
    data, errors = data or {}, errors or {}
    return [
        {
            "invoice": invoice,
            "name": f"{ALLOCATION_PREFIX}{invoice.pk}",
            "value": data.get(f"{ALLOCATION_PREFIX}{invoice.pk}", ""),
            "error": errors.get(invoice.pk, ""),
        }
        for invoice in invoices
    ]


def payment_context(request, payment: Payment) -> dict[str, Any]:
    m = request.membership
    posted = payment.status == Payment.Status.POSTED
    change = m.has_perm("billing.change_payment")
    context: dict[str, Any] = {
        "allocations": list(payment.allocations.select_related("invoice").order_by("date", "id")),
        "events": _events(payment),
        "can_reverse": posted and change,
        "can_allocate": posted and change and payment.unallocated_amount > 0,
    }
    if context["can_allocate"]:
        context["allocation_rows"] = allocation_rows(open_invoices_of(request, payment.customer_id, payment.currency_id))
    return context


def deposit_context(request, deposit: Deposit) -> dict[str, Any]:
    m = request.membership
    held = deposit.status == Deposit.Status.HELD and deposit.held_amount > 0
    change = m.has_perm("billing.change_deposit")
    context: dict[str, Any] = {
        "applications": list(deposit.applications.select_related("invoice", "actor").order_by("date", "id")),
        "events": _events(deposit),
        "can_refund": held and change,
        "can_apply": False,
    }
    if held and change:
        context["apply_targets"] = open_invoices_of(request, deposit.customer_id, deposit.currency_id)
        context["can_apply"] = bool(context["apply_targets"])
    return context


def dunning_context(request, letter) -> dict[str, Any]:
    return {
        "letter_lines": list(letter.lines.select_related("invoice").order_by("due_date", "id")),
        "can_send": request.membership.has_perm("billing.change_dunningletter"),
        "default_email": letter.sent_to or letter.customer.email,
    }
