"""Invoices and credit notes, payments, deposits, write-offs and dunning letters.

Amounts are in the document's currency with 2 places; `rate` (units of the document's
currency per unit of the company's currency, fixed when the document is posted) converts
them for the ledger, which is kept in the company's currency.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.arithmetic import exact
from salesdesk.core.models import CompanyOwned

ZERO = Decimal("0")


class InvoicePolicy(models.TextChoices):
    ON_ORDER = "on_order", _("On order (bill what was ordered)")
    ON_DELIVERY = "on_delivery", _("On delivery (bill what has shipped)")


class BillingSettings(CompanyOwned):
    invoice_policy = models.CharField(_("invoicing policy"), max_length=12, choices=InvoicePolicy, default=InvoicePolicy.ON_ORDER)
    apply_deposits_automatically = models.BooleanField(_("apply an order's deposits when its invoice posts"), default=True)
    dunning_level_1_days = models.PositiveSmallIntegerField(_("first reminder after (days overdue)"), default=7)
    dunning_level_2_days = models.PositiveSmallIntegerField(_("second reminder after (days overdue)"), default=30)
    dunning_level_3_days = models.PositiveSmallIntegerField(_("final notice after (days overdue)"), default=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company"], name="billingsettings_one_per_company")]

    def dunning_thresholds(self) -> list[tuple[int, int]]:
        """(level, days overdue) from the mildest to the firmest."""
        return [(1, self.dunning_level_1_days), (2, self.dunning_level_2_days), (3, self.dunning_level_3_days)]


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Invoice(CompanyOwned):
    """An invoice or a credit note. Posting gives it its legal number and freezes it."""

    Kind = InvoiceKind
    Status = InvoiceStatus
    SERIES = {InvoiceKind.INVOICE: "INV", InvoiceKind.CREDIT_NOTE: "CN"}

    TRANSITIONS = {
        Status.DRAFT: {Status.POSTED, Status.CANCELLED},
        Status.POSTED: {Status.PAID},
        # A chargeback or a reversed allocation reopens a settled invoice.
        Status.PAID: {Status.POSTED},
    }

    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.INVOICE)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    number = models.CharField(_("number"), max_length=32, blank=True)
    series = models.CharField(_("series"), max_length=8, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("salesperson")
    )
    sales_order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("sales order")
    )
    original_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("credited invoice")
    )
    # An invoice for one delivery's goods; on a credit note, the delivery the customer refused
    # (such a credit note gives the goods back to the order to be delivered and billed again).
    delivery = models.ForeignKey(
        "fulfilment.Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("delivery")
    )
    # On a credit note: the return whose goods it credits.
    return_request = models.ForeignKey(
        "fulfilment.ReturnRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("return")
    )
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    rate = models.DecimalField(max_digits=18, decimal_places=8, default=Decimal("1"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    payment_term = models.ForeignKey(
        "customers.PaymentTerm", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("payment term")
    )
    customer_reference = models.CharField(_("customer reference"), max_length=60, blank=True)
    reason = models.TextField(_("reason"), blank=True)  # why a credit note was made
    notes = models.TextField(_("notes"), blank=True)
    untaxed_amount = models.DecimalField(_("untaxed"), max_digits=16, decimal_places=2, default=ZERO)
    tax_amount = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=ZERO)
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=ZERO)
    # Settlement, maintained with conditional updates: paid (payments and deposits), credited
    # (credit notes) and written off; what remains is due. For a credit note, `amount_due` is
    # the credit not yet used against an invoice.
    amount_paid = models.DecimalField(_("paid"), max_digits=16, decimal_places=2, default=ZERO)
    amount_credited = models.DecimalField(_("credited"), max_digits=16, decimal_places=2, default=ZERO)
    amount_written_off = models.DecimalField(_("written off"), max_digits=16, decimal_places=2, default=ZERO)
    amount_due = models.DecimalField(_("due"), max_digits=16, decimal_places=2, default=ZERO)
    # The due date of the earliest instalment not yet covered: what ageing and the overdue block read.
    next_due_date = models.DateField(null=True, blank=True)
    dunning_level = models.PositiveSmallIntegerField(default=0)
    disputed = models.BooleanField(_("disputed"), default=False)
    # The sum of the open disputes: left out of dunning until they are resolved.
    disputed_amount = models.DecimalField(_("disputed amount"), max_digits=16, decimal_places=2, default=ZERO)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_to = models.EmailField(_("sent to"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        permissions = [("post_invoice", "Can post invoices and credit notes")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=InvoiceStatus.values), name="invoice_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=InvoiceKind.values), name="invoice_kind_valid"),
            models.UniqueConstraint(fields=["company", "series", "year", "sequence"], name="invoice_sequence_unique"),
            models.UniqueConstraint(fields=["company", "number"], condition=~Q(number=""), name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(amount_due__gte=0) & Q(amount_paid__gte=0) & Q(amount_credited__gte=0) & Q(amount_written_off__gte=0),
                name="invoice_settlement_non_negative",
            ),
            models.CheckConstraint(condition=Q(disputed_amount__gte=0), name="invoice_disputed_non_negative"),
            # What is settled never exceeds the total: the guard behind `over_allocation`.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"])
                | Q(amount_due=exact(F("total_amount") - F("amount_paid") - F("amount_credited") - F("amount_written_off"))),
                name="invoice_due_is_total_less_settled",
            ),
        ]
        indexes = [
            # The list's default order (newest first): the first page is read off the index.
            models.Index(fields=["company", "-issue_date", "-id"], name="invoice_date_idx"),
            models.Index(fields=["company", "status", "-issue_date"], name="invoice_status_idx"),
            models.Index(fields=["company", "customer", "-issue_date"], name="invoice_customer_idx"),
            models.Index(fields=["company", "customer", "next_due_date"], name="invoice_customer_due_idx"),
            models.Index(fields=["company", "salesperson", "-issue_date"], name="invoice_salesperson_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def payment_state(self) -> str:
        """unpaid / partial / paid, from what was settled against the total."""
        if self.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED) or self.total_amount <= 0:
            return "unpaid"
        if self.amount_due <= 0:
            return "paid"
        return "partial" if self.amount_due < self.total_amount else "unpaid"


class InvoiceLine(CompanyOwned):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey("sales.SalesOrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # On a credit note, the invoice line it credits.
    original_line = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))])
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(ZERO)])
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=7,
        decimal_places=4,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    tax = models.ForeignKey("catalog.Tax", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tax"))
    # The tax as it was when the invoice was posted (a tax rate edited later never changes a posted invoice).
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    tax_included = models.BooleanField(default=False)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=ZERO)
    # On an invoice line, how much of it credit notes have taken back (never more than billed).
    credited_quantity = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="invoiceline_positive"),
            models.CheckConstraint(
                condition=Q(credited_quantity__gte=0) & Q(credited_quantity__lte=F("quantity")), name="invoiceline_credited_in_range"
            ),
        ]


class InvoiceInstalment(CompanyOwned):
    """One instalment of a posted invoice, from its payment term: the parts add up to the total."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["sequence"]
        constraints = [models.UniqueConstraint(fields=["company", "invoice", "sequence"], name="invoiceinstalment_unique")]


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class Payment(CompanyOwned):
    """Money received from a customer, allocated to invoices; the rest is the customer's credit."""

    Status = PaymentStatus
    Method = PaymentMethod
    TRANSITIONS = {Status.POSTED: {Status.REVERSED}}

    number = models.CharField(_("number"), max_length=32)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.POSTED)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    rate = models.DecimalField(max_digits=18, decimal_places=8, default=Decimal("1"))
    method = models.CharField(_("method"), max_length=16, choices=Method, default=Method.BANK_TRANSFER)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    allocated_amount = models.DecimalField(_("allocated"), max_digits=16, decimal_places=2, default=ZERO)
    unallocated_amount = models.DecimalField(_("unallocated"), max_digits=16, decimal_places=2, default=ZERO)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reversal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reversal_reason = models.TextField(_("reversal reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
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
            models.Index(fields=["company", "customer", "-date"], name="payment_customer_idx"),
            models.Index(fields=["company", "status", "-date"], name="payment_status_idx"),
            # Money in hand (the ageing's negative current, payments to allocate): few payments
            # among all, found by a range of this index without reading the others. (A partial
            # index would be smaller, but SQLite cannot use one for a query with bound parameters.)
            models.Index(fields=["company", "status", "unallocated_amount"], name="payment_in_hand_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class PaymentAllocation(CompanyOwned):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    date = models.DateField()
    # Exchange difference booked when the invoice's and the payment's rates differ (company currency).
    exchange_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="paymentallocation_positive")]


class OpenItem(CompanyOwned):
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
            models.Index(fields=["company", "customer", "due_date", "amount"], name="open_item_customer_idx"),
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
