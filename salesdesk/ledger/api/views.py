"""`/api/v1/ledger/...`: the chart of accounts, journal entries and the trial balance (read-only)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.views import CompanyScopedReadOnlyViewSet
from salesdesk.ledger import selectors
from salesdesk.ledger.models import Account, JournalEntry, JournalLine


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "code", "name", "kind", "role"]


class JournalLineSerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code", read_only=True)

    class Meta:
        model = JournalLine
        fields = ["id", "account", "account_code", "customer", "debit", "credit", "memo"]


class JournalEntrySerializer(serializers.ModelSerializer):
    lines = JournalLineSerializer(many=True, read_only=True)
    source_type = serializers.SerializerMethodField()

    class Meta:
        model = JournalEntry
        fields = ["id", "number", "date", "memo", "source_type", "object_id", "reverses", "created_by", "created_at", "lines"]

    def get_source_type(self, entry) -> str | None:
        return entry.content_type.model if entry.content_type_id else None


def _accounts(request):
    return Account.objects.filter(company=request.company) if request is not None else Account.objects.none()


class JournalEntryFilter(filters.FilterSet):
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="Dated on or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="Dated on or before")
    account = filters.ModelChoiceFilter(queryset=_accounts, field_name="lines__account", distinct=True, label="With a line on this account")

    class Meta:
        model = JournalEntry
        fields = ["date_from", "date_to", "account"]


class AccountViewSet(CompanyScopedReadOnlyViewSet):
    """The company's chart of accounts."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_fields = ["kind", "role"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]


class JournalEntryViewSet(CompanyScopedReadOnlyViewSet):
    """Posted journal entries with their lines (append-only: corrections are reversing entries)."""

    queryset = JournalEntry.objects.prefetch_related("lines__account").select_related("content_type")
    serializer_class = JournalEntrySerializer
    filterset_class = JournalEntryFilter
    search_fields = ["number", "memo"]
    ordering_fields = ["date", "number"]
    ordering = ["-date", "-id"]


class TrialBalanceRowSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Account.Kind.choices)
    debit = serializers.DecimalField(max_digits=18, decimal_places=2)
    credit = serializers.DecimalField(max_digits=18, decimal_places=2)
    balance = serializers.DecimalField(max_digits=18, decimal_places=2)


class TrialBalanceSerializer(serializers.Serializer):
    accounts = TrialBalanceRowSerializer(many=True)
    total_debit = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_credit = serializers.DecimalField(max_digits=18, decimal_places=2)


class TrialBalanceView(APIView):
    """Debit, credit and balance (debit − credit) per account; total debit always equals total credit."""

    permission_classes = [CompanyRolePermission]
    perm_model = Account

    @extend_schema(responses={200: TrialBalanceSerializer})
    def get(self, request):
        tb = selectors.trial_balance(request.company)
        rows = [
            {"account": r.account.pk, "code": r.account.code, "name": r.account.name, "kind": r.account.kind}
            | {"debit": r.debit, "credit": r.credit, "balance": r.balance}
            for r in tb.rows
        ]
        return Response(TrialBalanceSerializer({"accounts": rows, "total_debit": tb.total_debit, "total_credit": tb.total_credit}).data)
