"""GET /api/v1/reports/sales-analysis/: the pivot; .../documents/: the documents behind one cell.

Both read the sales facts and rollups, brought up to date first, within the user's record
scope: a salesperson's figures are their own sales.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.reporting import analysis, questions, services, tables
from salesdesk.reporting.models import SalesFact

_LIST = "Comma-separated."
PARAMETERS = [
    OpenApiParameter("rows", str, description=f"Row dimensions, at most two of: {', '.join(analysis.dimension_names())}. {_LIST}"),
    OpenApiParameter("columns", str, description="At most one column dimension (same choices as rows)."),
    OpenApiParameter("measures", str, description=f"Any of: {', '.join(analysis.MEASURES)}. {_LIST}"),
    OpenApiParameter(
        "basis",
        str,
        enum=list(analysis.BASES),
        description="Which figures: ordered, delivered, invoiced (net of credit notes) or collected.",
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    *[OpenApiParameter(name, str, description=f"Only these {name} ids. {_LIST}") for name in analysis.DIMENSIONS],
]


class _Analysis(APIView):
    permission_classes = [CompanyRolePermission]
    perm_model = SalesFact

    def question(self, request):
        services.refresh(company=request.company)
        return questions.parse_question(request.query_params, timezone.localdate())


class SalesAnalysisView(_Analysis):
    """Sums of quantity, revenue, cost, gross profit, margin % or count of documents by any two row
    dimensions and one column dimension, in the company's currency."""

    @extend_schema(parameters=PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        question = self.question(request)
        return Response(tables.as_json(analysis.answer(request.company, request.membership, question)))


class DrillRowSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="order, delivery, return, invoice or payment")
    source_id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    customer_id = serializers.IntegerField()
    customer = serializers.CharField()
    url = serializers.CharField(help_text="The document's page.")
    last_date = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=4)
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    gross_profit = serializers.DecimalField(max_digits=18, decimal_places=2)


class DrillView(_Analysis):
    """The documents behind one cell of the analysis (at most 200, newest first): the question's
    parameters plus `cell_<dimension>=<value>` for the cell (a period as its first day)."""

    @extend_schema(
        parameters=[*PARAMETERS, *[OpenApiParameter(f"cell_{name}", str) for name in analysis.dimension_names()]],
        responses={200: DrillRowSerializer(many=True)},
    )
    def get(self, request):
        question = self.question(request)
        cell = questions.parse_cell(request.query_params, question)
        rows = questions.describe(request.company, analysis.documents_behind(request.company, request.membership, question, cell))
        return Response(DrillRowSerializer(rows, many=True).data)
