"""Where goods and money meet in the API: a delivery refused at the door, a return credited, and disputes.

Refusal and crediting change goods documents and may make credit notes, so they live in billing
(above fulfilment): `POST deliveries/{id}/refuse/` and `POST returns/{id}/credit/` answer the
delivery or the return as the fulfilment resources show it, plus the ids of the credit notes made.
Disputes are scoped like invoices: a salesperson sees their own customers' and gets 404 for the others.
"""

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.billing import selectors, services
from salesdesk.billing.api.serializers import money
from salesdesk.billing.api.views import ScopedViewSet, conflict
from salesdesk.billing.models import Dispute, DisputeOutcome, DisputeReason, Invoice
from salesdesk.core.api.idempotency import IdempotentMixin
from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.customers.models import Customer
from salesdesk.fulfilment import selectors as fulfilment_selectors
from salesdesk.fulfilment.api.serializers import DeliverySerializer, ReturnSerializer
from salesdesk.sales.api.serializers import ReasonSerializer, VisibleRelatedField


def _credit_notes_field():
    return serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="Ids of the credit notes made (empty when nothing was billed)."
    )


class RefusedDeliverySerializer(DeliverySerializer):
    """The refused delivery, as `deliveries/{id}/` shows it, and the credit notes of what had been billed for it."""

    status = serializers.CharField(read_only=True, help_text="`refused`.")
    credit_notes = _credit_notes_field()

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "credit_notes"]


class CreditedReturnSerializer(ReturnSerializer):
    """The credited return, as `returns/{id}/` shows it, and its credit notes."""

    status = serializers.CharField(read_only=True, help_text="`credited`.")
    credit_notes = _credit_notes_field()

    class Meta(ReturnSerializer.Meta):
        fields = [*ReturnSerializer.Meta.fields, "credit_notes"]


class _GoodsAction(IdempotentMixin, APIView):
    """A billing action on a goods document of the user's record scope (404 outside it).

    `action` names the permission in `action_perms`, as on the viewsets."""

    permission_classes = [CompanyRolePermission]
    action = None
    action_perms: dict[str, str] = {}
    visible = None  # (company, membership) -> the documents this user may see
    shown_as = None  # the fulfilment resource's serializer
    related: tuple[str, ...] = ()

    def document(self, request, id: int):
        found = self.visible(request.company, request.membership).prefetch_related(*self.related).filter(pk=id).first()
        if found is None:
            raise Http404
        return found

    def answer(self, request, document, notes) -> Response:
        shown = self.document(request, document.pk)
        data = dict(self.shown_as(shown, context={"request": request, "view": self}).data)
        data["credit_notes"] = [note.pk for note in notes]
        return Response(data)


class DeliveryRefuseView(_GoodsAction):
    """The customer refuses a shipped delivery at the door."""

    action = "refuse"
    action_perms = {"refuse": "fulfilment.change_delivery"}
    visible = staticmethod(fulfilment_selectors.deliveries_visible)
    shown_as = DeliverySerializer
    related = ("lines",)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: RefusedDeliverySerializer, 409: conflict("invalid_transition", "over_credit", "no_exchange_rate")},
        description="One action: the goods go back to stock at the cost they left at, cost of goods sold is reversed, the "
        "order owes the goods again (reserved back for it), and whatever was invoiced for them is credited (`credit_notes`). "
        "Only a shipped delivery is refused; once delivered it is a return instead (`invalid_transition`).",
    )
    def post(self, request, id: int):
        delivery = self.document(request, id)
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        delivery, notes = services.delivery_refuse(delivery=delivery, actor=request.user, reason=reason.validated_data["reason"])
        return self.answer(request, delivery, notes)


class ReturnCreditView(_GoodsAction):
    """The received goods we kept (restocked or scrapped) are credited at the price they were invoiced at."""

    action = "credit"
    action_perms = {"credit": "billing.post_invoice"}
    visible = staticmethod(fulfilment_selectors.returns_visible)
    shown_as = ReturnSerializer
    related = ("lines", "replacements")

    @extend_schema(
        request=None,
        responses={200: CreditedReturnSerializer, 409: conflict("invalid_transition", "over_credit", "no_exchange_rate")},
        description="Makes and posts one credit note per invoice that billed the goods, and closes the return (`credited`). "
        "Only a received return is credited (`invalid_transition`); goods never invoiced to the customer are `over_credit`.",
    )
    def post(self, request, id: int):
        returned, notes = services.return_credit(request=self.document(request, id), actor=request.user)
        return self.answer(request, returned, notes)


# --- disputes -----------------------------------------------------------------------------


class DisputeSerializer(CompanyModelSerializer):
    """A customer contests (part of) an invoice: the amount stays out of dunning until resolved."""

    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    customer = serializers.IntegerField(source="invoice.customer_id", read_only=True, help_text="The invoice's customer.")
    reason = serializers.ChoiceField(choices=DisputeReason.choices, read_only=True)
    status = serializers.ChoiceField(choices=Dispute.Status.choices, read_only=True)
    outcome = serializers.ChoiceField(choices=["", *DisputeOutcome.values], read_only=True, help_text="Empty while open.")

    class Meta:
        model = Dispute
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "customer",
            "amount",
            "reason",
            "note",
            "status",
            "outcome",
            "resolution_note",
            "credit_note",
            "write_off",
            "opened_by",
            "opened_at",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields


class DisputeCreateSerializer(serializers.Serializer):
    invoice = VisibleRelatedField(model=Invoice, visible=selectors.invoices_visible, help_text="A posted invoice with money due.")
    amount = money(required=False, help_text="All that is due and not disputed yet when left out.")
    reason = serializers.ChoiceField(choices=DisputeReason.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=DisputeOutcome.choices,
        help_text="`credit_note` credits the disputed amount, `write_off` writes it off, `collect` keeps it due (back in dunning).",
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class DisputeFilter(filters.FilterSet):
    invoice = filters.ModelChoiceFilter(
        queryset=lambda request: Invoice.objects.filter(company=request.company) if request is not None else Invoice.objects.none()
    )
    customer = filters.ModelChoiceFilter(
        field_name="invoice__customer",
        queryset=lambda request: Customer.objects.filter(company=request.company) if request is not None else Customer.objects.none(),
    )

    class Meta:
        model = Dispute
        fields = ["status", "invoice", "customer", "reason"]


@extend_schema_view(
    create=extend_schema(
        request=DisputeCreateSerializer,
        responses={201: DisputeSerializer, 409: conflict("not_open", "over_allocation")},
        description="Opens a dispute on a posted invoice with money due (`not_open` otherwise). Disputing more than is due "
        "and not disputed yet is `over_allocation`.",
    )
)
class DisputeViewSet(ScopedViewSet):
    """Disputes of invoices, open or resolved."""

    queryset = Dispute.objects.select_related("invoice")
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilter
    search_fields = ["invoice__number", "invoice__customer__name", "invoice__customer__code", "note"]
    ordering_fields = ["opened_at", "amount", "resolved_at"]
    action_perms = {"resolve": "billing.change_dispute"}

    visible = staticmethod(selectors.disputes_visible)

    def create(self, request, *args, **kwargs):
        body = self.body(DisputeCreateSerializer)
        dispute = services.dispute_open(
            invoice=body["invoice"], actor=request.user, reason=body["reason"], amount=body.get("amount"), note=body.get("note", "")
        )
        return self.answer(dispute, status=201)

    @extend_schema(
        request=ResolveSerializer,
        responses={200: DisputeSerializer, 409: conflict("invalid_transition", "not_open", "over_credit", "no_exchange_rate")},
        description="Closes an open dispute: a posted credit note or a write-off for its amount (never more than is still "
        "due; nothing due is `not_open`), or `collect`.",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        dispute = self.get_object()
        body = self.body(ResolveSerializer)
        return self.answer(
            services.dispute_resolve(dispute=dispute, actor=request.user, outcome=body["outcome"], note=body.get("note", ""))
        )
