"""The double-entry ledger: a chart of accounts, append-only journal entries whose lines
balance, and one maintained balance row per account."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned, HighVolume, where_set


class Account(CompanyOwned):
    """One account of the company's chart; `role` names the accounts the apps post to."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    class Role(models.TextChoices):
        RECEIVABLE = "receivable", _("Receivables")
        REVENUE = "revenue", _("Revenue")
        TAX_PAYABLE = "tax_payable", _("Tax payable")
        CUSTOMER_DEPOSITS = "customer_deposits", _("Customer deposits")
        INVENTORY = "inventory", _("Inventory")
        COST_OF_GOODS_SOLD = "cost_of_goods_sold", _("Cost of goods sold")
        BAD_DEBT = "bad_debt", _("Bad debts")
        CASH = "cash", _("Cash and bank")
        EXCHANGE_DIFFERENCE = "exchange_difference", _("Exchange differences")
        STOCK_ADJUSTMENT = "stock_adjustment", _("Stock adjustments")
        GOODS_RECEIVED = "goods_received", _("Goods received")

    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    role = models.CharField(_("role"), max_length=32, choices=Role, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="ledger_account_code_unique"),
            models.UniqueConstraint(fields=["company", "role"], condition=~Q(role=""), name="ledger_account_role_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["asset", "liability", "equity", "income", "expense"]), name="ledger_account_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    role__in=[
                        "",
                        "receivable",
                        "revenue",
                        "tax_payable",
                        "customer_deposits",
                        "inventory",
                        "cost_of_goods_sold",
                        "bad_debt",
                        "cash",
                        "exchange_difference",
                        "stock_adjustment",
                        "goods_received",
                    ]
                ),
                name="ledger_account_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntry(HighVolume):
    """One posting: dated, numbered without gaps, never changed (a mistake is reversed)."""

    number = models.CharField(_("number"), max_length=32)
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="ledger_entry_number_unique")]
        indexes = [
            # The journal's default order (newest first, read backwards), and its periods: the
            # first page is read off the index on PostgreSQL too, which has no key order behind
            # an index. Ascending, so that new entries go at its end (see core's audit_at_idx).
            models.Index(fields=["company", "date", "id"], name="ledger_entry_date_idx"),
            models.Index(fields=["company", "content_type", "object_id"], name="ledger_entry_source_idx"),
            where_set("reverses", "ledger_entry_reverses_idx"),
        ]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return self.number


class JournalLine(HighVolume):
    """One side of an entry: a debit or a credit (exactly one) on one account."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    # Set on the receivables lines only, and indexed only there (`ledger_line_customer_idx`).
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    debit = models.DecimalField(_("debit"), max_digits=16, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(_("credit"), max_digits=16, decimal_places=2, default=Decimal("0"))
    memo = models.CharField(_("memo"), max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(debit__gte=0) & Q(credit__gte=0), name="ledger_line_non_negative"),
            models.CheckConstraint(condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)), name="ledger_line_one_sided"),
        ]
        indexes = [
            models.Index(fields=["company", "account"], name="ledger_line_account_idx"),
            where_set("customer", "ledger_line_customer_idx"),
        ]


class AccountBalance(CompanyOwned):
    """The maintained debit and credit totals of one account, moved with every posting."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    debit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "account"], name="ledger_balance_unique")]
