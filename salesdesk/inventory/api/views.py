"""Warehouses (master data), and stock as the moves leave it: levels and moves, read only.

Stock changes only through the goods documents (receipts and adjustments, deliveries,
refusals, returns), never by writing a level or a move here."""

from rest_framework import mixins, viewsets

from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.core.api.views import CompanyScopedMixin, MasterDataViewSet
from salesdesk.inventory import selectors
from salesdesk.inventory.api import serializers as s
from salesdesk.inventory.api.filters import StockLevelFilter, StockMoveFilter
from salesdesk.inventory.models import StockLevel, StockMove, Warehouse


class WarehouseSerializer(CompanyModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "active"]


class WarehouseViewSet(MasterDataViewSet):
    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_fields = ["active"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class _StockReadViewSet(CompanyScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    selector = None  # (company) -> the rows of stock of the company

    def scope_queryset(self, qs):
        return self.selector(self.request.company)


class StockLevelViewSet(_StockReadViewSet):
    """Stock per product and warehouse: on hand, reserved for confirmed orders, available. The value
    (moving average cost) only for users allowed to see costs."""

    queryset = StockLevel.objects.all()
    selector = staticmethod(selectors.levels)
    serializer_class = s.StockLevelSerializer
    filterset_class = StockLevelFilter
    ordering_fields = ["on_hand", "reserved", "available"]


class StockMoveViewSet(_StockReadViewSet):
    """Every change of stock, newest first. Unit cost and value only for users allowed to see costs."""

    queryset = StockMove.objects.all()
    selector = staticmethod(selectors.moves)
    serializer_class = s.StockMoveSerializer
    filterset_class = StockMoveFilter
    search_fields = ["reference", "reason"]
    ordering_fields = ["date", "created_at"]
