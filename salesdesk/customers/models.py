"""Customer files: the customer, its group, contacts, payment terms and credit figures."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned


class PaymentTerm(CompanyOwned):
    """How an invoice is paid: one or more instalments (percent of the total, days after issue)."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="paymentterm_name_unique")]

    def __str__(self) -> str:
        return self.name


class PaymentTermLine(CompanyOwned):
    term = models.ForeignKey(PaymentTerm, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveSmallIntegerField(default=0)
    percent = models.DecimalField(
        _("percent"), max_digits=7, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("100"))]
    )
    days = models.PositiveSmallIntegerField(_("days"), validators=[MaxValueValidator(3650)])

    class Meta:
        ordering = ["term", "sequence", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=100), name="paymenttermline_percent_range")]


class CustomerGroup(CompanyOwned):
    name = models.CharField(_("name"), max_length=100)
    price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("price list")
    )

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="customergroup_name_unique")]

    def __str__(self) -> str:
        return self.name


class Customer(CompanyOwned):
    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        BLOCKED = "blocked", _("Blocked")

    # A prospect becomes active with its first business; anyone may be blocked and unblocked.
    TRANSITIONS = {
        Status.PROSPECT: {Status.ACTIVE, Status.BLOCKED},
        Status.ACTIVE: {Status.BLOCKED},
        Status.BLOCKED: {Status.ACTIVE},
    }

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="customers", verbose_name=_("group")
    )
    region = models.ForeignKey(
        "accounts.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("salesperson")
    )
    currency = models.ForeignKey(
        "catalog.Currency", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency")
    )
    payment_term = models.ForeignKey(
        PaymentTerm, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("payment term")
    )
    price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("price list")
    )
    # Empty: the company's invoicing policy applies (billing settings).
    invoice_policy = models.CharField(
        _("invoicing policy"),
        max_length=12,
        blank=True,
        choices=[("on_order", _("On order (bill what was ordered)")), ("on_delivery", _("On delivery (bill what has shipped)"))],
        help_text=_("Empty means the company's policy."),
    )
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty means no limit."),
    )
    overdue_block_days = models.PositiveSmallIntegerField(
        _("block when overdue (days)"), null=True, blank=True, validators=[MaxValueValidator(3650)], help_text=_("Empty means off.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PROSPECT)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    # ISO 3166 code of the billing address; empty means the company's own country.
    country = models.CharField(_("country"), max_length=2, blank=True)
    shipping_address = models.TextField(_("shipping address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="customer_code_unique"),
            models.CheckConstraint(condition=Q(status__in=["prospect", "active", "blocked"]), name="customer_status_valid"),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0), name="customer_credit_limit_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "salesperson", "code"], name="customer_salesperson_idx"),
            models.Index(fields=["company", "name"], name="customer_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CustomerContact(CompanyOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class CustomerAccount(CompanyOwned):
    """The customer's maintained money figures, read in O(1) by the credit check.

    Upper apps (orders, invoices, payments, deposits) change them through
    `customers.services.account_add` in the same transaction as their own entries, so the
    credit check never sums history.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    receivable = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    open_orders = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    unapplied_deposits = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    oldest_overdue_due_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "customer"], name="customeraccount_unique"),
            models.CheckConstraint(condition=Q(open_orders__gte=0) & Q(unapplied_deposits__gte=0), name="customeraccount_non_negative"),
        ]
