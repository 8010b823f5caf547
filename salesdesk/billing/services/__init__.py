"""Billing services: every write of invoices, credit notes, payments, deposits, write-offs and dunning.

All keyword-only. Bad input raises `core.errors.Invalid` (400, details name the field; list
inputs give one dict of errors per item); refused business rules raise a `DomainError` (409):
`invalid_transition`, `over_invoicing`, `nothing_to_invoice`, `over_allocation`, `over_credit`,
`not_open`, `no_exchange_rate`, `not_editable`.

- `invoice_create(company=, actor=, membership=, customer=, lines=[{product, quantity, unit_price?, discount_percent?, tax?, description?}], issue_date=None, currency=None, payment_term=None, notes="", customer_reference="")` -> draft manual invoice
- `invoice_from_order(order=, actor=, membership=, lines=None | [{order_line: id|SalesOrderLine, quantity}], issue_date=None, delivery=None)` -> draft for what is left to bill (policy on order: ordered; on delivery: shipped); with `delivery`, that delivery's goods not billed yet
- `invoice_update(invoice=, actor=, values={issue_date, notes, customer_reference, payment_term}, lines=None)` (drafts; lines only on manual invoices)
- `invoice_post(invoice=, actor=)` -> posted (number `INV-2026-00001` / `CN-...`, instalments, due date, ledger entry, order billed, deposits applied)
- `invoice_cancel(invoice=, actor=, reason="")` (drafts only)
- `invoice_credit(invoice=, actor=, lines=None | [{invoice_line: id, quantity}], reason="", post=True, delivery=None, return_request=None)` -> credit note
- `delivery_refuse(delivery=, actor=, reason=)` -> (delivery, credit notes): goods back, cost reversed, billed goods credited, one transaction
- `return_credit(request=, actor=)` -> (return, credit notes) at the prices invoiced
- `dispute_open(invoice=, actor=, reason=<code>, amount=None, note="")`, `dispute_resolve(dispute=, actor=, outcome="credit_note"|"write_off"|"collect", note="")`
- `invoice_send(invoice=, actor=, to=None)` (posted; emails the PDF)
- `invoice_write_off(invoice=, actor=, reason=, amount=None)` -> WriteOff (the rest by default)
- `credit_note_apply(credit_note=, invoice=, amount=, actor=)`
- `payment_create(company=, actor=, customer=, amount=, date=None, method="bank_transfer", reference="", currency=None, allocations=[{invoice: Invoice|id, amount}])`
- `payment_allocate(payment=, actor=, allocations=[...])`, `payment_reverse(payment=, actor=, reason="")`
- `deposit_create(company=, actor=, customer=, amount=, date=None, sales_order=None, method=, reference="", currency=None)`
- `deposit_apply(deposit=, invoice=, amount=None, actor=)`, `deposit_refund(deposit=, actor=, amount=None, reason="")`
- `dunning_run(company=, actor=, on=None, send=True)` -> letters; `dunning_send(letter=, actor=, to=None)`
- `billing_settings_update(company=, actor=, values={...})`
"""

from salesdesk.billing.services.credit_notes import invoice_credit
from salesdesk.billing.services.deposits import deposit_apply, deposit_create, deposit_refund
from salesdesk.billing.services.disputes import dispute_open, dispute_resolve
from salesdesk.billing.services.dunning import dunning_run, dunning_send, invoice_send
from salesdesk.billing.services.goods import delivery_refuse, return_credit
from salesdesk.billing.services.invoices import (
    invoice_cancel,
    invoice_create,
    invoice_from_order,
    invoice_update,
)
from salesdesk.billing.services.payments import credit_note_apply, payment_allocate, payment_create, payment_reverse
from salesdesk.billing.services.posting import invoice_post
from salesdesk.billing.services.settings import billing_settings_update
from salesdesk.billing.services.writeoffs import invoice_write_off

__all__ = [
    "billing_settings_update",
    "credit_note_apply",
    "delivery_refuse",
    "deposit_apply",
    "deposit_create",
    "deposit_refund",
    "dispute_open",
    "dispute_resolve",
    "dunning_run",
    "dunning_send",
    "invoice_cancel",
    "invoice_create",
    "invoice_credit",
    "invoice_from_order",
    "invoice_post",
    "invoice_send",
    "invoice_update",
    "invoice_write_off",
    "payment_allocate",
    "payment_create",
    "payment_reverse",
    "return_credit",
]
