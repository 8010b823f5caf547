"""Filters of the stock lists. Foreign keys only accept rows of the request's company."""

from django_filters import rest_framework as filters

from salesdesk.catalog.models import Product
from salesdesk.inventory.models import StockLevel, StockMove, Warehouse


def _of_company(model):
    return lambda request: model.objects.filter(company=request.company) if request is not None else model.objects.none()


class StockLevelFilter(filters.FilterSet):
    product = filters.ModelChoiceFilter(queryset=_of_company(Product))
    warehouse = filters.ModelChoiceFilter(queryset=_of_company(Warehouse))

    class Meta:
        model = StockLevel
        fields = ["product", "warehouse"]


class StockMoveFilter(filters.FilterSet):
    product = filters.ModelChoiceFilter(queryset=_of_company(Product))
    warehouse = filters.ModelChoiceFilter(queryset=_of_company(Warehouse))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Moved on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Moved on or before")

    class Meta:
        model = StockMove
        fields = ["product", "warehouse", "kind"]
