"""Serializer base: every foreign key only sees rows of the request's company."""

from django.db import models
from rest_framework import serializers

from salesdesk.core.api.decimals import TrimmedDecimalField
from salesdesk.core.api.fields import CompanyRelatedField


class CompanyModelSerializer(serializers.ModelSerializer):
    serializer_related_field = CompanyRelatedField
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DecimalField: TrimmedDecimalField}

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
