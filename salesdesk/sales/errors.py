"""Business refusals of the sales capability (409 unless said otherwise)."""

from django.utils.translation import gettext_lazy as _

from salesdesk.core.errors import DomainError


class PriceApprovalRequired(DomainError):
    code = "price_approval_required"
    default_message = _("A line is priced below what you may give without a manager's approval.")


class NotEditable(DomainError):
    code = "not_editable"
    default_message = _("Only drafts can be edited; amend or revise the document instead.")


class NotAllowedToApprove(DomainError):
    code = "not_allowed_to_approve"
    status = 403
    default_message = _("Only a manager of the salesperson's team or an administrator can decide on this price.")


class QuotationExpired(DomainError):
    code = "quotation_expired"
    default_message = _("The quotation is past its validity date.")


class Superseded(DomainError):
    code = "superseded"
    default_message = _("A later revision of this quotation exists.")


class AlreadyConverted(DomainError):
    code = "already_converted"
    default_message = _("This quotation has already been converted into an order.")


class ContractExhausted(DomainError):
    code = "contract_exhausted"
    default_message = _("The contract's committed quantity is used up.")


class NoEmailAddress(DomainError):
    code = "invalid"
    status = 400
    default_message = _("Give an email address: the customer has none.")


class CreditLimitExceeded(DomainError):
    code = "credit_limit_exceeded"
    default_message = _("This order would take the customer over their credit limit; the order is held for a credit release.")


class CustomerBlocked(DomainError):
    code = "customer_blocked"
    default_message = _("The customer is blocked: their file is blocked or an invoice is overdue beyond the allowed days.")


class NotAllowedToRelease(DomainError):
    code = "not_allowed_to_release"
    status = 403
    default_message = _("Only a sales manager, an accountant or an administrator can release an order held for credit.")


class OverInvoicing(DomainError):
    code = "over_invoicing"
    default_message = _("This would bill more than was ordered (or shipped) on an order line.")


class OverDelivery(DomainError):
    code = "over_delivery"
    default_message = _("This is more than the order has left to deliver.")
