"""GET /api/v1/reports/demand-board/: open order quantities by product and week against stock (F-91).

The rules (weeks, overdue and later, shortages, filters, record scope) are in
`salesdesk.reporting.demand`. Quantities only, never prices: the warehouse reads it too.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.catalog.models import ProductCategory
from salesdesk.core.api.errors import ErrorSerializer
from salesdesk.core.api.fields import CompanyRelatedField
from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.serializers import IsoDateField
from salesdesk.inventory.models import Warehouse
from salesdesk.reporting import demand


def _qty(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=4, **kwargs)


class _Figures(serializers.Serializer):
    on_hand = _qty()
    reserved = _qty()
    available = _qty(help_text="On hand less what is reserved for orders.")
    overdue = _qty(help_text="Due in weeks before the current one.")
    weeks = serializers.ListField(child=_qty(), help_text="Due in each week of `weeks`, in the same order.")
    later = _qty(help_text="Due after the last week shown.")
    total = _qty()


class _Product(serializers.Serializer):
    product = serializers.IntegerField()
    product_code = serializers.CharField()
    product_name = serializers.CharField()
    category = serializers.IntegerField(allow_null=True)


class DemandRowSerializer(_Product, _Figures):
    shortage = serializers.BooleanField(help_text="The open demand is more than is on hand.")
    short_from = serializers.CharField(
        allow_null=True,
        help_text="The first column where what is due so far is more than is on hand: `overdue`, a week's Monday or `later`.",
    )


class _Category(serializers.Serializer):
    category = serializers.IntegerField(allow_null=True)
    category_name = serializers.CharField(help_text="The category's path from the top, empty for products without one.")


class DemandCategorySerializer(_Category, _Figures):
    shortage = serializers.BooleanField(help_text="One of its products is short.")
    products_short = serializers.IntegerField()


class DemandTotalsSerializer(_Figures):
    shortage = serializers.BooleanField(help_text="One of the products is short.")
    products_short = serializers.IntegerField()


class DemandBoardSerializer(serializers.Serializer):
    weeks = serializers.ListField(child=IsoDateField(), help_text="The Monday of the current week and of the 11 after it.")
    rows = DemandRowSerializer(many=True)
    categories = DemandCategorySerializer(many=True, help_text="The rows summed by category, in the rows' order.")
    totals = DemandTotalsSerializer()


class DemandQuerySerializer(serializers.Serializer):
    category = CompanyRelatedField(model=ProductCategory, required=False, help_text="Only products of this category or below it.")
    warehouse = CompanyRelatedField(
        model=Warehouse, required=False, help_text="Only orders shipping from this warehouse, and its stock; every warehouse when left out."
    )


def _column_name(board, index: int | None) -> str | None:
    if index is None:
        return None
    if index == 0:
        return "overdue"
    if index > demand.WEEKS:
        return "later"
    return board["weeks"][index - 1].isoformat()


class DemandBoardView(APIView):
    """Confirmed orders' quantities not yet shipped, by product and by the week of the requested delivery date
    (of the order date when none was requested), against stock on hand, reserved and available.

    Weeks before the current one are summed as `overdue`, weeks after the 12 shown as `later`. A salesperson
    or sales manager sees the demand of the orders they can see; stock is always the company's (or the
    chosen warehouse's)."""

    permission_classes = [CompanyRolePermission]
    action = "demand"
    action_perms = {"demand": "reporting.demand_salesfact"}

    @extend_schema(parameters=[DemandQuerySerializer], responses={200: DemandBoardSerializer, 400: ErrorSerializer})
    def get(self, request):
        query = DemandQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        category, warehouse = query.validated_data.get("category"), query.validated_data.get("warehouse")
        board = demand.demand_board(
            request.company,
            request.membership,
            category_id=category.pk if category else None,
            warehouse_id=warehouse.pk if warehouse else None,
        )
        rows = [row | {"short_from": _column_name(board, row["short_from"])} for row in board["rows"]]
        data = {"weeks": board["weeks"], "rows": rows, "categories": board["categories"], "totals": board["totals"]}
        return Response(DemandBoardSerializer(data).data)
