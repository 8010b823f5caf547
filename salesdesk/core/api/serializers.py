"""Serializer base: every foreign key only sees rows of the request's company."""

import copy

from django.db import models
from rest_framework import serializers
from rest_framework.settings import ISO_8601

from salesdesk.core.api.decimals import TrimmedDecimalField
from salesdesk.core.api.fields import CompanyRelatedField

LAST_YEAR = 9000  # the latest year a date given to the API may have


class IsoDateField(serializers.DateField):
    """Always `YYYY-MM-DD`: `strftime("%Y")` drops the zero padding of years before 1000.

    Dates past the year 9000 are refused: a due date or validity counted from them would pass
    the last date the calendar types hold (9999-12-31)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", ISO_8601)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if parsed.year > LAST_YEAR:
            raise serializers.ValidationError(f"Too far in the future (after the year {LAST_YEAR}).", code="too_late")
        return parsed


def _copy(field):
    """A field for one serializer instance. DRF deep-copies by constructing the field again from
    its arguments (most of the cost of a request's serializer, 0.1 ms a field). A plain field
    keeps nothing of a request but what `bind()` sets on it, so a shallow copy of the unbound
    original serves; a field holding other fields (a nested serializer, a list's child) is
    copied deeply, so that binding never touches the shared original's children."""
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    return copy.copy(field)


class CompanyModelSerializer(serializers.ModelSerializer):
    serializer_related_field = CompanyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: TrimmedDecimalField,
        models.DateField: IsoDateField,
    }

    # Fields built from the model once per serializer class, then copied for each instance
    # (the way DRF copies declared fields): building them means introspecting the model and
    # costs about 2 ms for an order with its lines, on every request that reads or writes one.
    # No serializer of ours changes its fields per request; one that did would override this.
    _built_fields: dict = {}

    def get_fields(self):
        built = CompanyModelSerializer._built_fields.get(type(self))
        if built is None:
            built = CompanyModelSerializer._built_fields[type(self)] = super().get_fields()
        return {name: _copy(field) for name, field in built.items()}

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if field_class is CompanyRelatedField:
            kwargs.pop("queryset", None)
            kwargs["model"] = relation_info.related_model
        return field_class, kwargs

    @property
    def company(self):
        return self.context["request"].company

    @property
    def actor(self):
        return self.context["request"].user
