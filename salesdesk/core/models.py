"""Shared kernel tables: tenancy base, document events, number counters, audit log, idempotency."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyQuerySet(models.QuerySet):
    def for_company(self, company):
        return self.filter(company=company)


class CompanyOwned(models.Model):
    """Every business table: a non-null company, and every unique key includes it."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+", db_index=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        abstract = True


class HighVolume(CompanyOwned):
    """A company-owned table that grows with every sale: documents, their lines, stock moves,
    journal entries, events.

    Each row written costs one more entry in every index of its table, so these tables keep
    only the indexes something reads (docs/benchmarks.md, finding 23). The company key has
    none of its own: every index of such a table starts with the company, or its rows are
    read through their document. Nor do keys to a setting (currency, tax, price list,
    payment term, warehouse, account, content type) or to the user who wrote the row: the
    lists filter on them beside the company and a date, and the database looks them up only
    when such a setting or user is deleted, which is refused while rows use it. A key that is
    empty on most rows (a return, a credited invoice, a contract) is indexed only where it is
    set (`where_set`). Each list's default order has an index of its own that starts with the
    company (an index on the company alone gave SQLite the rows in key order; it is gone).
    """

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        abstract = True


def led_by(key: str, *rest: str, name: str) -> models.Index:
    """A key's rows within the company, led by the key instead of the company.

    A key belongs to one company, so the company adds nothing ahead of it. Led by the key,
    the same index is also what the database reads when the key's own row is deleted (a
    customer, a product, a user: refused while rows use it), and the key needs no index of
    its own (`db_index=False`): one index fewer written with every row (docs/benchmarks.md,
    finding 34).
    """
    return models.Index(fields=[key, "company", *rest], name=name)


def where_set(field: str, name: str) -> models.Index:
    """An index on a key empty on most rows: only the rows that have it are in the index, and
    a look-up by that key (`field = x` says it is set) still reads the index."""
    return models.Index(fields=[field], condition=models.Q(**{f"{field}__isnull": False}), name=name)


class DocumentEvent(HighVolume):
    """One status change of a document: who, when, from, to, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.PositiveBigIntegerField()
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["company", "content_type", "object_id", "at"], name="docevent_object_idx")]
        ordering = ["at", "id"]

    def _label(self, status: str) -> str:
        """A status as the document's pages name it ("Pending approval", in the user's language)."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        try:
            choices = dict(model._meta.get_field("status").flatchoices) if model is not None else {}
        except FieldDoesNotExist:
            choices = {}
        return str(choices.get(status, status))

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


class NumberCounter(CompanyOwned):
    """The last number given in a series and year. Taken inside the posting transaction."""

    series = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "series", "year"], name="numbercounter_unique"),
        ]


class AuditEntry(HighVolume):
    """Append-only: one changed field of one record, with its value before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        STATUS = "status", _("Status changed")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(auto_now_add=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=8, choices=Action)
    field = models.CharField(max_length=64, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["company", "content_type", "object_id", "at"], name="audit_object_idx"),
            # The audit log, newest first: its first page without sorting the whole history, read
            # backwards. Kept in ascending order, each new row goes at the end of the index; newest
            # first, each went before the first entry, where SQLite rewrote two or three full
            # pages for most rows (docs/benchmarks.md, finding 34).
            models.Index(fields=["company", "at", "id"], name="audit_at_idx"),
        ]
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=["create", "update", "delete", "status"]), name="audit_action_valid"),
        ]

    def __str__(self) -> str:
        what = f"{self.object_repr}: {self.field}" if self.field else self.object_repr
        return f"{self.get_action_display()} {what}"

    def save(self, *args, **kwargs):
        # Append-only guard: an audit row is written once and never changed.
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)


class IdempotencyRecord(CompanyOwned):
    """The first response to a POST sent with an Idempotency-Key, replayed on retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "user", "key"], name="idempotency_key_unique"),
        ]
