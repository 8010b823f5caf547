"""Reporting's own read models: sales facts, their rollups, and how far they have read.

Nothing else writes these tables, and they can always be rebuilt from the documents (see
docs/reporting.md). Amounts are in the company's currency.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned


class Measure(models.TextChoices):
    """What a fact counts: goods ordered, shipped, invoiced, credited, or money collected."""

    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    INVOICED = "invoiced", _("Invoiced")
    CREDITED = "credited", _("Credited")
    COLLECTED = "collected", _("Collected")


class Source(models.TextChoices):
    """The kind of document a fact comes from, for drilling down to it."""

    ORDER = "order", _("Sales order")
    DELIVERY = "delivery", _("Delivery")
    RETURN = "return", _("Return")
    INVOICE = "invoice", _("Invoice")
    PAYMENT = "payment", _("Payment")


class SalesFact(CompanyOwned):
    """One change to one document line's contribution to sales, with the dimensions it is analysed by.

    Facts are only ever added. When a document changes (an order amended or cancelled, a
    delivery refused), the refresh adds the difference between what the document counts
    for now and what its facts already add up to, so the sum of a line's facts is always
    what the document says today.
    """

    measure = models.CharField(max_length=10, choices=Measure)
    date = models.DateField()
    source = models.CharField(max_length=10, choices=Source)
    source_id = models.PositiveBigIntegerField()
    source_line_id = models.PositiveBigIntegerField(default=0)  # 0 for a document without lines (a payment)
    customer_id = models.PositiveBigIntegerField()
    customer_group_id = models.PositiveBigIntegerField(default=0)  # 0: none
    region_id = models.PositiveBigIntegerField(default=0)
    team_id = models.PositiveBigIntegerField(default=0)
    salesperson_id = models.PositiveBigIntegerField(default=0)
    product_id = models.PositiveBigIntegerField(default=0)
    category_id = models.PositiveBigIntegerField(default=0)
    quantity = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    gross_profit = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # +1 on the fact that counts its document once (the first line), -1 when that is undone.
    documents = models.SmallIntegerField(default=0)

    class Meta:
        permissions = [("demand_salesfact", "Can see the demand board")]
        indexes = [
            models.Index(fields=["company", "source", "source_id"], name="fact_source_idx"),
            models.Index(fields=["company", "measure", "date"], name="fact_measure_date_idx"),
            # A salesperson's (or a team's) own figures on the dashboards.
            models.Index(fields=["company", "salesperson_id", "measure", "date"], name="fact_seller_idx"),
        ]


class Grain(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")


class Summed(CompanyOwned):
    """The figures a rollup cell or a year total adds up from its facts."""

    quantity = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    gross_profit = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    documents = models.IntegerField(default=0)

    class Meta:
        abstract = True


class SalesRollup(Summed):
    """The facts summed per period (a day or a month) and per salesperson, team, region, category and group.

    Dashboards and the analysis read these: their cost grows with the number of cells shown,
    not with the number of documents. Each refresh adds its new facts to the cells they fall in.
    """

    measure = models.CharField(max_length=10, choices=Measure)
    grain = models.CharField(max_length=5, choices=Grain)
    period = models.DateField()  # the day, or the first day of the month
    salesperson_id = models.PositiveBigIntegerField(default=0)
    team_id = models.PositiveBigIntegerField(default=0)
    region_id = models.PositiveBigIntegerField(default=0)
    category_id = models.PositiveBigIntegerField(default=0)
    customer_group_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "company",
                    "measure",
                    "grain",
                    "period",
                    "salesperson_id",
                    "team_id",
                    "region_id",
                    "category_id",
                    "customer_group_id",
                ],
                name="rollup_cell_unique",
            )
        ]
        indexes = [
            # The periods' cells read from the index alone: the dashboards sum a month of day
            # cells (thousands at scale) per question, and the top salespeople by salesperson.
            models.Index(
                fields=[
                    "company",
                    "grain",
                    "measure",
                    "period",
                    "salesperson_id",
                    "quantity",
                    "revenue",
                    "cost",
                    "gross_profit",
                    "documents",
                ],
                name="rollup_period_idx",
            )
        ]


class YearTotal(Summed):
    """Each customer's and each product's sales per year, for the company as a whole.

    The dashboards' top tens read the largest rows by an index instead of summing the year's
    facts, so their cost does not grow with the number of invoices. Credit notes are counted in
    the invoiced figures (net sales). Kept by the refresh like the rollups.
    """

    measure = models.CharField(max_length=10, choices=Measure)
    year = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=8)  # "customer" or "product"
    member_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "measure", "year", "dimension", "member_id"], name="yeartotal_member_unique")
        ]
        indexes = [models.Index(fields=["company", "measure", "year", "dimension", "-revenue"], name="yeartotal_top_idx")]


class FactCursor(CompanyOwned):
    """The last document event the company's facts have read; the refresh starts after it."""

    last_event_id = models.PositiveBigIntegerField(default=0)
    # [event id, when it was first found missing]: ids below the cursor whose events may still
    # commit (a transaction open while later events were read); see services._late_events.
    pending = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company"], name="factcursor_company_unique")]

    @classmethod
    def locked(cls, company) -> "FactCursor":
        """The company's cursor, locked: whatever writes facts or sums built from them (a
        refresh, a rebuild, a scope's first totals) takes turns on this row, so nothing is
        counted twice or missed."""
        cls.objects.get_or_create(company=company)
        return cls.objects.select_for_update().get(company=company)


class SellerSpan(CompanyOwned):
    """The first and last day each salesperson has facts of each measure.

    A manager whose people include every salesperson with facts in a date range sees all of
    it, so the range's figures are the company's, read without joining their people to the
    rollups. A fact widens the span even when a later one cancels it: the check may answer
    "not everything" when it could have said yes, never the other way. Kept by the refresh.
    """

    measure = models.CharField(max_length=10, choices=Measure)
    salesperson_id = models.PositiveBigIntegerField()
    first_date = models.DateField()
    last_date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "measure", "salesperson_id"], name="sellerspan_unique")]


class TopScope(CompanyOwned):
    """A set of salespeople (a manager's people) whose customers' and products' yearly net sales are kept.

    The leader's top tens for a manager who does not see the whole company read these instead
    of summing a year of their people's facts. A scope is built the first time a dashboard
    asks for it and kept by every refresh after that; when a team changes, its members make a
    new set, hence a new scope. One unused for `scopes.UNUSED_DAYS` is dropped."""

    key = models.CharField(max_length=64)  # digest of the sorted salesperson ids
    salespeople = models.JSONField(default=list)
    from_year = models.PositiveSmallIntegerField()  # the totals are exact from this year on
    used_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "key"], name="topscope_key_unique")]


class ScopeYearTotal(CompanyOwned):
    """A scope's net invoiced revenue (credit notes deducted) per customer or product and year."""

    scope = models.ForeignKey(TopScope, on_delete=models.CASCADE, related_name="totals")
    year = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=8)  # "customer" or "product"
    member_id = models.PositiveBigIntegerField()
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "scope", "year", "dimension", "member_id"], name="scopetotal_member_unique")
        ]
        indexes = [models.Index(fields=["scope", "year", "dimension", "-revenue", "member_id"], name="scopetotal_top_idx")]
