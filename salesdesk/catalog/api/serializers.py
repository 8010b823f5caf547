from rest_framework import serializers

from salesdesk.catalog import visibility
from salesdesk.catalog.models import Currency, CurrencyRate, PriceList, PriceListItem, Product, ProductCategory, Tax, Unit
from salesdesk.core.api.fields import CompanySlugField
from salesdesk.core.api.serializers import CompanyModelSerializer


class UnitSerializer(CompanyModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class ProductCategorySerializer(CompanyModelSerializer):
    class Meta:
        model = ProductCategory
        fields = ["id", "name", "parent"]


class TaxSerializer(CompanyModelSerializer):
    class Meta:
        model = Tax
        fields = ["id", "name", "rate", "included_in_price", "active"]


class CurrencySerializer(CompanyModelSerializer):
    class Meta:
        model = Currency
        fields = ["code", "name", "decimal_places"]


class CurrencyRateSerializer(CompanyModelSerializer):
    currency = CompanySlugField(model=Currency, slug_field="code")

    class Meta:
        model = CurrencyRate
        fields = ["id", "currency", "date", "rate"]


_PRICE_NOTE = "Only for users who may see sales documents; left out for the others (warehouse clerks)."
_COST_NOTE = "Only for users allowed to see costs and margins; left out for the others (warehouse clerks)."


def hidden_product_fields(request) -> frozenset[str]:
    """The product keys the requesting member may not see (`catalog.visibility`)."""
    return visibility.hidden_product_fields(getattr(request, "membership", None))


class ProductSerializer(CompanyModelSerializer):
    unit = CompanySlugField(model=Unit, slug_field="code")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in hidden_product_fields(self.context.get("request")):
            data.pop(name, None)
        return data

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "category",
            "unit",
            "list_price",
            "cost",
            "tax",
            "kind",
            "serial_tracked",
            "warranty_months",
            "floor_price",
            "max_discount_percent",
            "min_margin_percent",
            "active",
        ]
        extra_kwargs = {
            "list_price": {"help_text": f"List price. {_PRICE_NOTE}"},
            "floor_price": {"help_text": f"Lowest price a seller may give. {_PRICE_NOTE}"},
            "max_discount_percent": {"help_text": f"Highest discount a seller may give. {_PRICE_NOTE}"},
            "cost": {"help_text": f"Standard cost. {_COST_NOTE}"},
            "min_margin_percent": {"help_text": f"Lowest margin a sale may have. {_COST_NOTE}"},
        }


class PriceListItemSerializer(CompanyModelSerializer):
    class Meta:
        model = PriceListItem
        fields = ["id", "product", "category", "min_quantity", "price", "discount_percent", "floor_price", "max_discount_percent"]

    def validate(self, attrs):
        errors = {}
        if bool(attrs.get("product")) == bool(attrs.get("category")):
            errors["product"] = ["Give either a product or a category, not both."]
        if (attrs.get("price") is None) == (attrs.get("discount_percent") is None):
            errors["price"] = ["Give either a fixed price or a discount percent, not both."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class PriceListSerializer(CompanyModelSerializer):
    currency = CompanySlugField(model=Currency, slug_field="code")
    items = PriceListItemSerializer(many=True, required=False)

    class Meta:
        model = PriceList
        fields = ["id", "name", "currency", "customer_group", "valid_from", "valid_to", "is_default", "active", "items"]

    def validate(self, attrs):
        start = attrs.get("valid_from", getattr(self.instance, "valid_from", None))
        end = attrs.get("valid_to", getattr(self.instance, "valid_to", None))
        if start and end and end < start:
            raise serializers.ValidationError({"valid_to": ["Must be on or after valid_from."]})
        return attrs
