"""Collecting what is overdue: dunning letters and disputes."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.billing.models.invoices import Invoice
from salesdesk.billing.models.payments import WriteOff
from salesdesk.core.models import CompanyOwned

ZERO = Decimal("0")


class DunningLetter(CompanyOwned):
    """A reminder to a customer about overdue invoices, at a level (1 reminder, 2 second reminder, 3 final notice)."""

    number = models.CharField(_("number"), max_length=32)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    level = models.PositiveSmallIntegerField(_("level"))
    date = models.DateField(_("date"))
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+")
    total_overdue = models.DecimalField(_("overdue"), max_digits=16, decimal_places=2)
    sent_to = models.EmailField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("dunning letter")
        verbose_name_plural = _("dunning letters")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="dunningletter_number_unique"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=3), name="dunningletter_level_valid"),
        ]

    def __str__(self) -> str:
        return self.number


class DunningLetterLine(CompanyOwned):
    letter = models.ForeignKey(DunningLetter, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    days_overdue = models.PositiveIntegerField()
    amount_due = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["due_date", "id"]


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DisputeReason(models.TextChoices):
    PRICE = "price", _("Price differs from the agreement")
    QUANTITY = "quantity", _("Quantity differs from what arrived")
    QUALITY = "quality", _("Goods faulty or damaged")
    NOT_RECEIVED = "not_received", _("Goods not received")
    DUPLICATE = "duplicate", _("Billed twice")
    OTHER = "other", _("Other")


class DisputeOutcome(models.TextChoices):
    CREDIT_NOTE = "credit_note", _("Credit note")
    WRITE_OFF = "write_off", _("Write-off")
    COLLECT = "collect", _("Collect")


class Dispute(CompanyOwned):
    """A customer contests (part of) an invoice: the amount stays out of dunning until resolved."""

    Status = DisputeStatus

    TRANSITIONS = {Status.OPEN: {Status.RESOLVED}}

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("invoice"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=16, choices=DisputeReason)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=DisputeOutcome, blank=True)
    resolution_note = models.TextField(_("resolution"), blank=True)
    credit_note = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    write_off = models.ForeignKey(WriteOff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DisputeStatus.values), name="dispute_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(condition=Q(reason__in=DisputeReason.values), name="dispute_reason_valid"),
            models.CheckConstraint(condition=Q(outcome__in=["", *DisputeOutcome.values]), name="dispute_outcome_valid"),
        ]
        indexes = [models.Index(fields=["company", "status", "-opened_at"], name="dispute_status_idx")]

    def __str__(self) -> str:
        return f"{self.invoice} ({self.amount})"
