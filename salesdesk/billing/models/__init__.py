"""Invoices and credit notes, payments, deposits, write-offs and dunning letters.

Amounts are in the document's currency with 2 places; `rate` (units of the document's
currency per unit of the company's currency, fixed when the document is posted) converts
them for the ledger, which is kept in the company's currency.
"""

from salesdesk.billing.models.collection import (
    Dispute,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    DunningLetter,
    DunningLetterLine,
)
from salesdesk.billing.models.invoices import (
    BillingSettings,
    Invoice,
    InvoiceInstalment,
    InvoiceKind,
    InvoiceLine,
    InvoicePolicy,
    InvoiceStatus,
)
from salesdesk.billing.models.payments import (
    Deposit,
    DepositApplication,
    DepositStatus,
    OpenItem,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentStatus,
    WriteOff,
)

__all__ = [
    "BillingSettings",
    "Deposit",
    "DepositApplication",
    "DepositStatus",
    "Dispute",
    "DisputeOutcome",
    "DisputeReason",
    "DisputeStatus",
    "DunningLetter",
    "DunningLetterLine",
    "Invoice",
    "InvoiceInstalment",
    "InvoiceKind",
    "InvoiceLine",
    "InvoicePolicy",
    "InvoiceStatus",
    "OpenItem",
    "Payment",
    "PaymentAllocation",
    "PaymentMethod",
    "PaymentStatus",
    "WriteOff",
]
