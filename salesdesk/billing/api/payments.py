"""Payments and deposits: money received, recorded and used through one billing service call each.

Neither is ever changed or deleted: a payment is reversed (a chargeback), a deposit is applied
or refunded. Creating one honours `Idempotency-Key`, so a retried POST records the money once.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action

from salesdesk.billing import selectors, services
from salesdesk.billing.api import serializers as s
from salesdesk.billing.api.filters import DepositFilter, PaymentFilter
from salesdesk.billing.api.views import ScopedViewSet, conflict, single_item_errors
from salesdesk.billing.models import Deposit, DepositApplication, Payment, PaymentAllocation
from salesdesk.core.errors import Invalid
from salesdesk.sales.api.serializers import OptionalReasonSerializer

_PAYMENT, _DEPOSIT = "billing.change_payment", "billing.change_deposit"
MONEY_CONFLICTS = ("over_allocation", "no_exchange_rate")


@extend_schema_view(
    create=extend_schema(
        responses={201: s.PaymentSerializer, 409: conflict(*MONEY_CONFLICTS)},
        description="Records money received and allocates it; what is not allocated stays as the customer's credit. "
        "Allocating more than an invoice has due, or more than the payment, is `over_allocation`.",
    ),
)
class PaymentViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Payments received from customers, with their allocations to invoices."""

    queryset = Payment.objects.select_related("currency").prefetch_related(
        Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("invoice"))
    )
    serializer_class = s.PaymentSerializer
    visible = staticmethod(selectors.payments_visible)
    filterset_class = PaymentFilter
    search_fields = ["number", "reference", "customer__name", "customer__code"]
    ordering_fields = ["date", "number", "amount", "created_at"]
    action_perms = {"allocate": _PAYMENT, "reverse": _PAYMENT}

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        allocations = s.allocation_values(values.pop("allocations", None))
        payment = services.payment_create(
            company=self.request.company,
            actor=self.request.user,
            customer=values.pop("customer"),
            allocations=allocations,
            **values,
        )
        serializer.instance = self.fresh(payment)

    @extend_schema(
        request=s.AllocateSerializer,
        responses={200: s.PaymentSerializer, 409: conflict("invalid_transition", *MONEY_CONFLICTS)},
        description="Allocates the payment's unallocated money (the customer's credit) to invoices.",
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        payment = self.get_object()
        allocations = s.allocation_values(self.body(s.AllocateSerializer)["allocations"])
        return self.answer(services.payment_allocate(payment=payment, actor=request.user, allocations=allocations))

    @extend_schema(
        request=OptionalReasonSerializer,
        responses={200: s.PaymentSerializer, 409: conflict("invalid_transition")},
        description="A chargeback: the money went back. The invoices it paid are open again and the ledger entries are mirrored.",
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        reason = self.body(OptionalReasonSerializer).get("reason", "")
        return self.answer(services.payment_reverse(payment=payment, actor=request.user, reason=reason))


@extend_schema_view(
    create=extend_schema(
        responses={201: s.DepositSerializer, 409: conflict("invalid_transition", "no_exchange_rate")},
        description="Receives a deposit against a customer or one of their orders; a cancelled or closed order is "
        "`invalid_transition`. The money is held for the customer (a liability), not revenue.",
    ),
)
class DepositViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Deposits: money held for a customer until applied to invoices or refunded."""

    queryset = Deposit.objects.select_related("currency").prefetch_related(
        Prefetch("applications", queryset=DepositApplication.objects.select_related("invoice"))
    )
    serializer_class = s.DepositSerializer
    visible = staticmethod(selectors.deposits_visible)
    filterset_class = DepositFilter
    search_fields = ["number", "reference", "customer__name", "customer__code"]
    ordering_fields = ["date", "number", "amount", "created_at"]
    action_perms = {"apply": _DEPOSIT, "refund": _DEPOSIT}

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        deposit = services.deposit_create(company=self.request.company, actor=self.request.user, customer=values.pop("customer"), **values)
        serializer.instance = self.fresh(deposit)

    @extend_schema(
        request=s.DepositApplySerializer,
        responses={200: s.DepositSerializer, 409: conflict("invalid_transition", "over_allocation")},
        description="Applies (part of) what the deposit holds to a posted invoice of the same customer.",
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        deposit = self.get_object()
        body = self.body(s.DepositApplySerializer)
        try:
            applied = services.deposit_apply(deposit=deposit, invoice=body["invoice"], amount=body.get("amount"), actor=request.user)
        except Invalid as exc:
            raise single_item_errors(exc) from None
        return self.answer(applied)

    @extend_schema(
        request=s.RefundSerializer,
        responses={200: s.DepositSerializer, 409: conflict("invalid_transition", "over_allocation")},
        description="Pays back what the deposit still holds (all of it by default).",
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        deposit = self.get_object()
        body = self.body(s.RefundSerializer)
        refunded = services.deposit_refund(deposit=deposit, actor=request.user, amount=body.get("amount"), reason=body.get("reason", ""))
        return self.answer(refunded)
