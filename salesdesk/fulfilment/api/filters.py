"""Filters of the delivery, return and stock adjustment lists. Foreign keys only accept rows of the request's company."""

from django_filters import rest_framework as filters

from salesdesk.customers.models import Customer
from salesdesk.fulfilment.models import Delivery, ReturnRequest
from salesdesk.inventory.models import StockAdjustment, Warehouse
from salesdesk.sales.models import SalesOrder


def _of_company(model):
    return lambda request: model.objects.filter(company=request.company) if request is not None else model.objects.none()


class DeliveryFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))
    sales_order = filters.ModelChoiceFilter(queryset=_of_company(SalesOrder))
    warehouse = filters.ModelChoiceFilter(queryset=_of_company(Warehouse))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Planned on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Planned on or before")

    class Meta:
        model = Delivery
        fields = ["status", "customer", "sales_order", "warehouse"]


class ReturnFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))
    sales_order = filters.ModelChoiceFilter(queryset=_of_company(SalesOrder))
    delivery = filters.ModelChoiceFilter(queryset=_of_company(Delivery))

    class Meta:
        model = ReturnRequest
        fields = ["status", "customer", "sales_order", "delivery"]


class StockAdjustmentFilter(filters.FilterSet):
    warehouse = filters.ModelChoiceFilter(queryset=_of_company(Warehouse))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Dated on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Dated on or before")

    class Meta:
        model = StockAdjustment
        fields = ["kind", "warehouse"]
