"""Deliveries (the bill of lading), refusals at the door, and returns (RMA)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned, HighVolume, led_by, where_set

ZERO = Decimal("0")
POSITIVE = [MinValueValidator(Decimal("0.0001"))]


class DeliveryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PICKED = "picked", _("Picked")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(HighVolume):
    """Goods leaving a warehouse for a customer: from an order, or replacing returned goods."""

    Status = DeliveryStatus

    TRANSITIONS = {
        Status.DRAFT: {Status.PICKED, Status.SHIPPED, Status.CANCELLED},
        Status.PICKED: {Status.SHIPPED, Status.CANCELLED},
        # Refused at the door: the goods come back; once delivered it is a return instead.
        Status.SHIPPED: {Status.DELIVERED, Status.REFUSED},
    }

    number = models.CharField(_("number"), max_length=32)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"), db_index=False
    )  # indexed by `led_by("customer", ...)`
    sales_order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("sales order")
    )
    # A replacement for goods returned under a return request.
    return_request = models.ForeignKey(
        "fulfilment.ReturnRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
        verbose_name=_("return"),
        db_index=False,
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"), db_index=False
    )
    date = models.DateField(_("planned date"))
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    shipping_address = models.TextField(_("shipping address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    picked_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    # Cost of the goods shipped (moving average), booked to cost of goods sold at shipment.
    cost_amount = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, default=ZERO)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-date", "-id"]
        permissions = [("margins_delivery", "Can see the cost and margin of goods")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
            models.UniqueConstraint(fields=["company", "number"], name="delivery_number_unique"),
            models.CheckConstraint(condition=Q(cost_amount__gte=0), name="delivery_cost_non_negative"),
        ]
        indexes = [
            models.Index(fields=["company", "-date", "-id"], name="delivery_date_idx"),
            models.Index(fields=["company", "status", "date"], name="delivery_status_idx"),
            led_by("customer", "-date", name="delivery_customer_idx"),
            where_set("return_request", "delivery_return_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class DeliveryLine(HighVolume):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey("sales.SalesOrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, validators=POSITIVE)
    # Set at shipment: what the goods cost (their share of the stock value), for margins and refusals.
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, default=ZERO)
    move = models.ForeignKey("inventory.StockMove", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0) & Q(cost__gte=0), name="deliveryline_positive")]

    @property
    def unit_cost(self) -> Decimal:
        return (self.cost / self.quantity).quantize(Decimal("0.0001")) if self.quantity else ZERO


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    RECEIVED = "received", _("Received")
    CREDITED = "credited", _("Credited")
    REJECTED = "rejected", _("Rejected")


class ReturnOutcome(models.TextChoices):
    RESTOCK = "restock", _("Restock")
    SCRAP = "scrap", _("Scrap")
    REPAIR = "repair", _("Repair")
    REPLACE = "replace", _("Replace")


class ReturnRequest(CompanyOwned):
    """A customer sends goods back: approved by a manager, received and inspected, then credited or replaced."""

    Status = ReturnStatus

    TRANSITIONS = {
        Status.REQUESTED: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: {Status.RECEIVED, Status.REJECTED},
        Status.RECEIVED: {Status.CREDITED},
    }

    number = models.CharField(_("number"), max_length=32)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.REQUESTED)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    sales_order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="returns", verbose_name=_("sales order")
    )
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.PROTECT, related_name="returns", verbose_name=_("delivery")
    )
    # Billing sits above fulfilment: the invoice is referenced by name, never imported here.
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="returns", verbose_name=_("invoice")
    )
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision"), blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-date", "-id"]
        permissions = [("approve_returnrequest", "Can approve or reject a return")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="return_status_valid"),
            models.UniqueConstraint(fields=["company", "number"], name="return_number_unique"),
        ]
        indexes = [
            models.Index(fields=["company", "status", "-date"], name="return_status_idx"),
            models.Index(fields=["company", "customer", "-date"], name="return_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class ReturnLine(CompanyOwned):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, validators=POSITIVE)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # Filled in at receipt.
    received_quantity = models.DecimalField(_("received"), max_digits=14, decimal_places=4, default=ZERO)
    outcome = models.CharField(_("outcome"), max_length=8, choices=ReturnOutcome, blank=True)
    # What the goods come back at: their cost when they left (for restock, and scrap's write-off).
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, default=ZERO)
    credited_quantity = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="returnline_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0) & Q(received_quantity__lte=models.F("quantity")), name="returnline_received_in_range"
            ),
            models.CheckConstraint(condition=Q(outcome__in=["", *ReturnOutcome.values]), name="returnline_outcome_valid"),
        ]
