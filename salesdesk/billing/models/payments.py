"""Payments and their allocations, the open items the ageing reads, deposits and write-offs."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from salesdesk.billing.models.invoices import Invoice
from salesdesk.core.arithmetic import exact
from salesdesk.core.models import CompanyOwned, HighVolume, led_by, where_set

ZERO = Decimal("0")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class Payment(HighVolume):
    """Money received from a customer, allocated to invoices; the rest is the customer's credit."""

    Status = PaymentStatus
    Method = PaymentMethod
    TRANSITIONS = {Status.POSTED: {Status.REVERSED}}

    number = models.CharField(_("number"), max_length=32)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"), db_index=False
    )  # indexed by `led_by("customer", ...)`
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.POSTED)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"), db_index=False)
    rate = models.DecimalField(max_digits=18, decimal_places=8, default=Decimal("1"))
    method = models.CharField(_("method"), max_length=16, choices=Method, default=Method.BANK_TRANSFER)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    allocated_amount = models.DecimalField(_("allocated"), max_digits=16, decimal_places=2, default=ZERO)
    unallocated_amount = models.DecimalField(_("unallocated"), max_digits=16, decimal_places=2, default=ZERO)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reversal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reversal_reason = models.TextField(_("reversal reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(unallocated_amount__gte=0) & Q(allocated_amount__gte=0) & Q(allocated_amount__lte=F("amount")),
                name="payment_allocation_in_range",
            ),
            models.UniqueConstraint(fields=["company", "number"], name="payment_number_unique"),
        ]
        indexes = [
            models.Index(fields=["company", "-date", "-id"], name="payment_date_idx"),
            led_by("customer", "-date", name="payment_customer_idx"),
            models.Index(fields=["company", "status", "-date"], name="payment_status_idx"),
            # Money in hand (the ageing's negative current, payments to allocate): few payments
            # among all, found by a range of this index without reading the others. (A partial
            # index would be smaller, but SQLite cannot use one for a query with bound parameters.)
            models.Index(fields=["company", "status", "unallocated_amount"], name="payment_in_hand_idx"),
            where_set("reversal_entry", "payment_reversal_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class PaymentAllocation(HighVolume):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    date = models.DateField()
    # Exchange difference booked when the invoice's and the payment's rates differ (company currency).
    exchange_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["id"]
        indexes = [where_set("exchange_entry", "allocation_exchange_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="paymentallocation_positive")]


class OpenItem(HighVolume):
    """What a customer owes, or has in hand, per due date, in the company's currency.

    One row per open instalment of a posted invoice (the earliest instalments paid first), and
    one due now (no due date) per credit note's unused credit and per payment's unallocated
    money, negative. Kept by `billing.services.open_items` in the transaction that posts or
    settles the document, so the ageing totals and the overdue customers read the open parts,
    however long the invoice history grows.
    """

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", db_index=False)
    invoice = models.ForeignKey(Invoice, null=True, on_delete=models.CASCADE, related_name="open_items")
    payment = models.ForeignKey(Payment, null=True, on_delete=models.CASCADE, related_name="open_items")
    due_date = models.DateField(null=True)  # none: due now
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice__isnull=False, payment__isnull=True) | Q(invoice__isnull=True, payment__isnull=False),
                name="openitem_one_document",
            )
        ]
        indexes = [
            # The company's totals by due date, and one salesperson's customers', read from the index alone.
            models.Index(fields=["company", "due_date", "amount"], name="open_item_due_idx"),
            led_by("customer", "due_date", "amount", name="open_item_customer_idx"),
        ]


class DepositStatus(models.TextChoices):
    HELD = "held", _("Held")
    APPLIED = "applied", _("Applied")
    REFUNDED = "refunded", _("Refunded")


class Deposit(CompanyOwned):
    """Money received ahead of invoicing: a liability to the customer until applied to an invoice or refunded."""

    Status = DepositStatus
    TRANSITIONS = {Status.HELD: {Status.APPLIED, Status.REFUNDED}}

    number = models.CharField(_("number"), max_length=32)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    sales_order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="deposits", verbose_name=_("sales order")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.HELD)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    rate = models.DecimalField(max_digits=18, decimal_places=8, default=Decimal("1"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod, default=PaymentMethod.BANK_TRANSFER)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    applied_amount = models.DecimalField(_("applied"), max_digits=16, decimal_places=2, default=ZERO)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=16, decimal_places=2, default=ZERO)
    held_amount = models.DecimalField(_("held"), max_digits=16, decimal_places=2, default=ZERO)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DepositStatus.values), name="deposit_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
            models.CheckConstraint(
                condition=Q(held_amount__gte=0) & Q(held_amount=exact(F("amount") - F("applied_amount") - F("refunded_amount"))),
                name="deposit_held_is_amount_less_used",
            ),
            models.UniqueConstraint(fields=["company", "number"], name="deposit_number_unique"),
        ]
        indexes = [models.Index(fields=["company", "customer", "-date"], name="deposit_customer_idx")]

    def __str__(self) -> str:
        return self.number


class DepositApplication(CompanyOwned):
    """Part of a deposit used to pay an invoice, or refunded (no invoice)."""

    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="applications")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="deposit_applications")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    date = models.DateField()
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="depositapplication_positive")]


class WriteOff(CompanyOwned):
    """The rest of an invoice the company gives up on, booked to bad debts."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="write_offs")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="writeoff_positive")]
