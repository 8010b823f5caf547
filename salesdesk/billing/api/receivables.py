"""Receivables: dunning letters, the ageing report, customer statements and the billing settings.

Reads go through the billing selectors, within the user's record scope: a salesperson sees
their own customers' figures and gets 404 for another customer's statement.
"""

from datetime import date

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.billing import selectors, services
from salesdesk.billing.api import serializers as s
from salesdesk.billing.api.filters import DunningLetterFilter
from salesdesk.billing.api.views import NOT_FOUND, DocumentFormatNegotiation, ScopedViewSet, file_response
from salesdesk.billing.models import BillingSettings, DunningLetter, DunningLetterLine, Invoice
from salesdesk.billing.services.common import billing_settings
from salesdesk.core.api.errors import ErrorSerializer
from salesdesk.core.api.idempotency import IdempotentMixin
from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.serializers import IsoDateField
from salesdesk.customers.selectors import customers_visible
from salesdesk.sales.api.serializers import SendSerializer, customer_field

# --- dunning letters ----------------------------------------------------------------------


class DunningLetterViewSet(ScopedViewSet):
    """Reminders about overdue invoices, by level (1 reminder, 2 second reminder, 3 final notice)."""

    queryset = DunningLetter.objects.select_related("currency").prefetch_related(
        Prefetch("lines", queryset=DunningLetterLine.objects.select_related("invoice"))
    )
    serializer_class = s.DunningLetterSerializer
    visible = staticmethod(selectors.dunning_letters_visible)
    filterset_class = DunningLetterFilter
    search_fields = ["number", "customer__name", "customer__code"]
    ordering_fields = ["date", "number", "level", "total_overdue"]
    action_perms = {"run": "billing.add_dunningletter", "send": "billing.change_dunningletter"}

    @extend_schema(
        request=s.DunningRunSerializer,
        responses={200: s.DunningLetterSerializer(many=True)},
        description="Raises overdue invoices to the level their days overdue deserve and writes one letter per customer "
        "with an invoice raised (emailed when the customer has an address). Running again the same day writes none. "
        "Answers the letters written.",
    )
    # The answer is the plain list of letters written, not a page of the collection.
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def run(self, request):
        on = self.body(s.DunningRunSerializer).get("date")
        letters = services.dunning_run(company=request.company, actor=request.user, on=on)
        written = self.get_queryset().filter(pk__in=[letter.pk for letter in letters]).order_by("customer__code", "id")
        return Response(self.get_serializer(written, many=True).data)

    @extend_schema(
        request=SendSerializer,
        responses={200: s.DunningLetterSerializer},
        description="Emails the letter's PDF (to the customer's address by default).",
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        letter = self.get_object()
        to = self.body(SendSerializer).get("to") or None
        return self.answer(services.dunning_send(letter=letter, actor=request.user, to=to))


# --- ageing -------------------------------------------------------------------------------

_BUCKETS = ["current", "1_30", "31_60", "61_90", "over_90", "total"]


def _amount():
    return serializers.DecimalField(max_digits=18, decimal_places=2)


# Bucket names start with a digit, so the classes are built from a mapping of field names.
AgeingTotalsSerializer = type("AgeingTotalsSerializer", (serializers.Serializer,), {name: _amount() for name in _BUCKETS})
AgeingRowSerializer = type(
    "AgeingRowSerializer",
    (serializers.Serializer,),
    {
        "customer": serializers.IntegerField(),
        "customer_code": serializers.CharField(),
        "customer_name": serializers.CharField(),
        **{name: _amount() for name in _BUCKETS},
    },
)


class AgeingSerializer(serializers.Serializer):
    date = IsoDateField()
    rows = AgeingRowSerializer(many=True)
    totals = AgeingTotalsSerializer()


class AgeingQuerySerializer(serializers.Serializer):
    date = IsoDateField(required=False, help_text="Age as of this day; today when left out.")
    customer = customer_field(required=False, help_text="Only this customer.")


class AgeingView(APIView):
    """What customers owe by age, in the company's currency: not yet due, 1-30, 31-60, 61-90 and over 90 days overdue.

    Money a customer has in hand (unallocated payments, unused credit notes) counts as current, negative."""

    permission_classes = [CompanyRolePermission]
    perm_model = Invoice

    @extend_schema(parameters=[AgeingQuerySerializer], responses={200: AgeingSerializer})
    def get(self, request):
        query = AgeingQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("date") or timezone.localdate()
        report = selectors.ageing_report(request.company, request.membership, on, customer=query.validated_data.get("customer"))
        rows = [
            {"customer": row["customer"].pk, "customer_code": row["customer"].code, "customer_name": row["customer"].name}
            | {name: row[name] for name in _BUCKETS}
            for row in report["rows"]
        ]
        return Response(AgeingSerializer({"date": report["on"], "rows": rows, "totals": report["totals"]}).data)


# --- customer statements ------------------------------------------------------------------


class StatementLineSerializer(serializers.Serializer):
    date = IsoDateField()
    entry = serializers.CharField(help_text="The journal entry's number.")
    document = serializers.CharField(help_text="The document booked (invoice, credit note, payment number).")
    description = serializers.CharField()
    debit = _amount()
    credit = _amount()
    balance = _amount()


class StatementSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_code = serializers.CharField(source="customer.code")
    customer_name = serializers.CharField(source="customer.name")
    date_from = IsoDateField()
    date_to = IsoDateField()
    opening_balance = _amount()
    lines = StatementLineSerializer(many=True)
    closing_balance = _amount()


class StatementQuerySerializer(serializers.Serializer):
    date_from = IsoDateField(required=False, help_text="The first day of the year of `date_to` when left out.")
    date_to = IsoDateField(required=False, help_text="Today when left out.")
    format = serializers.ChoiceField(
        choices=["json", "pdf"], required=False, default="json", help_text="`pdf` for the printable statement."
    )

    def validate(self, attrs):
        attrs["date_to"] = attrs.get("date_to") or timezone.localdate()
        attrs["date_from"] = attrs.get("date_from") or date(attrs["date_to"].year, 1, 1)
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_from": [_("Must be on or before date_to.")]})
        return attrs


class CustomerStatementView(APIView):
    """The customer's account between two dates: opening balance, each document booked, closing balance."""

    permission_classes = [CompanyRolePermission]
    perm_model = Invoice
    content_negotiation_class = DocumentFormatNegotiation

    @extend_schema(
        parameters=[StatementQuerySerializer],
        responses={
            (200, "application/json"): StatementSerializer,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
        },
    )
    def get(self, request, id: int):
        customer = customers_visible(request.company, request.membership).filter(pk=id).first()
        if customer is None:
            raise Http404
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        statement = selectors.customer_statement(request.company, customer, v["date_from"], v["date_to"])
        if v["format"] == "pdf":
            from salesdesk.billing import documents

            pdf = documents.render_statement_pdf(statement, request.company)
            return file_response(pdf, "application/pdf", documents.statement_filename(statement))
        return Response(StatementSerializer(statement).data)


# --- settings -----------------------------------------------------------------------------


class BillingSettingsView(IdempotentMixin, generics.RetrieveUpdateAPIView):
    """How invoices are drafted from orders (on order or on delivery), whether an order's deposits pay its
    invoice when it posts, and after how many days overdue each dunning level is reached."""

    serializer_class = s.BillingSettingsSerializer
    permission_classes = [CompanyRolePermission]
    perm_model = BillingSettings
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return billing_settings(self.request.company)

    @extend_schema(responses={200: s.BillingSettingsSerializer, 400: ErrorSerializer})
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = services.billing_settings_update(
            company=self.request.company, actor=self.request.user, values=serializer.validated_data
        )
