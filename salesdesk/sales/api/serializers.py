"""Sales documents in the API: quotations, sales orders, price approvals and contracts.

Serializers only parse and render. Lines are validated here (positive quantity, discount
within 0-100, products of the request's company) and handed to the services as plain dicts;
prices, totals and statuses are always decided by the services.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from salesdesk.catalog.models import Currency, PriceList, Product
from salesdesk.core.api.decimals import TrimmedDecimalField
from salesdesk.core.api.fields import CompanyRelatedField, CompanySlugField, load_in_bulk, plain_id
from salesdesk.core.api.serializers import CompanyModelSerializer, IsoDateField
from salesdesk.core.money import display
from salesdesk.customers import selectors as customer_selectors
from salesdesk.customers.models import Customer
from salesdesk.inventory.models import Warehouse
from salesdesk.sales import progress, selectors
from salesdesk.sales.api import reservations
from salesdesk.sales.models import (
    Contract,
    ContractItem,
    PriceApproval,
    PriceApprovalLine,
    Quotation,
    QuotationLine,
    SalesOrder,
    SalesOrderLine,
)

LINE_FIELDS = ["id", "product", "description", "quantity", "unit_price", "discount_percent", "tax", "amount"]
LINE_READ_ONLY = ["amount", "price_explanation", "floor_price"]
TOTALS = ["untaxed_amount", "tax_amount", "total_amount"]


class VisibleRelatedField(CompanyRelatedField):
    """A foreign key limited to the rows the user may see (their record scope), not just the company.

    `visible` is a selector taking (company, membership).
    """

    def __init__(self, visible=None, lookup=None, **kwargs):
        self.visible, self.lookup = visible, lookup
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # `lookup(company, membership, id)` finds one visible row by its key with a read composed
        # once; anything but a plain id goes the usual way (and gets the usual error).
        request = self.context.get("request")
        plain = isinstance(data, int) and plain_id(data) is not None
        if self.lookup is None or not plain or getattr(request, "company", None) is None:
            return super().to_internal_value(data)
        found = self.lookup(request.company, request.membership, data)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found

    def get_queryset(self):
        request = self.context.get("request")
        if getattr(request, "company", None) is None:
            return self.model.objects.none()
        return self.visible(request.company, request.membership)


def customer_field(**kwargs):
    return VisibleRelatedField(
        model=Customer, visible=customer_selectors.customers_visible, lookup=customer_selectors.visible_customer, **kwargs
    )


# --- lines --------------------------------------------------------------------------------


class PositionalErrorsListSerializer(serializers.ListSerializer):
    """Errors of nested lines as a list in line order (`{}` for a good line), the shape the services use.

    DRF keys them by index in a dict instead; one request should get one shape whichever layer refuses it.
    """

    def to_internal_value(self, data):
        load_in_bulk(self.child, data, getattr(self.child.Meta, "related_in_bulk", {}))
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict) and all(isinstance(k, int) for k in exc.detail):
                raise serializers.ValidationError([exc.detail.get(i, {}) for i in range(len(data))]) from None
            raise


class LineSerializer(CompanyModelSerializer):
    """A priced line. Leave `unit_price` out and the price list decides it."""

    unit_price = TrimmedDecimalField(max_digits=14, decimal_places=4, min_value=0, required=False, allow_null=True)
    price_explanation = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Why this price: which list and entry applied, and why others did not."
    )
    floor_price = TrimmedDecimalField(
        max_digits=14, decimal_places=4, read_only=True, allow_null=True, help_text="The lowest net unit price allowed without approval."
    )

    class Meta:
        model = QuotationLine
        fields = [*LINE_FIELDS, "price_explanation", "floor_price"]
        read_only_fields = LINE_READ_ONLY
        list_serializer_class = PositionalErrorsListSerializer
        # The products (with their taxes) and taxes of all lines in one query each.
        related_in_bulk = {"product": ("tax",), "tax": ()}


class QuotationLineSerializer(LineSerializer):
    class Meta(LineSerializer.Meta):
        model = QuotationLine


def _quantity(help_text):
    return TrimmedDecimalField(max_digits=14, decimal_places=4, read_only=True, help_text=help_text)


class SalesOrderLineSerializer(LineSerializer):
    """An order line with its goods progress: what stock holds for it, what shipped, what is still to ship."""

    reserved_quantity = serializers.SerializerMethodField(help_text="Stock set aside for the line now (0 for services and once shipped).")
    delivered_quantity = _quantity("Shipped (services count as delivered at confirmation).")
    outstanding_quantity = _quantity("Ordered and not delivered yet.")

    class Meta(LineSerializer.Meta):
        model = SalesOrderLine
        fields = [
            *LINE_FIELDS,
            "price_explanation",
            "floor_price",
            "reserved_quantity",
            "delivered_quantity",
            "outstanding_quantity",
            "invoiced_quantity",
        ]
        read_only_fields = [*LINE_READ_ONLY, "delivered_quantity", "invoiced_quantity"]

    @extend_schema_field(TrimmedDecimalField(max_digits=14, decimal_places=4))
    def get_reserved_quantity(self, line) -> str:
        return display(reservations.reserved_for(self, line))


class AmendLineSerializer(SalesOrderLineSerializer):
    """A line of an amendment: `id` names an existing line to change; without it the line is new."""

    id = serializers.IntegerField(required=False, min_value=1, help_text="An existing line of the order to change.")


def require_line_fields(lines: list[dict], required=("product", "quantity"), key: str = "lines") -> None:
    """A PATCH skips missing fields of nested lines too; a line still needs its product and quantity."""
    errors = [{name: ["This field is required."] for name in required if name not in line} for line in lines]
    if any(errors):
        raise serializers.ValidationError({key: errors})


def line_values(lines: list[dict]) -> list[dict]:
    """Validated lines as the services take them (a missing unit price lets the price list decide)."""
    result = []
    for line in lines:
        values = {
            "product": line["product"],
            "quantity": line["quantity"],
            "unit_price": line.get("unit_price"),
            "discount_percent": line.get("discount_percent") or 0,
            "description": line.get("description", ""),
        }
        if "tax" in line:
            values["tax"] = line["tax"]
        if line.get("id"):
            values["id"] = line["id"]
        result.append(values)
    return result


# --- quotations and orders ----------------------------------------------------------------


class DocumentSerializer(CompanyModelSerializer):
    customer = customer_field()
    currency = CompanySlugField(model=Currency, slug_field="code", required=False, help_text="ISO 4217 code; the customer's by default.")
    price_list = CompanyRelatedField(model=PriceList, required=False, allow_null=True)
    date = IsoDateField(required=False)

    def validate(self, attrs):
        if "lines" in attrs:
            require_line_fields(attrs["lines"])
        return attrs


class QuotationSerializer(DocumentSerializer):
    lines = QuotationLineSerializer(many=True, required=False)
    valid_until = IsoDateField(required=False, help_text="The company's validity period from the date when left out.")
    sent_to = serializers.CharField(read_only=True, help_text="Where it was last sent; empty until then.")

    class Meta:
        model = Quotation
        fields = [
            "id",
            "number",
            "revision",
            "previous",
            "status",
            "customer",
            "salesperson",
            "currency",
            "price_list",
            "date",
            "valid_until",
            "notes",
            "lines",
            *TOTALS,
            "sent_to",
            "rejection_reason",
            "created_at",
        ]
        read_only_fields = ["number", "revision", "previous", "status", "salesperson", *TOTALS, "sent_to", "rejection_reason"]


_PROGRESS = {
    "delivery_state": ["none", "partial", "delivered"],
    "invoice_state": ["none", "partial", "invoiced"],
    "payment_state": ["none", "partial", "paid"],
}


def _delivery_state_field():
    field = serializers.ChoiceField(choices=_PROGRESS["delivery_state"])
    return extend_schema_field(field)(
        serializers.SerializerMethodField(help_text=f"Derived from the order's quantities: {', '.join(_PROGRESS['delivery_state'])}.")
    )


def _stored_state_field(name, what):
    return serializers.ChoiceField(
        choices=_PROGRESS[name], read_only=True, help_text=f"Kept up to date by billing from {what}: {', '.join(_PROGRESS[name])}."
    )


def _figure(help_text):
    return TrimmedDecimalField(max_digits=16, decimal_places=2, read_only=True, help_text=help_text)


class SalesOrderSerializer(reservations.ReservationsMixin, DocumentSerializer):
    """A sales order. `warehouse` is where its goods are reserved and shipped from (the company's default
    warehouse when left empty)."""

    lines = SalesOrderLineSerializer(many=True, required=False)
    warehouse = CompanyRelatedField(
        model=Warehouse, required=False, allow_null=True, help_text="Ship from here; the company's default warehouse when empty."
    )
    contract = VisibleRelatedField(model=Contract, visible=selectors.contracts_visible, required=False, allow_null=True)
    delivery_state = _delivery_state_field()
    invoice_state = _stored_state_field("invoice_state", "the quantities on posted invoices")
    payment_state = _stored_state_field("payment_state", "the payments and deposits applied to its invoices")
    open_amount = _figure(
        "What is still to invoice, including tax, in the company's currency (the order's share of the customer's exposure)."
    )
    invoiced_amount = _figure("Invoiced less credited, in the order's currency.")
    paid_amount = _figure("Paid on its invoices (payments and deposits applied), in the order's currency.")
    credit_release_reason = serializers.CharField(read_only=True, help_text="Why the order was released from credit hold; empty otherwise.")

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "series",
            "sequence",
            "revision",
            "status",
            "customer",
            "salesperson",
            "currency",
            "price_list",
            "quotation",
            "contract",
            "date",
            "requested_date",
            "warehouse",
            "customer_reference",
            "notes",
            "lines",
            *TOTALS,
            "delivery_state",
            "invoice_state",
            "payment_state",
            "open_amount",
            "invoiced_amount",
            "paid_amount",
            "credit_release_reason",
            "confirmed_at",
            "created_at",
        ]
        read_only_fields = ["number", "series", "sequence", "revision", "status", "salesperson", "quotation", *TOTALS, "confirmed_at"]
        list_serializer_class = reservations.OrderListSerializer

    def get_delivery_state(self, order) -> str:
        return progress.delivery_state((line.quantity, line.delivered_quantity) for line in order.lines.all())


# --- price approvals ----------------------------------------------------------------------


class PriceApprovalLineSerializer(CompanyModelSerializer):
    class Meta:
        model = PriceApprovalLine
        fields = ["order_line", "product", "quantity", "unit_price", "discount_percent", "net_unit_price", "floor_price", "allowed_price"]
        read_only_fields = fields


class PriceApprovalSerializer(CompanyModelSerializer):
    sales_order = serializers.PrimaryKeyRelatedField(source="order", read_only=True)
    lines = PriceApprovalLineSerializer(many=True, read_only=True)

    class Meta:
        model = PriceApproval
        fields = ["id", "sales_order", "status", "requested_by", "requested_at", "decided_by", "decided_at", "reason", "lines"]
        read_only_fields = fields


# --- contracts ----------------------------------------------------------------------------


class ContractItemSerializer(CompanyModelSerializer):
    remaining_quantity = TrimmedDecimalField(max_digits=14, decimal_places=4, read_only=True)

    class Meta:
        model = ContractItem
        fields = ["id", "product", "price", "quantity", "consumed_quantity", "remaining_quantity"]
        read_only_fields = ["consumed_quantity"]
        list_serializer_class = PositionalErrorsListSerializer


class ContractSerializer(CompanyModelSerializer):
    customer = customer_field()
    currency = CompanySlugField(model=Currency, slug_field="code", required=False, help_text="ISO 4217 code; the customer's by default.")
    items = ContractItemSerializer(many=True, required=False)

    class Meta:
        model = Contract
        fields = ["id", "number", "customer", "status", "valid_from", "valid_to", "currency", "allow_over_commitment", "notes", "items"]
        read_only_fields = ["number", "status"]

    def validate(self, attrs):
        start = attrs.get("valid_from", getattr(self.instance, "valid_from", None))
        end = attrs.get("valid_to", getattr(self.instance, "valid_to", None))
        if start and end and end < start:
            raise serializers.ValidationError({"valid_to": ["Must be on or after valid_from."]})
        require_line_fields(attrs.get("items", []), ("product", "price", "quantity"), key="items")
        products = [item["product"].pk for item in attrs.get("items", [])]
        if len(products) != len(set(products)):
            raise serializers.ValidationError({"items": ["A product appears only once in a contract."]})
        return attrs


# --- action bodies and answers ------------------------------------------------------------


class SendSerializer(serializers.Serializer):
    to = serializers.EmailField(required=False, allow_blank=True, help_text="The customer's email address when left out.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why; kept in the document's history.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AmendSerializer(serializers.Serializer):
    lines = AmendLineSerializer(many=True, allow_empty=False, help_text="The full new list of lines; `id` keeps an existing line.")
    reason = serializers.CharField(max_length=2000)


class ConvertedSerializer(serializers.Serializer):
    sales_order = serializers.IntegerField(help_text="Id of the new sales order.")


class PricePreviewQuerySerializer(serializers.Serializer):
    customer = customer_field()
    product = CompanyRelatedField(model=Product)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False, default=1)
    date = IsoDateField(required=False, help_text="Today when left out.")
    currency = CompanySlugField(model=Currency, slug_field="code", required=False)
    price_list = CompanyRelatedField(model=PriceList, required=False)

    def validate_quantity(self, value):
        if value <= 0:
            raise serializers.ValidationError("Must be more than 0.")
        return value


class PricePreviewSerializer(serializers.Serializer):
    unit_price = TrimmedDecimalField(max_digits=14, decimal_places=4)
    currency = serializers.CharField()
    source = serializers.CharField(help_text="`price_list`, `contract` or `list_price`.")
    price_list = serializers.IntegerField(allow_null=True)
    explanation = serializers.ListField(child=serializers.CharField())
    floor_price = TrimmedDecimalField(max_digits=14, decimal_places=4, allow_null=True)


PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}
