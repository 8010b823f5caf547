"""Stock adjustments: goods received from suppliers and count corrections, each with its stock moves and ledger entry."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from salesdesk.core.api.views import CompanyScopedMixin
from salesdesk.fulfilment import services
from salesdesk.fulfilment.api import serializers as s
from salesdesk.fulfilment.api.filters import StockAdjustmentFilter
from salesdesk.inventory.models import StockAdjustment, StockAdjustmentLine
from salesdesk.sales.api.views import conflict


class StockAdjustmentViewSet(CompanyScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Receipts (`REC-`) and adjustments (`ADJ-`) of stock. Unit costs and values only for users allowed to see costs."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = StockAdjustment.objects.prefetch_related(
        Prefetch("lines", queryset=StockAdjustmentLine.objects.select_related("move").order_by("id"))
    )
    serializer_class = s.StockAdjustmentSerializer
    filterset_class = StockAdjustmentFilter
    search_fields = ["number", "reason"]
    ordering_fields = ["date", "number", "created_at"]

    @extend_schema(
        request=s.StockAdjustmentCreateSerializer,
        responses={201: s.StockAdjustmentSerializer, 409: conflict("insufficient_stock")},
        description="Brings stock in (positive quantities, at `unit_cost`) or takes it out (negative, at average cost), with "
        "the reason and the ledger entry of the value; new stock goes to waiting order lines, oldest first. A `receipt` only "
        "brings stock in. Taking out more than is on hand is `insufficient_stock`, and nothing changes.",
    )
    def create(self, request):
        values = dict(self.body())
        adjustment = services.stock_adjust(company=request.company, actor=request.user, **values)
        return Response(self.get_serializer(self.get_queryset().get(pk=adjustment.pk)).data, status=201)

    def body(self) -> dict:
        body = s.StockAdjustmentCreateSerializer(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data
