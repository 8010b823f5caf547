from salesdesk.core.web.forms import CompanyModelForm
from salesdesk.inventory.models import Warehouse


class WarehouseForm(CompanyModelForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "address", "active"]
