from django.db.models import Q
from rest_framework import serializers

from salesdesk.accounts.models import User
from salesdesk.catalog.models import Currency
from salesdesk.core.api.fields import CompanyRelatedField, CompanySlugField
from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.customers.models import Customer, CustomerContact, CustomerGroup, PaymentTerm, PaymentTermLine


class ContactSerializer(CompanyModelSerializer):
    class Meta:
        model = CustomerContact
        fields = ["id", "customer", "name", "job_title", "email", "phone", "is_primary"]


class NestedContactSerializer(CompanyModelSerializer):
    class Meta:
        model = CustomerContact
        fields = ["id", "name", "job_title", "email", "phone", "is_primary"]


class OwnerField(CompanyRelatedField):
    """The company's active members, and the customer's current owner even when their
    membership was deactivated: sending the owner back unchanged keeps the customer theirs."""

    def get_queryset(self):
        people = super().get_queryset()
        current = getattr(getattr(self.parent, "instance", None), "salesperson_id", None)
        if current is None:
            return people
        return User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current))


class CustomerSerializer(CompanyModelSerializer):
    currency = CompanySlugField(model=Currency, slug_field="code", required=False, allow_null=True)
    salesperson = OwnerField(model=User, required=False, allow_null=True, label="Salesperson")
    contacts = NestedContactSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "legal_name",
            "tax_id",
            "group",
            "region",
            "salesperson",
            "currency",
            "payment_term",
            "price_list",
            "credit_limit",
            "overdue_block_days",
            "status",
            "email",
            "phone",
            "billing_address",
            "country",
            "shipping_address",
            "invoice_policy",
            "notes",
            "contacts",
        ]
        read_only_fields = ["status"]
        extra_kwargs = {
            "country": {"help_text": "ISO 3166 code of the billing address, two capital letters (FR); empty means the company's."}
        }

    def validate(self, attrs):
        if self.instance is not None and "contacts" in attrs:
            raise serializers.ValidationError({"contacts": ["Change contacts through /api/v1/customer-contacts/."]})
        status = self.initial_data.get("status") if hasattr(self.initial_data, "get") else None
        if status is not None and status != getattr(self.instance, "status", "prospect"):
            raise serializers.ValidationError({"status": ["Change the status with the activate and block actions."]})
        return attrs


class CustomerStatusSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CreditSerializer(serializers.Serializer):
    credit_limit = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    receivable = serializers.DecimalField(max_digits=16, decimal_places=2)
    open_orders = serializers.DecimalField(max_digits=16, decimal_places=2)
    unapplied_deposits = serializers.DecimalField(max_digits=16, decimal_places=2)
    exposure = serializers.DecimalField(max_digits=16, decimal_places=2)
    available = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class CustomerGroupSerializer(CompanyModelSerializer):
    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "price_list"]


class PaymentTermLineSerializer(CompanyModelSerializer):
    class Meta:
        model = PaymentTermLine
        fields = ["percent", "days"]


class PaymentTermSerializer(CompanyModelSerializer):
    lines = PaymentTermLineSerializer(many=True)

    class Meta:
        model = PaymentTerm
        fields = ["id", "name", "lines"]

    def validate_lines(self, lines):
        # A PATCH skips missing fields of nested rows too; each row still needs both.
        errors = [{name: ["This field is required."] for name in ("percent", "days") if name not in line} for line in lines]
        if any(errors):
            raise serializers.ValidationError(errors)
        return lines
