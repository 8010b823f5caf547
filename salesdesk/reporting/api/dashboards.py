"""GET /api/v1/reports/dashboard/: the dashboard's sections as JSON, the same figures as the page.

Every member has one: the sections of their roles (`leader` for administrators and sales
managers, `sales` for salespeople, `warehouse` for clerks, `accounts` for accountants), or
the one `?view=` names (400 for an unknown name, 403 for a section the roles do not give).
Amounts are in the company's currency, as strings; figures stay within the record scope.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.core.api.errors import ErrorSerializer
from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.serializers import IsoDateField
from salesdesk.reporting import dashboards, services


def _money(**kw):
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kw)


class DashboardComparisonSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=dashboards.COMPARED_BASES, help_text="ordered, invoiced (net of credit notes) or collected")
    month = _money(help_text="This month to date.")
    month_last_year = _money(help_text="The same days of the same month last year.")
    year = _money(help_text="This year to date.")
    year_last_year = _money(help_text="Last year up to the same day.")


class DashboardTrendSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM; the last one is this month to date.")
    invoiced = _money()
    ordered = _money()


class DashboardTopSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="0 for sales without one.")
    name = serializers.CharField()
    revenue = _money(help_text="Invoiced this year, net of credit notes.")


class DashboardMarginSerializer(serializers.Serializer):
    revenue = _money()
    gross_profit = _money()
    margin_percent = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True, help_text="Null without revenue.")


class DashboardCountAmountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = _money()


class DashboardBucketSerializer(serializers.Serializer):
    bucket = serializers.CharField(help_text="current, 1_30, 31_60, 61_90 or over_90 (days overdue)")
    amount = _money()


class DashboardAgeingSummarySerializer(serializers.Serializer):
    buckets = DashboardBucketSerializer(many=True)
    total = _money()
    overdue = _money(help_text="Every bucket past current.")


class DashboardOverrideRowSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The salesperson.")
    lines = serializers.IntegerField()
    given_away = _money()


class DashboardOverridesSerializer(serializers.Serializer):
    lines = serializers.IntegerField(help_text="Lines approved below the floor this month.")
    given_away = _money(help_text="Floor minus price, times quantity.")
    by_salesperson = DashboardOverrideRowSerializer(many=True)


class DashboardPlanSerializer(serializers.Serializer):
    invoiced_month = _money()
    invoiced_year = _money()


class DashboardLeaderSerializer(serializers.Serializer):
    comparison = DashboardComparisonSerializer(many=True)
    trend = DashboardTrendSerializer(many=True)
    top_customers = DashboardTopSerializer(many=True)
    top_products = DashboardTopSerializer(many=True)
    top_salespeople = DashboardTopSerializer(many=True)
    margin = DashboardMarginSerializer(help_text="This year, invoiced basis.")
    open_orders = DashboardCountAmountSerializer(
        help_text="Confirmed orders not fully delivered and invoiced; the amount still to invoice."
    )
    pending_approvals = serializers.IntegerField(help_text="Orders awaiting a price approval.")
    credit_holds = serializers.IntegerField(help_text="Orders held for credit.")
    receivables = DashboardAgeingSummarySerializer()
    price_overrides = DashboardOverridesSerializer()
    plan = DashboardPlanSerializer(help_text="Actual invoiced; targets come with the planning capability.")


class DashboardSalesMonthSerializer(serializers.Serializer):
    invoiced = _money()
    invoiced_last_year = _money()
    ordered = _money()
    ordered_last_year = _money()


class DashboardQuotationCountsSerializer(serializers.Serializer):
    draft = serializers.IntegerField()
    sent = serializers.IntegerField()


class DashboardOrderCountsSerializer(serializers.Serializer):
    draft = serializers.IntegerField()
    pending_approval = serializers.IntegerField()
    credit_hold = serializers.IntegerField()
    open = serializers.IntegerField()
    open_amount = _money()


class DashboardOverdueCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    overdue = _money()


class DashboardOverdueCustomersSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = _money()
    customers = DashboardOverdueCustomerSerializer(many=True, help_text="The ten largest.")


class DashboardApprovalCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    approved = serializers.IntegerField(help_text="Requested this year.")
    rejected = serializers.IntegerField(help_text="Requested this year.")


class DashboardSalesSerializer(serializers.Serializer):
    month = DashboardSalesMonthSerializer(help_text="The member's own sales this month to date and the same days last year.")
    quotations = DashboardQuotationCountsSerializer()
    orders = DashboardOrderCountsSerializer()
    overdue_customers = DashboardOverdueCustomersSerializer()
    approvals = DashboardApprovalCountsSerializer()


class DashboardDeliveryRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer = serializers.CharField()
    date = IsoDateField()
    status = serializers.CharField()


class DashboardDeliveriesSerializer(serializers.Serializer):
    to_pick = serializers.IntegerField(help_text="Draft deliveries planned for today or earlier.")
    to_ship = serializers.IntegerField(help_text="Picked deliveries planned for today or earlier.")
    next = DashboardDeliveryRowSerializer(many=True)


class DashboardShortProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    lines = serializers.IntegerField()
    waiting = serializers.DecimalField(max_digits=18, decimal_places=4)


class DashboardBackordersSerializer(serializers.Serializer):
    lines = serializers.IntegerField()
    orders = serializers.IntegerField()
    products = DashboardShortProductSerializer(many=True)


class DashboardWarehouseSerializer(serializers.Serializer):
    deliveries = DashboardDeliveriesSerializer()
    backorders = DashboardBackordersSerializer()


class DashboardAccountsSerializer(serializers.Serializer):
    invoices_to_post = serializers.IntegerField()
    payments_to_allocate = DashboardCountAmountSerializer()
    ageing = DashboardAgeingSummarySerializer()
    disputes = DashboardCountAmountSerializer()


class DashboardPeriodsSerializer(serializers.Serializer):
    month_from = IsoDateField()
    month_to = IsoDateField()
    year_from = IsoDateField()
    last_month_from = IsoDateField()
    last_month_to = IsoDateField()
    last_year_from = IsoDateField()


class DashboardSerializer(serializers.Serializer):
    date = IsoDateField()
    currency = serializers.CharField()
    periods = DashboardPeriodsSerializer()
    sections = serializers.ListField(child=serializers.ChoiceField(choices=dashboards.SECTIONS))
    leader = DashboardLeaderSerializer(required=False)
    sales = DashboardSalesSerializer(required=False)
    warehouse = DashboardWarehouseSerializer(required=False)
    accounts = DashboardAccountsSerializer(required=False)


class DashboardView(APIView):
    """The dashboard of the member's roles: each section present only when shown."""

    permission_classes = [CompanyRolePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=list(dashboards.SECTIONS), description="Only this section (one the member's roles give).")
        ],
        responses={200: DashboardSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        sections = dashboards.choose(request.membership, request.query_params.get("view"))
        if {"leader", "sales"} & set(sections):
            services.refresh(company=request.company)
        data = dashboards.Board(request.company, request.membership, timezone.localdate()).data(sections)
        return Response(DashboardSerializer(data).data)
