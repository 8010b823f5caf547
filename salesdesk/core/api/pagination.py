"""Page-number pagination that never counts the whole table.

It reads one row more than the page to know whether there is a next page, so the cost of a
page does not grow with the number of rows behind it.
"""

from collections import OrderedDict

from django.core.paginator import InvalidPage
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class Pagination(BasePagination):
    page_size = 25
    max_page_size = 200
    page_query_param = "page"
    page_size_query_param = "page_size"

    def _int_param(self, request, name: str, default: int, maximum: int | None = None) -> int:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({name: ["A whole number is required."]}) from None
        if value < 1:
            raise ValidationError({name: ["Must be 1 or more."]})
        return min(value, maximum) if maximum else value

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = self._int_param(request, self.page_query_param, 1, 10**9)
        self.size = self._int_param(request, self.page_size_query_param, self.page_size, self.max_page_size)
        start = (self.page - 1) * self.size
        try:
            rows = list(queryset[start : start + self.size + 1])
        except InvalidPage:  # pragma: no cover - slicing never raises it, kept for safety
            rows = []
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.page + 1)

    def get_previous_link(self):
        if self.page <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.page == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page - 1)

    def get_paginated_response(self, data):
        return Response(OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)]))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
