"""Invoices and credit notes: their lines, instalments and the billing settings.

Amounts are in the document's currency with 2 places; `rate` (units of the document's
currency per unit of the company's currency, fixed when the document is posted) converts
them for the ledger, which is kept in the company's currency.
"""

import copy
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.arithmetic import exact
from salesdesk.core.models import CompanyOwned, HighVolume, led_by, where_set

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

    def __str__(self) -> str:
        return str(_("Billing settings"))

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


class Invoice(HighVolume):
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
    # The customer and the salesperson are indexed by `led_by(...)` below.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"), db_index=False
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("salesperson"),
        db_index=False,
    )
    sales_order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("sales order")
    )
    original_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
        db_index=False,
    )
    # An invoice for one delivery's goods; on a credit note, the delivery the customer refused
    # (such a credit note gives the goods back to the order to be delivered and billed again).
    delivery = models.ForeignKey(
        "fulfilment.Delivery",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("delivery"),
        db_index=False,
    )
    # On a credit note: the return whose goods it credits.
    return_request = models.ForeignKey(
        "fulfilment.ReturnRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("return"),
        db_index=False,
    )
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"), db_index=False)
    rate = models.DecimalField(max_digits=18, decimal_places=8, default=Decimal("1"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    payment_term = models.ForeignKey(
        "customers.PaymentTerm",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment term"),
        db_index=False,
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
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The buyer as billed, copied from the customer's file at posting: a posted invoice never
    # changes, so its PDF and e-invoice show these even after the file is edited.
    billed_to = models.JSONField(null=True, blank=True, editable=False)
    # The company's legal details as issued (name, address, tax id, contact, IBAN), frozen likewise.
    issued_by = models.JSONField(null=True, blank=True, editable=False)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sent_to = models.EmailField(_("sent to"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
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
            led_by("customer", "-issue_date", name="invoice_customer_idx"),
            led_by("customer", "next_due_date", name="invoice_customer_due_idx"),
            led_by("salesperson", "-issue_date", name="invoice_salesperson_idx"),
            where_set("original_invoice", "invoice_original_idx"),
            where_set("delivery", "invoice_delivery_idx"),
            where_set("return_request", "invoice_return_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    def issuer(self):
        """The company as it issued the invoice: its legal details frozen at posting, else as they are now."""
        if not self.issued_by:
            return self.company
        company = copy.copy(self.company)
        for name, value in self.issued_by.items():
            setattr(company, name, value)
        return company

    def buyer(self):
        """Who the invoice bills, as printed: the copy frozen at posting, else the customer's file."""
        return SimpleNamespace(**self.billed_to) if self.billed_to else self.customer

    @property
    def payment_state(self) -> str:
        """unpaid / partial / paid, from what was settled against the total."""
        if self.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED) or self.total_amount <= 0:
            return "unpaid"
        if self.amount_due <= 0:
            return "paid"
        return "partial" if self.amount_due < self.total_amount else "unpaid"


class InvoiceLine(HighVolume):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey("sales.SalesOrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # On a credit note, the invoice line it credits.
    original_line = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines", db_index=False)
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
    tax = models.ForeignKey(
        "catalog.Tax", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tax"), db_index=False
    )
    # The tax as it was when the invoice was posted (a tax rate edited later never changes a posted invoice).
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    tax_included = models.BooleanField(default=False)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=ZERO)
    # On an invoice line, how much of it credit notes have taken back (never more than billed).
    credited_quantity = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)

    class Meta:
        ordering = ["sequence", "id"]
        indexes = [where_set("original_line", "invoiceline_original_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="invoiceline_positive"),
            models.CheckConstraint(
                condition=Q(credited_quantity__gte=0) & Q(credited_quantity__lte=F("quantity")), name="invoiceline_credited_in_range"
            ),
        ]


class InvoiceInstalment(HighVolume):
    """One instalment of a posted invoice, from its payment term: the parts add up to the total."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["sequence"]
        constraints = [models.UniqueConstraint(fields=["company", "invoice", "sequence"], name="invoiceinstalment_unique")]
