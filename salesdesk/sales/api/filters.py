"""Filters of the sales document lists. Foreign keys only accept rows of the request's company."""

from django_filters import rest_framework as filters

from salesdesk.accounts.models import User
from salesdesk.customers.models import Customer
from salesdesk.sales.models import Contract, PriceApproval, Quotation, SalesOrder


def _of_company(model):
    return lambda request: model.objects.filter(company=request.company) if request is not None else model.objects.none()


def _users(request):
    return User.objects.in_company(request.company) if request is not None else User.objects.none()


class DocumentFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))
    salesperson = filters.ModelChoiceFilter(queryset=_users)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Dated on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Dated on or before")


class QuotationFilter(DocumentFilter):
    previous = filters.ModelChoiceFilter(queryset=_of_company(Quotation), label="The revision before")

    class Meta:
        model = Quotation
        fields = ["status", "customer", "salesperson", "previous"]


class SalesOrderFilter(DocumentFilter):
    quotation = filters.ModelChoiceFilter(queryset=_of_company(Quotation))
    contract = filters.ModelChoiceFilter(queryset=_of_company(Contract))
    # Stored columns that billing keeps up to date, so these are plain indexed conditions.
    invoice_state = filters.ChoiceFilter(choices=[(s, s) for s in ("none", "partial", "invoiced")])
    payment_state = filters.ChoiceFilter(choices=[(s, s) for s in ("none", "partial", "paid")])

    class Meta:
        model = SalesOrder
        fields = ["status", "customer", "salesperson", "quotation", "contract", "invoice_state", "payment_state"]


class ContractFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=_of_company(Customer))

    class Meta:
        model = Contract
        fields = ["status", "customer"]


class PriceApprovalFilter(filters.FilterSet):
    sales_order = filters.ModelChoiceFilter(field_name="order", queryset=_of_company(SalesOrder), label="Sales order id")

    class Meta:
        model = PriceApproval
        fields = ["status", "sales_order"]
