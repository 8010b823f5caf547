"""Deliveries: drafted from an order's outstanding goods, picked, shipped (stock and cost of goods
sold), delivered, or cancelled before they leave. Refusal at the door is billing's action
(`POST deliveries/{id}/refuse/`), because it may credit what was invoiced.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from salesdesk.core.api.views import ScopedViewSet
from salesdesk.fulfilment import selectors, services
from salesdesk.fulfilment.api import serializers as s
from salesdesk.fulfilment.api.filters import DeliveryFilter
from salesdesk.fulfilment.models import Delivery, DeliveryLine
from salesdesk.sales.api.serializers import OptionalReasonSerializer
from salesdesk.sales.api.views import conflict

_CHANGE = "fulfilment.change_delivery"
TRANSITION = conflict("invalid_transition")


class DeliveryViewSet(ScopedViewSet):
    """Deliveries of goods to customers. Quantities for everyone who reads them; costs only for users allowed to see margins."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Delivery.objects.prefetch_related(Prefetch("lines", queryset=DeliveryLine.objects.order_by("sequence", "id")))
    serializer_class = s.DeliverySerializer
    visible = staticmethod(selectors.deliveries_visible)
    filterset_class = DeliveryFilter
    search_fields = ["number", "tracking_number", "customer__name", "customer__code"]
    ordering_fields = ["date", "number", "created_at"]
    action_perms = {"pick": _CHANGE, "ship": _CHANGE, "deliver": _CHANGE, "cancel": _CHANGE, "pdf": "fulfilment.view_delivery"}

    @extend_schema(
        request=s.DeliveryCreateSerializer,
        responses={201: s.DeliverySerializer, 409: conflict("invalid_transition", "over_delivery", "nothing_to_deliver")},
        description="A draft delivery of a confirmed order, from its warehouse: everything outstanding and not on another open "
        "delivery, or the given `lines`. More than that is `over_delivery`; nothing left is `nothing_to_deliver`.",
    )
    def create(self, request):
        values = dict(self.body(s.DeliveryCreateSerializer))
        order = values.pop("sales_order")
        delivery = services.delivery_create(order=order, actor=request.user, membership=request.membership, **values)
        return self.answer(delivery, status=201)

    @extend_schema(
        request=s.DeliveryUpdateSerializer,
        responses={200: s.DeliverySerializer, 409: TRANSITION},
        description="Carrier, tracking number, shipping address and notes (the planned date while draft). The goods are fixed; "
        "a cancelled or refused delivery is closed (`invalid_transition`).",
    )
    def partial_update(self, request, pk=None):
        delivery = self.get_object()
        values = self.body(s.DeliveryUpdateSerializer)
        return self.answer(services.delivery_update(delivery=delivery, actor=request.user, values=dict(values)))

    @extend_schema(request=None, responses={200: s.DeliverySerializer, 409: TRANSITION}, description="The goods are picked (draft only).")
    @action(detail=True, methods=["post"])
    def pick(self, request, pk=None):
        return self.answer(services.delivery_pick(delivery=self.get_object(), actor=request.user))

    @extend_schema(
        request=None,
        responses={200: s.DeliverySerializer, 409: conflict("invalid_transition", "insufficient_stock", "over_delivery")},
        description="The goods leave: stock is taken (reserved first, then free), the order counts them delivered and their "
        "cost moves to cost of goods sold. Short of stock: `insufficient_stock`, nothing ships. More than the order still "
        "has outstanding (it was amended meanwhile): `over_delivery`.",
    )
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        return self.answer(services.delivery_ship(delivery=self.get_object(), actor=request.user))

    @extend_schema(
        request=s.DeliverSerializer,
        responses={200: s.DeliverySerializer, 409: TRANSITION},
        description="The carrier confirms the customer has the goods (shipped only).",
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        delivery = self.get_object()
        note = self.body(s.DeliverSerializer).get("note", "")
        return self.answer(services.delivery_deliver(delivery=delivery, actor=request.user, note=note))

    @extend_schema(
        request=OptionalReasonSerializer,
        responses={200: s.DeliverySerializer, 409: TRANSITION},
        description="A delivery not shipped yet is cancelled; its quantities are outstanding on the order again.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        delivery = self.get_object()
        reason = self.body(OptionalReasonSerializer).get("reason", "")
        return self.answer(services.delivery_cancel(delivery=delivery, actor=request.user, reason=reason))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, description="The delivery note (no prices).")
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        delivery = self.get_object()
        # WeasyPrint is heavy to import: load the renderer only when a PDF is asked for.
        from salesdesk.fulfilment import documents

        response = HttpResponse(documents.delivery_note_pdf(delivery), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{documents.delivery_note_filename(delivery)}"'
        return response
