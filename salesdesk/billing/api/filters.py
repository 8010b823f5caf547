"""Filters of the billing lists. Every filter is a database condition; foreign keys only accept rows of the request's company."""

from django_filters import rest_framework as filters

from salesdesk.billing import selectors
from salesdesk.billing.models import Deposit, DunningLetter, Invoice, Payment
from salesdesk.customers.models import Customer
from salesdesk.sales.models import SalesOrder

Status = Invoice.Status


def _of_company(model):
    return lambda request: model.objects.filter(company=request.company) if request is not None else model.objects.none()


class InvoiceFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))
    sales_order = filters.ModelChoiceFilter(queryset=_of_company(SalesOrder))
    payment_state = filters.ChoiceFilter(choices=[(s, s) for s in selectors.PAYMENT_STATE], method="filter_payment_state")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Due date passed with money still due")
    issue_date_from = filters.DateFilter(field_name="issue_date", lookup_expr="gte", label="Issued on or after")
    issue_date_to = filters.DateFilter(field_name="issue_date", lookup_expr="lte", label="Issued on or before")

    class Meta:
        model = Invoice
        fields = ["status", "kind", "customer", "sales_order", "disputed"]

    def filter_payment_state(self, qs, name, value):
        return qs.filter(selectors.PAYMENT_STATE[value]) if value else qs

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(selectors.overdue()) if value else qs.exclude(selectors.overdue())


class PaymentFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))
    invoice = filters.ModelChoiceFilter(
        queryset=_of_company(Invoice), field_name="allocations__invoice", distinct=True, label="Allocated to this invoice"
    )
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Received on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Received on or before")

    class Meta:
        model = Payment
        fields = ["status", "method", "customer"]


class DepositFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))
    sales_order = filters.ModelChoiceFilter(queryset=_of_company(SalesOrder))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Received on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Received on or before")

    class Meta:
        model = Deposit
        fields = ["status", "customer", "sales_order"]


class DunningLetterFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Dated on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Dated on or before")

    class Meta:
        model = DunningLetter
        fields = ["level", "customer"]
