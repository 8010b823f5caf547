from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from salesdesk.core.api.views import CompanyScopedViewSet, MasterDataViewSet, within
from salesdesk.customers import selectors, services
from salesdesk.customers.api import serializers as s
from salesdesk.customers.models import Customer, CustomerContact, CustomerGroup, PaymentTerm


class CustomerViewSet(CompanyScopedViewSet):
    """Customer files. A salesperson sees their own customers, a manager their team's."""

    queryset = Customer.objects.select_related("currency").prefetch_related("contacts")
    serializer_class = s.CustomerSerializer
    filterset_fields = ["status", "group", "region", "salesperson", "price_list", "payment_term"]
    search_fields = ["code", "name", "legal_name", "tax_id", "email"]
    ordering_fields = ["code", "name", "created_at"]
    action_perms = {"activate": "customers.change_customer", "block": "customers.change_customer", "credit": "customers.view_customer"}

    def scope_queryset(self, qs):
        return within(qs, selectors.customers_visible(self.request.company, self.request.membership))

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        contacts = values.pop("contacts", [])
        serializer.instance = services.customer_create(
            company=self.request.company, actor=self.request.user, membership=self.request.membership, values=values, contacts=contacts
        )

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, actor=self.request.user, membership=self.request.membership, values=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.customer_delete(customer=instance, actor=self.request.user)

    def _status(self, request, status):
        body = s.CustomerStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = services.customer_set_status(
            customer=self.get_object(), actor=request.user, status=status, note=body.validated_data.get("reason", "")
        )
        return Response(s.CustomerSerializer(customer, context=self.get_serializer_context()).data)

    @extend_schema(request=s.CustomerStatusSerializer, responses=s.CustomerSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._status(request, Customer.Status.ACTIVE)

    @extend_schema(request=s.CustomerStatusSerializer, responses=s.CustomerSerializer)
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        return self._status(request, Customer.Status.BLOCKED)

    @extend_schema(responses=s.CreditSerializer)
    @action(detail=True, methods=["get"])
    def credit(self, request, pk=None):
        credit = selectors.customer_credit(self.get_object())
        return Response(
            s.CreditSerializer(
                {
                    "credit_limit": credit.credit_limit,
                    "receivable": credit.receivable,
                    "open_orders": credit.open_orders,
                    "unapplied_deposits": credit.unapplied_deposits,
                    "exposure": credit.exposure,
                    "available": credit.available,
                }
            ).data
        )


class ContactViewSet(MasterDataViewSet):
    queryset = CustomerContact.objects.select_related("customer")
    serializer_class = s.ContactSerializer
    filterset_fields = ["customer"]
    search_fields = ["name", "email"]
    ordering_fields = ["name"]

    def scope_queryset(self, qs):
        return qs.filter(customer__in=selectors.customers_visible(self.request.company, self.request.membership))

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        # Contacts can only be filed on customers the user can see.
        if hasattr(serializer, "fields") and "customer" in serializer.fields:
            serializer.fields["customer"].get_queryset = lambda: selectors.customers_visible(self.request.company, self.request.membership)
        return serializer

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        serializer.instance = services.contact_create(customer=values.pop("customer"), actor=self.request.user, values=values)


class CustomerGroupViewSet(MasterDataViewSet):
    queryset = CustomerGroup.objects.all()
    serializer_class = s.CustomerGroupSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]


class PaymentTermViewSet(MasterDataViewSet):
    queryset = PaymentTerm.objects.prefetch_related("lines")
    serializer_class = s.PaymentTermSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]

    def perform_create(self, serializer):
        serializer.instance = services.payment_term_save(company=self.request.company, actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = serializer.validated_data
        term = serializer.instance
        serializer.instance = services.payment_term_save(
            company=self.request.company,
            actor=self.request.user,
            term=term,
            name=data.get("name", term.name),
            lines=data.get("lines", [{"percent": x.percent, "days": x.days} for x in term.lines.all()]),
        )
