"""`/api/v1/sales-settings/`: the company's discount authority bands, quotation validity and stock rules."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from salesdesk.core.api.fields import CompanyRelatedField
from salesdesk.core.api.idempotency import IdempotentMixin
from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.inventory.models import Warehouse
from salesdesk.sales import selectors, services
from salesdesk.sales.models import SalesSettings


class SalesSettingsSerializer(CompanyModelSerializer):
    block_without_stock = serializers.BooleanField(
        required=False, help_text="Refuse to confirm an order whose goods cannot all be reserved now (409 `insufficient_stock`)."
    )
    default_warehouse = CompanyRelatedField(
        model=Warehouse,
        required=False,
        allow_null=True,
        help_text="Where orders without a warehouse reserve and ship from; the first active warehouse (by code) when empty.",
    )

    class Meta:
        model = SalesSettings
        fields = ["salesperson_band_percent", "manager_band_percent", "quotation_validity_days", "block_without_stock", "default_warehouse"]

    def validate_default_warehouse(self, value):
        if value is not None and not value.active:
            raise serializers.ValidationError(_("This warehouse is inactive."))
        return value


class SalesSettingsView(IdempotentMixin, generics.RetrieveUpdateAPIView):
    """How far below a price floor each role may sell without approval, how long quotations stay valid,
    whether an order needs all its goods in stock to be confirmed, and the default warehouse."""

    serializer_class = SalesSettingsSerializer
    permission_classes = [CompanyRolePermission]
    perm_model = SalesSettings
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors.sales_settings(self.request.company)

    @extend_schema(responses=SalesSettingsSerializer)
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = services.sales_settings_update(
            company=self.request.company, actor=self.request.user, values=serializer.validated_data
        )
