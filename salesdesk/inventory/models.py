"""Warehouses, stock moves, maintained stock levels and reservations.

Every change of stock is an append-only `StockMove`. `StockLevel` holds, per product and
warehouse, what the moves add up to (on hand and its value) and what is promised to orders
(reserved), updated in the same transaction as the move. `Reservation` is one order line's
claim on stock: what it still needs (`wanted`) and how much of it is set aside (`reserved`).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned, HighVolume, led_by

ZERO = Decimal("0")


class Warehouse(CompanyOwned):
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="warehouse_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(CompanyOwned):
    """The maintained sum of a product's moves in one warehouse, and what orders hold of it."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="levels", verbose_name=_("warehouse"))
    on_hand = models.DecimalField(_("on hand"), max_digits=14, decimal_places=4, default=ZERO)
    reserved = models.DecimalField(_("reserved"), max_digits=14, decimal_places=4, default=ZERO)
    # on_hand - reserved, kept as a column so that taking stock is one conditional update.
    available = models.DecimalField(_("available"), max_digits=14, decimal_places=4, default=ZERO)
    # The stock's value at moving average cost: the sum of the moves' values.
    value = models.DecimalField(_("stock value"), max_digits=16, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["warehouse", "product"]
        constraints = [
            models.UniqueConstraint(fields=["company", "product", "warehouse"], name="stocklevel_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stocklevel_on_hand_non_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_non_negative"),
            models.CheckConstraint(condition=Q(available__gte=0), name="stocklevel_available_non_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stocklevel_reserved_within_on_hand"),
            models.CheckConstraint(condition=Q(value__gte=0), name="stocklevel_value_non_negative"),
        ]

    @property
    def average_cost(self) -> Decimal:
        return (self.value / self.on_hand).quantize(Decimal("0.0001")) if self.on_hand else ZERO


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ADJUSTMENT = "adjustment", _("Adjustment")
    DELIVERY = "delivery", _("Delivery")
    REFUSAL = "refusal", _("Refused delivery")
    RETURN = "return", _("Return")
    SCRAP = "scrap", _("Scrap")


class StockMove(HighVolume):
    """One change of stock, never edited or deleted: positive quantity in, negative out."""

    Kind = MoveKind

    # Indexed by `led_by("product", ...)` below.
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"), db_index=False)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="moves", verbose_name=_("warehouse"), db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=4)
    # quantity x cost, rounded once here; the level's value is the sum of these.
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The document behind the move (a delivery, return or adjustment number), for people.
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stockmove_quantity_not_zero"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="stockmove_unit_cost_non_negative"),
            models.CheckConstraint(condition=Q(kind__in=MoveKind.values), name="stockmove_kind_valid"),
            # Stock comes in as receipts, adjustments, refusals and returns; it leaves as deliveries and scrap.
            models.CheckConstraint(
                condition=Q(quantity__gt=0, value__gte=0, kind__in=["receipt", "adjustment", "refusal", "return"])
                | Q(quantity__lt=0, value__lte=0, kind__in=["adjustment", "delivery", "scrap"]),
                name="stockmove_direction_valid",
            ),
        ]
        indexes = [
            led_by("product", "warehouse", "-id", name="stockmove_product_idx"),
            # The list of a company's moves, newest first (the key on the company alone, which
            # SQLite kept in key order, is gone: see core.models.HighVolume).
            models.Index(fields=["company", "-id"], name="stockmove_company_idx"),
        ]


class Reservation(HighVolume):
    """One order line's claim on a warehouse's stock, while it has something left to ship.

    The row goes away when nothing is wanted any more (shipped, cancelled or amended away),
    so the table holds only open demand and giving new stock to waiting lines stays cheap.
    Order lines live in an upper app: the link is the line's id, the order number is for people.
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False)  # see the queue's index
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations", db_index=False)
    order_line_id = models.BigIntegerField()
    reference = models.CharField(max_length=40, blank=True)
    wanted = models.DecimalField(max_digits=14, decimal_places=4)
    reserved = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    # Waiting lines get new stock oldest first: by confirmation time, then id.
    priority = models.DateTimeField()

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "order_line_id"], name="reservation_one_per_line"),
            models.CheckConstraint(condition=Q(reserved__gte=0) & Q(wanted__gt=0), name="reservation_positive"),
            models.CheckConstraint(condition=Q(reserved__lte=F("wanted")), name="reservation_within_wanted"),
        ]
        indexes = [led_by("product", "warehouse", "priority", name="reservation_queue_idx")]

    @property
    def waiting(self) -> Decimal:
        return self.wanted - self.reserved


class StockAdjustment(CompanyOwned):
    """A clerk's count correction or a receipt of goods: the document behind adjustment and receipt moves."""

    class Kind(models.TextChoices):
        ADJUSTMENT = "adjustment", _("Adjustment")
        RECEIPT = "receipt", _("Receipt")

    number = models.CharField(_("number"), max_length=32)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.ADJUSTMENT)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=255)
    # The ledger entry of the stock value that came in or went out (posted by the goods layer).
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="stockadjustment_number_unique"),
            models.CheckConstraint(condition=Q(kind__in=["adjustment", "receipt"]), name="stockadjustment_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.number


class StockAdjustmentLine(CompanyOwned):
    adjustment = models.ForeignKey(StockAdjustment, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="stockadjustmentline_not_zero")]
