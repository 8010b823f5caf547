"""Sales services: every write of quotations, orders, price approvals and contracts.

## Sales service interface (being written by the lead in `salesdesk/sales/services/` — import from `salesdesk.sales import services`)
All keyword-only; all raise `salesdesk.core.errors.Invalid` (400, `.details` = {field: [msgs]}) for bad input and other `DomainError`s (409, `.code`, `.message`, `.details`) for refused business rules; `InvalidTransition` (code `invalid_transition`) for illegal status moves. `lines` is a list of dicts: `{"product": Product, "quantity": Decimal, "unit_price": Decimal | None (None = price list decides), "discount_percent": Decimal (default 0), "description": str (optional), "tax": Tax | None (optional; default product's tax)}`.
- `services.quotation_create(company=, actor=, membership=, customer=, lines=, valid_until=None, date=None, currency=None, price_list=None, notes="") -> Quotation`
- `services.quotation_update(quotation=, actor=, membership=, values={...header fields...}, lines=None|list)` — drafts only (else 409 `not_editable`)
- `services.quotation_send(quotation=, actor=, to=None)` — emails the PDF (to the customer's email by default) and moves draft→sent; the send is logged as a document event note
- `services.quotation_accept(quotation=, actor=)`, `quotation_reject(quotation=, actor=, reason=)`, `quotation_cancel(quotation=, actor=, reason="")`
- `services.quotation_revise(quotation=, actor=) -> Quotation` (new draft revision, same number, revision+1, `previous` = the old one; old one stays read-only)
- `services.quotation_convert(quotation=, actor=, membership=) -> SalesOrder` (accepted only; the order links `quotation`)
- `services.quotations_expire(company=, today=None) -> int` (sent quotations past valid_until → expired)
- `services.order_create(company=, actor=, membership=, customer=, lines=, quotation=None, contract=None, requested_date=None, date=None, currency=None, price_list=None, notes="", customer_reference="") -> SalesOrder`
- `services.order_update(order=, actor=, membership=, values={...}, lines=None|list)` — drafts only
- `services.order_confirm(order=, actor=, membership=) -> SalesOrder` — gives the gapless number (`SO-2026-00001`), freezes totals, runs the price-floor check; when a line is below the actor's authority it COMMITS the order in `pending_approval` with a new `PriceApproval` and then raises `PriceApprovalRequired` (code `price_approval_required`, details `{"price_approval": id, "lines": [...]}`)
- `services.order_cancel(order=, actor=, reason="")` (refused once anything is delivered or invoiced)
- `services.order_amend(order=, actor=, membership=, lines=, reason="")` — confirmed orders: `lines` is the full new list of lines; each dict may carry `"id"` of an existing line to change it; lines not listed and not delivered/invoiced are removed; runs the floor check again (refused with `price_approval_required` and nothing changed when beyond the actor's band); writes a `SalesOrderRevision` and increments `order.revision`
- `services.order_release_credit(order=, actor=, membership=, reason=)` — a held order (`credit_hold`) is confirmed by a sales manager, accountant or administrator (else 403 `not_allowed_to_release`); confirmation refuses with `credit_limit_exceeded` / `customer_blocked` and moves the order to `credit_hold`
- Goods hooks (`services/goods.py`): confirmation reserves stock per goods line (service lines count as delivered), amendment and cancellation move or release the claims; `order_record_shipment(order=, quantities={line_id: qty}, actor=)` (negative for refused goods), `order_restore_claims(order=, quantities=)`; the order closes itself when delivered, invoiced and paid
- Billing hooks: `billable_quantities(order, on_delivery=)`, `order_record_invoice(order=, quantities={line_id: qty}, amount=)`, `order_record_credit(order=, amount=)`, `order_record_payment(order=, amount=)`
- `services.approval_approve(approval=, actor=, membership=, reason="")`, `services.approval_reject(approval=, actor=, membership=, reason=)` — only a manager of the order's salesperson's team or an administrator (else 403-style `DomainError` code `not_allowed_to_approve`, status 403); after approval, `order_confirm` goes through
- `services.contract_create(company=, actor=, customer=, valid_from=, valid_to=, items=[{"product", "price", "quantity"}], currency=None, allow_over_commitment=False, notes="") -> Contract`, `contract_update(contract=, actor=, values=, items=None)` (draft only), `contract_activate(contract=, actor=)`, `contract_cancel(contract=, actor=)`, `contracts_expire(company=, today=None)`
- Reads in `salesdesk.sales.selectors`: `quotations_visible(company, membership)`, `orders_visible(company, membership)`, `approvals_pending_for(company, membership)`, `contracts_visible(company, membership)`, `price_overrides_report(company, membership, year=None)` -> rows `{salesperson, month, lines, given_away}`, `order_progress(order)` -> `{"delivery_state","invoice_state","payment_state"}`, `price_preview(company=, customer=, product=, quantity=, on=, currency=None, price_list=None)` -> `catalog.pricing.PriceResult` (with `.unit_price`, `.explanation` list of sentences, `.floor_price`), `contracts_expiring(company, membership, days=30)`.
- Models in `salesdesk/sales/models.py` (already committed): Quotation, QuotationLine, SalesOrder, SalesOrderLine, SalesOrderRevision, PriceApproval, PriceApprovalLine, Contract, ContractItem, SalesSettings. Document events (history) via `salesdesk.core.workflow.events_for(document)`.

"""

from salesdesk.sales.services.approvals import approval_approve, approval_reject
from salesdesk.sales.services.contracts import contract_activate, contract_cancel, contract_create, contract_update, contracts_expire
from salesdesk.sales.services.credit import order_release_credit
from salesdesk.sales.services.goods import default_warehouse, order_record_shipment, order_restore_claims
from salesdesk.sales.services.invoicing import billable_quantities, order_record_credit, order_record_invoice, order_record_payment
from salesdesk.sales.services.orders import order_amend, order_cancel, order_confirm, order_create, order_delete, order_update
from salesdesk.sales.services.quotations import (
    quotation_accept,
    quotation_cancel,
    quotation_convert,
    quotation_create,
    quotation_reject,
    quotation_revise,
    quotation_send,
    quotation_update,
    quotations_expire,
)
from salesdesk.sales.services.settings import sales_settings_update

__all__ = [
    "approval_approve",
    "approval_reject",
    "billable_quantities",
    "contract_activate",
    "contract_cancel",
    "contract_create",
    "contract_update",
    "contracts_expire",
    "default_warehouse",
    "order_amend",
    "order_cancel",
    "order_confirm",
    "order_create",
    "order_delete",
    "order_record_credit",
    "order_record_invoice",
    "order_record_payment",
    "order_record_shipment",
    "order_release_credit",
    "order_restore_claims",
    "order_update",
    "quotation_accept",
    "quotation_cancel",
    "quotation_convert",
    "quotation_create",
    "quotation_reject",
    "quotation_revise",
    "quotation_send",
    "quotation_update",
    "quotations_expire",
    "sales_settings_update",
]
