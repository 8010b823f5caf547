"""Deliveries, returns and stock adjustments in the API.

Serializers only parse and render; quantities, stock, costs and statuses are decided by the
fulfilment services. Answers show quantities to everyone who may read them and costs only to
users allowed to see margins (a warehouse clerk never gets one). The answer serializers are never
used to read input: each write has its own body serializer.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from salesdesk.catalog.models import Product
from salesdesk.core.api.decimals import TrimmedDecimalField
from salesdesk.core.api.fields import CompanyRelatedField
from salesdesk.core.api.serializers import CompanyModelSerializer, IsoDateField
from salesdesk.fulfilment import selectors
from salesdesk.fulfilment.models import Delivery, DeliveryLine, ReturnLine, ReturnOutcome, ReturnRequest
from salesdesk.fulfilment.services.stock import MAX_LINE_VALUE
from salesdesk.inventory.api.costs import CostFieldsMixin, cost_field
from salesdesk.inventory.models import StockAdjustment, StockAdjustmentLine, Warehouse
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.api.serializers import PositionalErrorsListSerializer, VisibleRelatedField, customer_field
from salesdesk.sales.models import SalesOrder

MIN_QUANTITY = Decimal("0.0001")
# Billing sits above fulfilment: the invoice model is reached through the relation, never imported.
InvoiceModel = ReturnRequest._meta.get_field("invoice").related_model


def quantity_field(**kwargs) -> TrimmedDecimalField:
    """A quantity from input: above zero, at most 4 places."""
    return TrimmedDecimalField(max_digits=14, decimal_places=4, min_value=MIN_QUANTITY, **kwargs)


def delivery_field(**kwargs) -> VisibleRelatedField:
    return VisibleRelatedField(model=Delivery, visible=selectors.deliveries_visible, **kwargs)


def order_field(**kwargs) -> VisibleRelatedField:
    return VisibleRelatedField(model=SalesOrder, visible=sales_selectors.orders_visible, **kwargs)


def ids(values) -> list[int]:
    return [value.pk for value in values]


# --- deliveries ---------------------------------------------------------------------------


class DeliveryLineSerializer(CostFieldsMixin, CompanyModelSerializer):
    cost = cost_field("What the goods cost when they left (moving average), in the company's currency; 0 until shipped.")
    cost_fields = ("cost",)

    class Meta:
        model = DeliveryLine
        fields = ["id", "order_line", "product", "description", "quantity", "cost"]
        read_only_fields = ["id", "order_line", "product", "description", "quantity"]


class DeliverySerializer(CostFieldsMixin, CompanyModelSerializer):
    """A delivery: goods leaving a warehouse for a customer, from an order or replacing returned goods."""

    lines = DeliveryLineSerializer(many=True, read_only=True)
    status = serializers.ChoiceField(choices=Delivery.Status.choices, read_only=True)
    cost_amount = cost_field("What the goods shipped cost, booked to cost of goods sold at shipment.")
    cost_fields = ("cost_amount",)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "sales_order",
            "return_request",
            "warehouse",
            "date",
            "carrier",
            "tracking_number",
            "shipping_address",
            "notes",
            "lines",
            "cost_amount",
            "picked_at",
            "shipped_at",
            "delivered_at",
            "refused_at",
            "refusal_reason",
            "created_at",
        ]
        read_only_fields = [name for name in fields if name not in ("cost_amount",)]


class DeliveryLineInputSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1, help_text="A line of the order.")
    quantity = quantity_field()

    class Meta:
        list_serializer_class = PositionalErrorsListSerializer


class DeliveryUpdateSerializer(serializers.Serializer):
    """What may change on a delivery: the carrier and tracking number, the address and notes; the planned date while draft."""

    carrier = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    shipping_address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    date = IsoDateField(required=False, help_text="The planned date (drafts only).")


class DeliveryCreateSerializer(DeliveryUpdateSerializer):
    """A draft delivery of a confirmed order: everything outstanding, or the given lines and quantities."""

    sales_order = order_field(help_text="A confirmed order with goods still to deliver.")
    lines = DeliveryLineInputSerializer(
        many=True, required=False, allow_empty=False, help_text="Leave out to deliver everything outstanding and not on another delivery."
    )
    shipping_address = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="The customer's shipping address when left out."
    )
    date = IsoDateField(required=False, help_text="The planned date; today when left out.")

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if "lines" in values:
            values["lines"] = [{"order_line": line["order_line"], "quantity": line["quantity"]} for line in values["lines"]]
        return values


class DeliverSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="E.g. who signed for the goods.")


# --- returns ------------------------------------------------------------------------------


class ReturnLineSerializer(CostFieldsMixin, CompanyModelSerializer):
    outcome = serializers.ChoiceField(choices=["", *ReturnOutcome.values], read_only=True, help_text="Set at receipt.")
    cost = cost_field("What the goods received came back at (their cost when they left).")
    cost_fields = ("cost",)

    class Meta:
        model = ReturnLine
        fields = ["id", "product", "quantity", "reason", "received_quantity", "outcome", "credited_quantity", "cost"]
        read_only_fields = ["id", "product", "quantity", "reason", "received_quantity", "credited_quantity"]


class ReturnSerializer(CompanyModelSerializer):
    """A return (RMA): requested, approved or rejected by a sales manager, received and inspected, then credited."""

    status = serializers.ChoiceField(choices=ReturnRequest.Status.choices, read_only=True)
    lines = ReturnLineSerializer(many=True, read_only=True)
    replacements = serializers.SerializerMethodField(help_text="Deliveries sending new goods for lines received as `replace`.")

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "sales_order",
            "delivery",
            "invoice",
            "warehouse",
            "date",
            "reason",
            "lines",
            "decided_by",
            "decided_at",
            "decision_reason",
            "received_at",
            "replacements",
            "created_at",
        ]
        read_only_fields = fields

    def get_replacements(self, request) -> list[int]:
        return ids(request.replacements.all())


class ReturnLineInputSerializer(serializers.Serializer):
    product = CompanyRelatedField(model=Product, help_text="Goods the customer got from us.")
    quantity = quantity_field()
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)

    class Meta:
        list_serializer_class = PositionalErrorsListSerializer


class ReturnCreateSerializer(serializers.Serializer):
    customer = customer_field()
    sales_order = order_field(required=False, allow_null=True, help_text="The order the goods came with.")
    delivery = delivery_field(required=False, allow_null=True, help_text="The shipped delivery the goods came with.")
    invoice = CompanyRelatedField(model=InvoiceModel, required=False, allow_null=True, help_text="The posted invoice that billed them.")
    warehouse = CompanyRelatedField(
        model=Warehouse, required=False, allow_null=True, help_text="Where the goods come back to; the delivery's or order's by default."
    )
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    lines = ReturnLineInputSerializer(many=True, allow_empty=False)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["lines"] = [dict(line) for line in values["lines"]]
        return values


class ReceiveLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, help_text="A line of the return.")
    quantity = quantity_field(required=False, allow_null=True, help_text="What arrived; the whole line when left out.")
    outcome = serializers.ChoiceField(choices=ReturnOutcome.choices)

    class Meta:
        list_serializer_class = PositionalErrorsListSerializer


class ReceiveSerializer(serializers.Serializer):
    lines = ReceiveLineSerializer(many=True, allow_empty=False, help_text="Every line of the return, with what arrived and its outcome.")

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return {"lines": [{key: value for key, value in line.items() if value is not None} for line in values["lines"]]}


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the return is rejected."))


# --- stock adjustments --------------------------------------------------------------------


class StockAdjustmentLineSerializer(CostFieldsMixin, CompanyModelSerializer):
    unit_cost = cost_field("What one unit was valued at.", places=4, source="move.unit_cost")
    value = cost_field("The stock value that came in (positive) or went out (negative).", source="move.value")
    cost_fields = ("unit_cost", "value")

    class Meta:
        model = StockAdjustmentLine
        fields = ["id", "product", "quantity", "unit_cost", "value"]
        read_only_fields = ["id", "product", "quantity"]


class StockAdjustmentSerializer(CompanyModelSerializer):
    """A receipt of goods or a count correction, with its stock moves."""

    kind = serializers.ChoiceField(choices=StockAdjustment.Kind.choices, read_only=True)
    lines = StockAdjustmentLineSerializer(many=True, read_only=True)

    class Meta:
        model = StockAdjustment
        fields = ["id", "number", "kind", "warehouse", "date", "reason", "lines", "created_by", "created_at"]
        read_only_fields = fields


class AdjustmentLineInputSerializer(serializers.Serializer):
    product = CompanyRelatedField(model=Product, help_text="A goods product (services are not stocked).")
    quantity = TrimmedDecimalField(
        max_digits=12, decimal_places=4, help_text="Positive brings stock in, negative takes it out (a receipt only brings in)."
    )
    unit_cost = TrimmedDecimalField(
        max_digits=14,
        decimal_places=4,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="What one unit cost, for stock coming in; the product's cost when left out. Stock going out leaves at average cost.",
    )

    class Meta:
        list_serializer_class = PositionalErrorsListSerializer

    def validate(self, attrs):
        cost = attrs.get("unit_cost")
        cost = attrs["product"].cost if cost is None else cost
        if abs(attrs["quantity"]) * cost >= MAX_LINE_VALUE:
            raise serializers.ValidationError({"quantity": [_("The stock value of this line would be too large.")]})
        return attrs


# The body of POST stock-adjustments/ (`StockAdjustmentRequest` in the schema).
@extend_schema_serializer(component_name="StockAdjustment")
class StockAdjustmentCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=StockAdjustment.Kind.choices, required=False, default=StockAdjustment.Kind.ADJUSTMENT, help_text="`adjustment` by default."
    )
    warehouse = CompanyRelatedField(model=Warehouse)
    reason = serializers.CharField(max_length=255, help_text="Why the stock changes (a count, a supplier's delivery note).")
    lines = AdjustmentLineInputSerializer(many=True, allow_empty=False)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["lines"] = [{key: value for key, value in line.items() if value is not None} for line in values["lines"]]
        return values
