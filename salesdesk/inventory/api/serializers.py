"""Stock in the API: maintained levels and the append-only moves behind them (read only).

Quantities are for everyone who reads stock; values and unit costs only for users allowed to
see costs (`costs.py`)."""

from rest_framework import serializers

from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.inventory.api.costs import CostFieldsMixin, cost_field
from salesdesk.inventory.models import MoveKind, StockLevel, StockMove


class StockLevelSerializer(CostFieldsMixin, CompanyModelSerializer):
    """A product's stock in one warehouse: on hand, reserved for orders, and available (on hand less reserved)."""

    value = cost_field("The stock's value at moving average cost, in the company's currency.")
    cost_fields = ("value",)

    class Meta:
        model = StockLevel
        fields = ["id", "product", "warehouse", "on_hand", "reserved", "available", "value"]
        read_only_fields = ["id", "product", "warehouse", "on_hand", "reserved", "available"]


class StockMoveSerializer(CostFieldsMixin, CompanyModelSerializer):
    """One change of stock, never edited: a positive quantity came in, a negative one went out."""

    kind = serializers.ChoiceField(choices=MoveKind.choices, read_only=True)
    unit_cost = cost_field("What one unit was valued at.", places=4)
    value = cost_field("Quantity times cost: positive in, negative out.")
    cost_fields = ("unit_cost", "value")

    class Meta:
        model = StockMove
        fields = [
            "id",
            "product",
            "warehouse",
            "kind",
            "quantity",
            "unit_cost",
            "value",
            "date",
            "reason",
            "reference",
            "actor",
            "created_at",
        ]
        read_only_fields = ["id", "product", "warehouse", "quantity", "date", "reason", "reference", "actor", "created_at"]
