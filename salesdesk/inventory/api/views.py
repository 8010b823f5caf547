from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.core.api.views import MasterDataViewSet
from salesdesk.inventory.models import Warehouse


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
