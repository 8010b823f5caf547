"""Billing documents in the API: invoices and credit notes, payments, deposits and dunning letters.

Serializers only parse and render. Amounts, numbers, statuses and settlement are always
decided by the billing services; the figures shown are the stored ones.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesdesk.billing.models import (
    BillingSettings,
    Deposit,
    DepositApplication,
    DunningLetter,
    DunningLetterLine,
    Invoice,
    InvoiceInstalment,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from salesdesk.catalog.models import Currency
from salesdesk.core.api.decimals import TrimmedDecimalField
from salesdesk.core.api.fields import CompanyRelatedField, CompanySlugField
from salesdesk.core.api.serializers import CompanyModelSerializer, IsoDateField
from salesdesk.core.money import MAX_AMOUNT
from salesdesk.fulfilment import selectors as fulfilment_selectors
from salesdesk.fulfilment.models import Delivery
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.api.serializers import PositionalErrorsListSerializer, VisibleRelatedField, customer_field
from salesdesk.sales.models import SalesOrder, SalesOrderLine

PAYMENT_STATES = ["unpaid", "partial", "paid"]
TOTALS = ["untaxed_amount", "tax_amount", "total_amount"]
SETTLEMENT = ["amount_paid", "amount_credited", "amount_written_off", "amount_due"]
CENT = Decimal("0.01")


def money(**kwargs) -> TrimmedDecimalField:
    """A money amount from input: above zero, at most two places."""
    return TrimmedDecimalField(max_digits=16, decimal_places=2, min_value=CENT, max_value=MAX_AMOUNT - CENT, **kwargs)


def order_field(**kwargs) -> VisibleRelatedField:
    return VisibleRelatedField(model=SalesOrder, visible=sales_selectors.orders_visible, **kwargs)


def required_in_lines(lines: list[dict], names: tuple[str, ...]) -> list[dict]:
    """One dict of errors per line (empty for a good line), the shape the services use."""
    return [{name: [_("This field is required.")] for name in names if line.get(name) is None} for line in lines]


# --- invoices -----------------------------------------------------------------------------


class InvoiceLineSerializer(CompanyModelSerializer):
    """A manual line names a product; a line billed from an order names the `order_line` and the quantity."""

    unit_price = TrimmedDecimalField(
        max_digits=14, decimal_places=4, min_value=0, required=False, allow_null=True, help_text="The product's list price when left out."
    )
    order_line = CompanyRelatedField(
        model=SalesOrderLine, required=False, allow_null=True, help_text="With `sales_order`: the order line to bill."
    )

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "product",
            "description",
            "quantity",
            "unit_price",
            "discount_percent",
            "tax",
            "amount",
            "order_line",
            "original_line",
            "credited_quantity",
        ]
        read_only_fields = ["amount", "original_line", "credited_quantity"]
        extra_kwargs = {"product": {"required": False}}
        list_serializer_class = PositionalErrorsListSerializer


class InstalmentSerializer(CompanyModelSerializer):
    class Meta:
        model = InvoiceInstalment
        fields = ["due_date", "amount"]
        read_only_fields = fields


class InvoiceSerializer(CompanyModelSerializer):
    """An invoice or credit note. POST with `customer` and `lines` makes a manual draft; POST with
    `sales_order` (and optionally `lines: [{order_line, quantity}]`) drafts what the order has left to bill."""

    customer = customer_field(required=False, help_text="Required for a manual invoice; taken from the order otherwise.")
    sales_order = order_field(required=False, allow_null=True, help_text="Bill this confirmed order.")
    currency = CompanySlugField(model=Currency, slug_field="code", required=False, help_text="ISO 4217 code; the customer's by default.")
    issue_date = IsoDateField(required=False, help_text="Today when left out.")
    payment_state = serializers.ChoiceField(choices=PAYMENT_STATES, read_only=True)
    delivery = VisibleRelatedField(
        model=Delivery,
        visible=fulfilment_selectors.deliveries_visible,
        required=False,
        allow_null=True,
        help_text="The shipped delivery this invoice bills (on a credit note: the delivery refused). On POST, with or without "
        "`sales_order`: bill that delivery's goods not billed yet.",
    )
    disputed_amount = TrimmedDecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text="What the customer contests in open disputes (kept out of dunning)."
    )
    lines = InvoiceLineSerializer(many=True, required=False)
    instalments = InstalmentSerializer(many=True, read_only=True)
    sent_to = serializers.CharField(read_only=True, help_text="Where it was last emailed; empty until then.")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "number",
            "series",
            "sequence",
            "year",
            "status",
            "payment_state",
            "disputed",
            "disputed_amount",
            "customer",
            "salesperson",
            "sales_order",
            "delivery",
            "original_invoice",
            "currency",
            "issue_date",
            "due_date",
            "payment_term",
            "customer_reference",
            "reason",
            "notes",
            "lines",
            "instalments",
            *TOTALS,
            *SETTLEMENT,
            "sent_to",
            "posted_at",
            "created_at",
        ]
        read_only_fields = [
            "kind",
            "number",
            "series",
            "sequence",
            "year",
            "status",
            "disputed",
            "salesperson",
            "original_invoice",
            "due_date",
            "reason",
            *TOTALS,
            *SETTLEMENT,
            "sent_to",
            "posted_at",
        ]

    def validate(self, attrs):
        lines = attrs.get("lines")
        errors: dict = {}
        delivery = attrs.get("delivery")
        if self.instance is None and delivery is not None:
            if delivery.sales_order_id is None:
                raise serializers.ValidationError({"delivery": [_("A replacement delivery is not billed.")]})
            if attrs.get("sales_order") is None:
                attrs["sales_order"] = delivery.sales_order
            elif attrs["sales_order"].pk != delivery.sales_order_id:
                raise serializers.ValidationError({"delivery": [_("The delivery is not of this order.")]})
        if self.instance is None and attrs.get("sales_order") is not None:
            order = attrs["sales_order"]
            if attrs.get("customer") not in (None, order.customer):
                errors["customer"] = [_("The order belongs to another customer.")]
            for name in ("currency", "payment_term", "notes", "customer_reference"):
                if name in attrs:
                    errors[name] = [_("Taken from the order; change the draft afterwards.")]
            needed = ("order_line", "quantity")
        else:
            if self.instance is None and attrs.get("customer") is None:
                errors["customer"] = [_("This field is required.")]
            if self.instance is None and not lines:
                errors["lines"] = [_("An invoice needs at least one line.")]
            needed = ("product", "quantity")
        if lines and "lines" not in errors:
            line_errors = required_in_lines(lines, needed)
            if any(line_errors):
                errors["lines"] = line_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def manual_lines(lines: list[dict]) -> list[dict]:
    """Validated lines as `invoice_create` takes them (no tax key: the product's tax applies)."""
    keep = ("product", "quantity", "unit_price", "discount_percent", "tax", "description")
    return [{name: line[name] for name in keep if name in line} for line in lines]


def order_lines(lines: list[dict] | None) -> list[dict] | None:
    if lines is None:
        return None
    return [{"order_line": line["order_line"], "quantity": line["quantity"]} for line in lines]


class CreditLineSerializer(serializers.Serializer):
    invoice_line = serializers.IntegerField(min_value=1, help_text="A line of the invoice being credited.")
    quantity = TrimmedDecimalField(max_digits=14, decimal_places=4, min_value=Decimal("0.0001"))


class CreditSerializer(serializers.Serializer):
    lines = CreditLineSerializer(many=True, required=False, allow_empty=False, help_text="Leave out to credit everything not yet credited.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="Why; printed on the credit note.")


class WriteOffSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the amount will not be collected.")
    amount = money(required=False, help_text="All that is due when left out.")


class ApplyCreditSerializer(serializers.Serializer):
    invoice = CompanyRelatedField(model=Invoice, help_text="A posted invoice of the same customer.")
    amount = money()


# --- payments -----------------------------------------------------------------------------


class AllocationSerializer(CompanyModelSerializer):
    invoice = CompanyRelatedField(model=Invoice, help_text="A posted invoice of the payment's customer.")
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    amount = money()

    class Meta:
        model = PaymentAllocation
        fields = ["id", "invoice", "invoice_number", "amount", "date"]
        read_only_fields = ["date"]
        list_serializer_class = PositionalErrorsListSerializer


class PaymentSerializer(CompanyModelSerializer):
    """Money received. What `allocations` do not use stays as the customer's credit, to allocate later."""

    customer = customer_field()
    currency = CompanySlugField(model=Currency, slug_field="code", required=False, help_text="ISO 4217 code; the customer's by default.")
    date = IsoDateField(required=False, help_text="Today when left out.")
    amount = money()
    allocations = AllocationSerializer(many=True, required=False)

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "date",
            "amount",
            "currency",
            "method",
            "reference",
            "allocated_amount",
            "unallocated_amount",
            "reversal_reason",
            "allocations",
            "created_at",
        ]
        read_only_fields = ["number", "status", "allocated_amount", "unallocated_amount", "reversal_reason"]


def allocation_values(allocations: list[dict] | None) -> list[dict]:
    return [{"invoice": a["invoice"], "amount": a["amount"]} for a in allocations or []]


class AllocateSerializer(serializers.Serializer):
    allocations = AllocationSerializer(many=True, allow_empty=False)


# --- deposits -----------------------------------------------------------------------------


class DepositApplicationSerializer(CompanyModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True, allow_null=True)

    class Meta:
        model = DepositApplication
        fields = ["id", "invoice", "invoice_number", "amount", "date"]
        read_only_fields = fields


class DepositSerializer(CompanyModelSerializer):
    """Money received ahead of invoicing, held for the customer until applied to an invoice or refunded."""

    customer = customer_field()
    sales_order = order_field(required=False, allow_null=True)
    currency = CompanySlugField(
        model=Currency, slug_field="code", required=False, help_text="ISO 4217 code; the order's, else the customer's, by default."
    )
    date = IsoDateField(required=False, help_text="Today when left out.")
    amount = money()
    applications = DepositApplicationSerializer(
        many=True, read_only=True, help_text="What was applied to invoices or refunded (`invoice` null)."
    )

    class Meta:
        model = Deposit
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "sales_order",
            "date",
            "amount",
            "currency",
            "method",
            "reference",
            "applied_amount",
            "refunded_amount",
            "held_amount",
            "applications",
            "created_at",
        ]
        read_only_fields = ["number", "status", "applied_amount", "refunded_amount", "held_amount"]


class DepositApplySerializer(serializers.Serializer):
    invoice = CompanyRelatedField(model=Invoice, help_text="A posted invoice of the deposit's customer.")
    amount = money(required=False, help_text="As much as the deposit holds and the invoice owes when left out.")


class RefundSerializer(serializers.Serializer):
    amount = money(required=False, help_text="All the deposit still holds when left out.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# --- dunning ------------------------------------------------------------------------------


class DunningLineSerializer(CompanyModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = DunningLetterLine
        fields = ["invoice", "invoice_number", "due_date", "days_overdue", "amount_due"]
        read_only_fields = fields


class DunningLetterSerializer(CompanyModelSerializer):
    currency = serializers.CharField(source="currency.code", read_only=True)
    lines = DunningLineSerializer(many=True, read_only=True)
    sent_to = serializers.CharField(read_only=True, help_text="Where it was last emailed; empty until then.")

    class Meta:
        model = DunningLetter
        fields = ["id", "number", "customer", "level", "date", "currency", "total_overdue", "sent_to", "sent_at", "lines"]
        read_only_fields = fields


class DunningRunSerializer(serializers.Serializer):
    date = IsoDateField(required=False, help_text="Overdue as of this day; today when left out.")


# --- settings -----------------------------------------------------------------------------


class BillingSettingsSerializer(CompanyModelSerializer):
    class Meta:
        model = BillingSettings
        fields = [
            "invoice_policy",
            "apply_deposits_automatically",
            "dunning_level_1_days",
            "dunning_level_2_days",
            "dunning_level_3_days",
        ]
