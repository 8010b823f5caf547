"""Business refusals of billing (409 unless said otherwise)."""

from django.utils.translation import gettext_lazy as _

from salesdesk.core.errors import DomainError


class OverAllocation(DomainError):
    code = "over_allocation"
    default_message = _("This allocates more than is due on the invoice or more than the money has left.")


class OverCredit(DomainError):
    code = "over_credit"
    default_message = _("A credit note cannot take back more than was invoiced and not yet credited.")


class NothingToInvoice(DomainError):
    code = "nothing_to_invoice"
    default_message = _("Nothing on this order is left to invoice under its invoicing policy.")


class NoExchangeRateKnown(DomainError):
    code = "no_exchange_rate"
    default_message = _("No exchange rate is known for this currency on the document's date.")


class NotOpen(DomainError):
    code = "not_open"
    default_message = _("The document is not open for this: post it first, or it is already settled.")
