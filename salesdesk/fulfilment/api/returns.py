"""Returns (RMA): requested for goods the customer has, approved or rejected by a sales manager,
received and inspected line by line. Crediting them is billing's action (`POST returns/{id}/credit/`).
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action

from salesdesk.core.api.errors import ErrorSerializer
from salesdesk.core.api.views import ScopedViewSet
from salesdesk.fulfilment import selectors, services
from salesdesk.fulfilment.api import serializers as s
from salesdesk.fulfilment.api.filters import ReturnFilter
from salesdesk.fulfilment.models import Delivery, ReturnLine, ReturnRequest
from salesdesk.sales.api.views import conflict

_DECIDE = "fulfilment.approve_returnrequest"
TRANSITION = conflict("invalid_transition")
NOT_ALLOWED_TO_DECIDE = OpenApiResponse(
    response=ErrorSerializer,
    description="`permission_denied` or `not_allowed_to_approve`: only a sales manager or an administrator decides on a return.",
)


class ReturnViewSet(ScopedViewSet):
    """Returns of goods. Quantities and outcomes for everyone who reads them; costs only for users allowed to see margins."""

    queryset = ReturnRequest.objects.prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.order_by("sequence", "id")),
        Prefetch("replacements", queryset=Delivery.objects.only("pk", "return_request_id").order_by("id")),
    )
    serializer_class = s.ReturnSerializer
    visible = staticmethod(selectors.returns_visible)
    filterset_class = ReturnFilter
    search_fields = ["number", "customer__name", "customer__code"]
    ordering_fields = ["date", "number", "created_at"]
    action_perms = {"approve": _DECIDE, "reject": _DECIDE, "receive": "fulfilment.change_returnrequest"}

    @extend_schema(
        request=s.ReturnCreateSerializer,
        responses={201: s.ReturnSerializer, 409: conflict("over_return")},
        description="A return request for goods the customer got from us: at most what was shipped to them (of the given "
        "delivery, order or invoice) and not already asked back, else `over_return`.",
    )
    def create(self, request):
        values = dict(self.body(s.ReturnCreateSerializer))
        made = services.return_create(
            company=request.company,
            actor=request.user,
            membership=request.membership,
            customer=values.pop("customer"),
            lines=values.pop("lines"),
            **values,
        )
        return self.answer(made, status=201)

    @extend_schema(
        request=s.DecisionSerializer,
        responses={200: s.ReturnSerializer, 403: NOT_ALLOWED_TO_DECIDE, 409: TRANSITION},
        description="A sales manager accepts the return: the goods may come back.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        made = self.get_object()
        reason = self.body(s.DecisionSerializer).get("reason", "")
        return self.answer(services.return_approve(request=made, actor=request.user, membership=request.membership, reason=reason))

    @extend_schema(
        request=s.RejectionSerializer,
        responses={200: s.ReturnSerializer, 403: NOT_ALLOWED_TO_DECIDE, 409: TRANSITION},
        description="A sales manager refuses the return, saying why.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        made = self.get_object()
        reason = self.body(s.RejectionSerializer)["reason"]
        return self.answer(services.return_reject(request=made, actor=request.user, membership=request.membership, reason=reason))

    @extend_schema(
        request=s.ReceiveSerializer,
        responses={200: s.ReturnSerializer, 409: conflict("invalid_transition", "over_receipt")},
        description="The goods arrived (approved returns): every line gets what came and its outcome. `restock` puts them back "
        "in stock, `scrap` writes them off, `replace` writes them off and drafts a replacement delivery, `repair` sends the "
        "customer's goods back repaired. More than approved is `over_receipt`.",
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        made = self.get_object()
        lines = self.body(s.ReceiveSerializer)["lines"]
        return self.answer(services.return_receive(request=made, actor=request.user, lines=lines))
