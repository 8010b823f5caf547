"""Products and what prices them: categories, units, taxes, currencies and price lists."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned
from salesdesk.core.money import STORED_PLACES

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Unit(CompanyOwned):
    code = models.CharField(
        _("code"), max_length=8, validators=[RegexValidator(r"^[a-z0-9_]+$", _("Lower-case letters, digits and _ only."))]
    )
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="unit_code_unique")]

    def __str__(self) -> str:
        return self.code


class ProductCategory(CompanyOwned):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent"))

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "parent", "name"], name="category_name_unique", nulls_distinct=False)]

    def __str__(self) -> str:
        return self.name


class Tax(CompanyOwned):
    """A tax rate in percent, either added to prices or already included in them."""

    name = models.CharField(_("name"), max_length=60)
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4, validators=PERCENT)
    included_in_price = models.BooleanField(_("included in price"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tax")
        verbose_name_plural = _("taxes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="tax_name_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_range"),
        ]

    def __str__(self) -> str:
        return self.name


class Currency(CompanyOwned):
    """A currency the company trades in (ISO 4217)."""

    code = models.CharField(_("code"), max_length=3, validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital letters (ISO 4217)."))])
    name = models.CharField(_("name"), max_length=60)
    # Amounts are stored to the cent (`core.money.STORED_PLACES`): at most two places.
    decimal_places = models.PositiveSmallIntegerField(
        _("decimal places"),
        default=2,
        validators=[MaxValueValidator(STORED_PLACES, _("Amounts are kept to the cent: at most 2 decimal places."))],
    )

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="currency_code_unique"),
            models.CheckConstraint(condition=Q(decimal_places__lte=STORED_PLACES), name="currency_places_range"),
        ]

    def __str__(self) -> str:
        return self.code


class CurrencyRate(CompanyOwned):
    """Units of `currency` per one unit of the company's base currency, from `date` on."""

    currency = models.ForeignKey(Currency, on_delete=models.CASCADE, related_name="rates", verbose_name=_("currency"))
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))])

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency__code", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["company", "currency", "date"], name="currencyrate_unique"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="currencyrate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.date} {self.rate}"


class Product(CompanyOwned):
    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods (stock-tracked)")
        SERVICE = "service", _("Service")

    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        ProductCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=4, default=Decimal("0"), validators=NON_NEGATIVE)
    cost = models.DecimalField(_("standard cost"), max_digits=14, decimal_places=4, default=Decimal("0"), validators=NON_NEGATIVE)
    tax = models.ForeignKey(Tax, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tax"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.GOODS)
    serial_tracked = models.BooleanField(_("serial-tracked"), default=False)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=0, validators=[MaxValueValidator(600)])
    floor_price = models.DecimalField(_("floor price"), max_digits=14, decimal_places=4, null=True, blank=True, validators=NON_NEGATIVE)
    max_discount_percent = models.DecimalField(
        _("max. discount (%)"), max_digits=7, decimal_places=4, null=True, blank=True, validators=PERCENT
    )
    min_margin_percent = models.DecimalField(
        _("min. margin (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="product_sku_unique"),
            models.CheckConstraint(condition=Q(kind__in=["goods", "service"]), name="product_kind_valid"),
            models.CheckConstraint(condition=Q(list_price__gte=0) & Q(cost__gte=0), name="product_prices_non_negative"),
        ]
        indexes = [models.Index(fields=["company", "name"], name="product_name_idx")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(CompanyOwned):
    """Prices for a customer group (or assigned to customers), in one currency, for a period."""

    name = models.CharField(_("name"), max_length=100)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    customer_group = models.ForeignKey(
        "customers.CustomerGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("customer group")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_default = models.BooleanField(_("company default"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="pricelist_name_unique"),
            models.UniqueConstraint(fields=["company"], condition=Q(is_default=True), name="pricelist_one_default"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_period_valid",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(CompanyOwned):
    """One entry: for a product or a whole category, from a quantity on, a fixed price or a discount.

    It may carry a floor: a minimum price or a maximum discount below which a salesperson
    needs a manager's approval.
    """

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    # Protected: a product or category still priced in a list is deactivated, not deleted,
    # so entries never disappear without a trace in the list's history.
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    category = models.ForeignKey(
        ProductCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    min_quantity = models.DecimalField(_("from quantity"), max_digits=14, decimal_places=4, default=Decimal("0"), validators=NON_NEGATIVE)
    price = models.DecimalField(_("fixed price"), max_digits=14, decimal_places=4, null=True, blank=True, validators=NON_NEGATIVE)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=7, decimal_places=4, null=True, blank=True, validators=PERCENT)
    floor_price = models.DecimalField(_("floor price"), max_digits=14, decimal_places=4, null=True, blank=True, validators=NON_NEGATIVE)
    max_discount_percent = models.DecimalField(
        _("max. discount (%)"), max_digits=7, decimal_places=4, null=True, blank=True, validators=PERCENT
    )

    class Meta:
        verbose_name = _("price list entry")
        verbose_name_plural = _("price list entries")
        ordering = ["price_list", "product", "category", "min_quantity"]
        constraints = [
            # Exactly one target (product or category) and exactly one rule (price or discount).
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(category__isnull=True)) | (Q(product__isnull=True) & Q(category__isnull=False)),
                name="pricelistitem_one_target",
            ),
            models.CheckConstraint(
                condition=(Q(price__isnull=False) & Q(discount_percent__isnull=True))
                | (Q(price__isnull=True) & Q(discount_percent__isnull=False)),
                name="pricelistitem_one_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}: {self.product_id or self.category_id} ≥ {self.min_quantity}"
