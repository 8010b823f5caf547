"""Serializer fields that only ever see the request's company."""

from rest_framework import serializers

from salesdesk.core.prepared import PreparedByKeys


def company_queryset(model, request):
    """Rows of `model` visible in the request's company.

    A model that is not company-owned (users) says how it belongs to a company with an
    `in_company` queryset method.
    """
    company = getattr(request, "company", None)
    if company is None:
        return model.objects.none()
    if hasattr(model.objects, "in_company"):
        return model.objects.in_company(company)
    return model.objects.filter(company=company)


_PLACEHOLDERS: dict = {}


def placeholder_queryset(model):
    """An empty queryset of `model`, one per model, that DRF asks a writable related field for.

    The field never reads it (`get_queryset` builds the request's own), and DRF builds the
    fields of a serializer again for every request, each time constructing them from their
    arguments: building a fresh queryset there cost about 1 ms per order with its lines."""
    if model is None:
        return None
    if model not in _PLACEHOLDERS:
        _PLACEHOLDERS[model] = model.objects.none()
    return _PLACEHOLDERS[model]


class CompanyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key by id, limited to rows of the request's company.

    An id from another company is answered exactly like an id that does not exist.
    """

    def __init__(self, model=None, **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", placeholder_queryset(model))
        super().__init__(**kwargs)

    def get_queryset(self):
        return company_queryset(self.model, self.context.get("request"))

    def to_internal_value(self, data):
        # Rows a list serializer already read in one query for all its items (`load_in_bulk`).
        known = self.context.get(BULK_ROWS, {}).get(self.model)
        if known and isinstance(data, int) and not isinstance(data, bool) and data in known:
            return known[data]
        return super().to_internal_value(data)


BULK_ROWS = "_rows_in_bulk"
_LARGEST_ID = 2**63 - 1


def plain_id(value) -> int | None:
    """`value` as a row id when it can be one (a whole number, or its digits in a URL, within
    a 64-bit key), else None: anything else goes the ORM's way and gets its usual error."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _LARGEST_ID:
        return value
    return None


def load_in_bulk(serializer, items, wanted: dict[str, tuple[str, ...]]) -> None:
    """Read the related rows the items name in one query per field, not one per item.

    `wanted` maps a field of `serializer` (a `CompanyRelatedField`) to the relations to read
    with its rows (`{"product": ("tax",)}`). Each field's own queryset is used, so the company
    and record scopes are the same as for one item; an id not found is left for the field to
    refuse as usual."""
    if not isinstance(items, list):
        return
    cache = serializer.context.setdefault(BULK_ROWS, {}) if isinstance(serializer.context, dict) else None
    if cache is None:
        return
    for name, related in wanted.items():
        field = serializer.fields.get(name)
        if not isinstance(field, CompanyRelatedField) or field.read_only:
            continue
        ids = {item[name] for item in items if isinstance(item, dict) and isinstance(item.get(name), int) and plain_id(item[name])}
        if not ids:
            continue
        request = serializer.context.get("request")
        company = getattr(request, "company", None)
        plain = type(field).get_queryset is CompanyRelatedField.get_queryset and not hasattr(field.model.objects, "in_company")
        if plain and company is not None:
            rows = _in_bulk(field.model, tuple(related), company.pk, ids)
        else:
            rows = field.get_queryset().select_related(*related).in_bulk(ids)
        cache.setdefault(field.model, {}).update(rows)


# A document's lines name a few products: the read of n of them is composed once per n.
_IN_BULK: dict = {}


def _in_bulk(model, related: tuple, company_id: int, ids: list[int]) -> dict:
    read = _IN_BULK.get((model, related))
    if read is None:
        read = _IN_BULK[(model, related)] = PreparedByKeys(
            lambda company, *pks: model.objects.filter(company_id=company, pk__in=pks).select_related(*related), int
        )
    return {row.pk: row for row in read.all(company_id, keys=ids)}


class CompanySlugField(serializers.SlugRelatedField):
    """A foreign key by a code (currency `EUR`, unit `pc`), limited to the request's company."""

    def __init__(self, model=None, **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", placeholder_queryset(model))
        super().__init__(**kwargs)

    def get_queryset(self):
        return company_queryset(self.model, self.context.get("request"))

    def to_internal_value(self, data):
        # No code holds a NUL, and PostgreSQL refuses to compare one: answer "no such code".
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)
