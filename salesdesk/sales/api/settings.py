"""`/api/v1/sales-settings/`: the company's discount authority bands and quotation validity."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from salesdesk.core.api.idempotency import IdempotentMixin
from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.sales import selectors, services
from salesdesk.sales.models import SalesSettings


class SalesSettingsSerializer(CompanyModelSerializer):
    class Meta:
        model = SalesSettings
        fields = ["salesperson_band_percent", "manager_band_percent", "quotation_validity_days"]


class SalesSettingsView(IdempotentMixin, generics.RetrieveUpdateAPIView):
    """How far below a price floor each role may sell without approval, and how long quotations stay valid."""

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
