from salesdesk.catalog import services
from salesdesk.catalog.api import serializers as s
from salesdesk.catalog.models import Currency, CurrencyRate, PriceList, Product, ProductCategory, Tax, Unit
from salesdesk.core.api.views import MasterDataViewSet as BaseMasterDataViewSet


class MasterDataViewSet(BaseMasterDataViewSet):
    services = services


class UnitViewSet(MasterDataViewSet):
    queryset = Unit.objects.all()
    serializer_class = s.UnitSerializer
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class ProductCategoryViewSet(MasterDataViewSet):
    queryset = ProductCategory.objects.all()
    serializer_class = s.ProductCategorySerializer
    filterset_fields = ["parent"]
    search_fields = ["name"]
    ordering_fields = ["name", "id"]


class TaxViewSet(MasterDataViewSet):
    queryset = Tax.objects.all()
    serializer_class = s.TaxSerializer
    filterset_fields = ["included_in_price", "active"]
    search_fields = ["name"]
    ordering_fields = ["name", "rate"]


class CurrencyViewSet(MasterDataViewSet):
    queryset = Currency.objects.all()
    serializer_class = s.CurrencySerializer
    lookup_field = "code"
    search_fields = ["code", "name"]
    ordering_fields = ["code"]


class CurrencyRateViewSet(MasterDataViewSet):
    queryset = CurrencyRate.objects.select_related("currency")
    serializer_class = s.CurrencyRateSerializer
    filterset_fields = {"currency__code": ["exact"], "date": ["exact", "gte", "lte"]}
    ordering_fields = ["date"]

    def perform_create(self, serializer):
        serializer.instance = services.rate_create(company=self.request.company, actor=self.request.user, **serializer.validated_data)


class ProductViewSet(MasterDataViewSet):
    """Products; prices and costs only for members who may see them (`serializers.hidden_product_fields`)."""

    queryset = Product.objects.select_related("category", "unit", "tax")
    serializer_class = s.ProductSerializer
    filterset_fields = ["category", "kind", "active", "tax", "serial_tracked"]
    search_fields = ["sku", "name"]

    @property
    def ordering_fields(self):
        # Sorting by a hidden price would still tell its order.
        hidden = s.hidden_product_fields(getattr(self, "request", None))
        return [name for name in ("sku", "name", "list_price") if name not in hidden]


class PriceListViewSet(MasterDataViewSet):
    queryset = PriceList.objects.select_related("currency").prefetch_related("items")
    serializer_class = s.PriceListSerializer
    filterset_fields = ["customer_group", "active", "is_default"]
    search_fields = ["name"]
    ordering_fields = ["name", "valid_from"]

    def _save(self, serializer, price_list=None):
        values = dict(serializer.validated_data)
        items = values.pop("items", None)
        serializer.instance = services.price_list_save(
            company=self.request.company, actor=self.request.user, values=values, items=items, price_list=price_list
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, price_list=serializer.instance)
