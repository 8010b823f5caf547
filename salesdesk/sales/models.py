"""Quotations, sales orders, price approvals and contracts."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned, HighVolume, led_by, where_set

ZERO = Decimal("0")
PERCENT = [MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))]


def _status_check(name: str, status_cls) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(status__in=status_cls.values), name=name)


class SalesSettings(CompanyOwned):
    """A company's discount authority: how far below the floor each role may sell without approval."""

    salesperson_band_percent = models.DecimalField(
        _("salesperson: % below floor"), max_digits=6, decimal_places=2, default=ZERO, validators=PERCENT
    )
    manager_band_percent = models.DecimalField(
        _("sales manager: % below floor"), max_digits=6, decimal_places=2, default=Decimal("10"), validators=PERCENT
    )
    quotation_validity_days = models.PositiveSmallIntegerField(
        _("quotation validity (days)"), default=30, validators=[MaxValueValidator(3650)]
    )
    # Refuse to confirm an order whose goods cannot all be reserved now (409 insufficient_stock)
    # instead of confirming it with a backorder.
    block_without_stock = models.BooleanField(_("block confirmation without stock"), default=False)
    default_warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("default warehouse")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company"], name="salessettings_one_per_company")]

    def __str__(self) -> str:
        return str(_("Sales settings"))


class QuotationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class SalesOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    CREDIT_HOLD = "credit_hold", _("Credit hold")
    CONFIRMED = "confirmed", _("Confirmed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class PriceApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Document(HighVolume):
    """What quotations and orders share: a customer, a currency, lines and frozen totals."""

    number = models.CharField(_("number"), max_length=32, blank=True)
    # The customer and the salesperson are indexed by each document's `led_by(...)`.
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
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"), db_index=False)
    price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("price list"), db_index=False
    )
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    untaxed_amount = models.DecimalField(_("untaxed"), max_digits=16, decimal_places=2, default=ZERO)
    tax_amount = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=ZERO)
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=ZERO)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class Line(HighVolume):
    """A priced line. `amount` is the untaxed amount after discount, rounded to the currency."""

    sequence = models.PositiveIntegerField(default=0)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))])
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(ZERO)])
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=7, decimal_places=4, default=ZERO, validators=PERCENT)
    tax = models.ForeignKey(
        "catalog.Tax", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tax"), db_index=False
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=ZERO)
    # What pricing said when the line was priced: the floor to respect and why this price.
    list_price = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    floor_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    price_source = models.CharField(max_length=20, blank=True)
    price_explanation = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    @property
    def net_unit_price(self) -> Decimal:
        return self.unit_price * (Decimal(100) - self.discount_percent) / Decimal(100)


class Quotation(Document):
    Status = QuotationStatus

    TRANSITIONS = {
        Status.DRAFT: {Status.SENT, Status.ACCEPTED, Status.CANCELLED},
        Status.SENT: {Status.ACCEPTED, Status.REJECTED, Status.EXPIRED, Status.CANCELLED},
    }

    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    valid_until = models.DateField(_("valid until"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="later_revisions", verbose_name=_("previous revision")
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)

    class Meta:
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        ordering = ["-date", "-id"]
        constraints = [
            _status_check("quotation_status_valid", QuotationStatus),
            models.UniqueConstraint(fields=["company", "number", "revision"], name="quotation_number_unique"),
            # A quotation is revised at most once: revisions form a chain.
            models.UniqueConstraint(fields=["company", "previous"], name="quotation_one_next_revision"),
        ]
        indexes = [
            # The list's default order (newest first): the first page is read off the index.
            models.Index(fields=["company", "-date", "-id"], name="quotation_date_idx"),
            models.Index(fields=["company", "status", "valid_until"], name="quotation_expiry_idx"),
            led_by("salesperson", "-date", name="quotation_salesperson_idx"),
            led_by("customer", "-date", name="quotation_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}" + (f" rev. {self.revision}" if self.revision > 1 else "")


class QuotationLine(Line):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="quotationline_positive")]


class Contract(CompanyOwned):
    """Agreed prices and committed quantities for a customer over a period."""

    Status = ContractStatus

    TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE, Status.CANCELLED},
        Status.ACTIVE: {Status.EXPIRED, Status.CANCELLED},
    }

    number = models.CharField(_("number"), max_length=32)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    currency = models.ForeignKey("catalog.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    allow_over_commitment = models.BooleanField(_("contract price beyond the committed quantity"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-valid_from", "-id"]
        constraints = [
            _status_check("contract_status_valid", ContractStatus),
            models.UniqueConstraint(fields=["company", "number"], name="contract_number_unique"),
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="contract_period_valid"),
        ]

    def __str__(self) -> str:
        return self.number


class ContractItem(CompanyOwned):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    price = models.DecimalField(_("agreed price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(ZERO)])
    quantity = models.DecimalField(
        _("committed quantity"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    consumed_quantity = models.DecimalField(_("consumed"), max_digits=14, decimal_places=4, default=ZERO)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "contract", "product"], name="contractitem_unique"),
            models.CheckConstraint(condition=Q(consumed_quantity__gte=0), name="contractitem_consumed_non_negative"),
        ]

    @property
    def remaining_quantity(self) -> Decimal:
        return max(self.quantity - self.consumed_quantity, ZERO)


# An order is open while confirmed and not both fully delivered and fully invoiced.
OPEN_ORDER = Q(status="confirmed") & ~Q(delivery_state="delivered", invoice_state="invoiced")
# Orders someone still has to act on: drafts, those awaiting a price approval or credit, and open
# ones (`selectors.orders_worked_on` says the same in SQL).
WAITING = ("draft", "pending_approval", "credit_hold")
WORKED_ON = Q(status__in=WAITING) | OPEN_ORDER


class SalesOrder(Document):
    Status = SalesOrderStatus

    TRANSITIONS = {
        Status.DRAFT: {Status.PENDING_APPROVAL, Status.CREDIT_HOLD, Status.CONFIRMED, Status.CANCELLED},
        # A rejected approval sends the order back to draft to change its prices.
        Status.PENDING_APPROVAL: {Status.DRAFT, Status.CREDIT_HOLD, Status.CONFIRMED, Status.CANCELLED},
        Status.CREDIT_HOLD: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.CLOSED, Status.CANCELLED},
        # A closed order reopens when money comes back off it (a chargeback) or goods are refused.
        Status.CLOSED: {Status.CONFIRMED},
    }

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    series = models.CharField(max_length=8, default="SO")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    quotation = models.ForeignKey(
        Quotation, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("quotation")
    )
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("contract"), db_index=False
    )
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    # Where the goods are reserved and shipped from (the company's default warehouse when left empty).
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warehouse"),
        db_index=False,
    )
    customer_reference = models.CharField(_("customer reference"), max_length=60, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    # What is still to invoice, in the company's currency: the order's share of the customer's
    # open-orders figure (set at confirmation, lowered by each posted invoice).
    open_amount = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    # Maintained by billing in the order's currency; the progress states derive from them
    # and the line quantities (sales.progress) and are stored so lists can filter on them.
    invoiced_amount = models.DecimalField(_("invoiced"), max_digits=16, decimal_places=2, default=ZERO)
    paid_amount = models.DecimalField(_("paid"), max_digits=16, decimal_places=2, default=ZERO)
    delivery_state = models.CharField(_("delivery"), max_length=10, default="none")
    invoice_state = models.CharField(_("invoicing"), max_length=10, default="none")
    payment_state = models.CharField(_("payment"), max_length=10, default="none")
    credit_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    credit_release_reason = models.TextField(_("credit release reason"), blank=True)

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-date", "-id"]
        permissions = [("release_salesorder", "Can release an order held for credit")]
        constraints = [
            _status_check("salesorder_status_valid", SalesOrderStatus),
            models.CheckConstraint(condition=Q(open_amount__gte=0), name="salesorder_open_amount_non_negative"),
            models.UniqueConstraint(fields=["company", "series", "year", "sequence"], name="salesorder_sequence_unique"),
            models.UniqueConstraint(fields=["company", "number"], condition=~Q(number=""), name="salesorder_number_unique"),
        ]
        indexes = [
            # The list's default order (newest first): the first page is read off the index.
            models.Index(fields=["company", "-date", "-id"], name="salesorder_date_idx"),
            models.Index(fields=["company", "status", "-date"], name="salesorder_status_idx"),
            led_by("salesperson", "-date", name="salesorder_salesperson_idx"),
            led_by("customer", "-date", name="salesorder_customer_idx"),
            models.Index(fields=["company", "invoice_state", "-date"], name="salesorder_invoice_state_idx"),
            models.Index(fields=["company", "payment_state", "-date"], name="salesorder_payment_state_idx"),
            models.Index(fields=["company", "delivery_state", "-date"], name="salesorder_delivery_state_idx"),
            # The dashboards' counts of orders being worked on and the open amount, read from the
            # index alone (the whole company's, or a salesperson's within each status). Only those
            # orders are in it: confirmed orders stay confirmed until paid, so most confirmed
            # orders are delivered and invoiced, waiting for their money.
            models.Index(
                fields=["company", "status", "salesperson", "delivery_state", "invoice_state", "open_amount"],
                name="salesorder_worked_on_idx",
                condition=WORKED_ON,
            ),
            where_set("contract", "salesorder_contract_idx"),
        ]


class SalesOrderLine(Line):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    contract_item = models.ForeignKey(ContractItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    # Fed by fulfilment and billing; the order's progress states derive from them.
    delivered_quantity = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    invoiced_quantity = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)

    class Meta:
        ordering = ["sequence", "id"]
        indexes = [where_set("contract_item", "orderline_contract_item_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="salesorderline_positive"),
            # Never bill more than was ordered (billing's conditional update relies on it too).
            models.CheckConstraint(
                condition=Q(invoiced_quantity__gte=0) & Q(invoiced_quantity__lte=models.F("quantity")),
                name="salesorderline_invoiced_in_range",
            ),
            # Never ship more than was ordered (fulfilment's conditional update relies on it too).
            models.CheckConstraint(
                condition=Q(delivered_quantity__gte=0) & Q(delivered_quantity__lte=models.F("quantity")),
                name="salesorderline_delivered_in_range",
            ),
        ]

    @property
    def outstanding_quantity(self) -> Decimal:
        return max(self.quantity - self.delivered_quantity, ZERO)


class SalesOrderRevision(CompanyOwned):
    """The order as it was before an amendment (lines and totals), kept for the record."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["order", "revision"]
        constraints = [models.UniqueConstraint(fields=["company", "order", "revision"], name="salesorderrevision_unique")]


class PriceApproval(CompanyOwned):
    """A request to sell below the floor: the lines and the exact prices it covers."""

    Status = PriceApprovalStatus

    TRANSITIONS = {Status.PENDING: {Status.APPROVED, Status.REJECTED}}

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="price_approvals")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("price approval")
        verbose_name_plural = _("price approvals")
        ordering = ["-requested_at", "-id"]
        constraints = [_status_check("priceapproval_status_valid", PriceApprovalStatus)]
        indexes = [models.Index(fields=["company", "status", "-requested_at"], name="priceapproval_status_idx")]

    def __str__(self) -> str:
        return f"{self.order} ({self.get_status_display()})"


class PriceApprovalLine(CompanyOwned):
    """One line below the floor: what was asked and the floor it goes under."""

    approval = models.ForeignKey(PriceApproval, on_delete=models.CASCADE, related_name="lines")
    # Kept when the line is later edited away: the request records what was asked, as asked.
    order_line = models.ForeignKey(SalesOrderLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    discount_percent = models.DecimalField(max_digits=7, decimal_places=4)
    net_unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    floor_price = models.DecimalField(max_digits=14, decimal_places=4)
    allowed_price = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["id"]
