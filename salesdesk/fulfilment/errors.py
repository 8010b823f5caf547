"""Business refusals of deliveries and returns (409)."""

from django.utils.translation import gettext_lazy as _

from salesdesk.core.errors import DomainError


class NothingToDeliver(DomainError):
    code = "nothing_to_deliver"
    default_message = _("The order has nothing left to deliver.")


class OverReturn(DomainError):
    code = "over_return"
    default_message = _("This is more than was delivered to the customer and not yet returned.")


class OverReceipt(DomainError):
    code = "over_receipt"
    default_message = _("This is more than the return approved.")


class NotAllowedToApproveReturn(DomainError):
    code = "not_allowed_to_approve"
    status = 403
    default_message = _("Only a sales manager or an administrator can decide on a return.")
