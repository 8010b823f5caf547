"""Serializer fields that only ever see the request's company."""

from rest_framework import serializers


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


class CompanyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key by id, limited to rows of the request's company.

    An id from another company is answered exactly like an id that does not exist.
    """

    def __init__(self, model=None, **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model.objects.none() if model else None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return company_queryset(self.model, self.context.get("request"))


class CompanySlugField(serializers.SlugRelatedField):
    """A foreign key by a code (currency `EUR`, unit `pc`), limited to the request's company."""

    def __init__(self, model=None, **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model.objects.none() if model else None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return company_queryset(self.model, self.context.get("request"))

    def to_internal_value(self, data):
        # No code holds a NUL, and PostgreSQL refuses to compare one: answer "no such code".
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)
