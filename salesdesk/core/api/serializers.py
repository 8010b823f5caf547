"""Serializer base: every foreign key only sees rows of the request's company."""

from django.db import models
from rest_framework import serializers
from rest_framework.settings import ISO_8601

from salesdesk.core.api.decimals import TrimmedDecimalField
from salesdesk.core.api.fields import CompanyRelatedField


class IsoDateField(serializers.DateField):
    """Always `YYYY-MM-DD`: `strftime("%Y")` drops the zero padding of years before 1000."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", ISO_8601)
        super().__init__(**kwargs)


class CompanyModelSerializer(serializers.ModelSerializer):
    serializer_related_field = CompanyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: TrimmedDecimalField,
        models.DateField: IsoDateField,
    }

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
