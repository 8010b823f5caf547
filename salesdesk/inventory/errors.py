"""Business refusals of the stock capability (409)."""

from django.utils.translation import gettext_lazy as _

from salesdesk.core.errors import DomainError


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    default_message = _("There is not enough stock available for this.")
