"""Invoices and credit notes: each write is one billing service call.

Querysets come from the record-scope selectors, so a salesperson reads their own customers'
invoices and gets 404 for the others. After every write the document is read again through
the same queryset, so the answer shows what was stored (number, totals, settlement).
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings

from salesdesk.billing import selectors, services
from salesdesk.billing.api import serializers as s
from salesdesk.billing.api.filters import InvoiceFilter
from salesdesk.billing.models import Invoice
from salesdesk.core.api.errors import ErrorSerializer
from salesdesk.core.api.views import ScopedViewSet
from salesdesk.core.errors import Invalid
from salesdesk.sales.api.serializers import OptionalReasonSerializer, SendSerializer


def conflict(*codes: str, extra: str = "") -> OpenApiResponse:
    described = ", ".join(f"`{c}`" for c in codes)
    return OpenApiResponse(response=ErrorSerializer, description=f"A business rule refused the request: {described}.{extra}")


NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="`not_found`.")
INVALID = OpenApiResponse(response=ErrorSerializer, description="Invalid input: `code` is `invalid` and `details` names each field.")


class _DocumentFormatSettings:
    """DRF's settings, except that `?format=` is not a renderer override on these views."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name):
        return getattr(api_settings, name)


class DocumentFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the document to return (cii, ubl, pdf); errors are still JSON."""

    settings = _DocumentFormatSettings()


def file_response(content: bytes, content_type: str, filename: str, disposition: str = "inline") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def single_item_errors(exc: Invalid, key: str = "allocations") -> Invalid:
    """A one-allocation service input reports its errors as `allocations: [{...}]`; name the body's fields instead."""
    items = exc.details.get(key)
    if set(exc.details) == {key} and isinstance(items, list) and len(items) == 1 and isinstance(items[0], dict):
        return Invalid(items[0])
    return exc


# --- the base -----------------------------------------------------------------------------


# --- invoices -----------------------------------------------------------------------------


_ADD, _CHANGE, _VIEW = "billing.add_invoice", "billing.change_invoice", "billing.view_invoice"
TRANSITION = conflict("invalid_transition")
PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY, 404: NOT_FOUND}


@extend_schema_view(
    create=extend_schema(
        responses={
            201: s.InvoiceSerializer,
            409: conflict("invalid_transition", "over_invoicing", "nothing_to_invoice", "customer_blocked"),
        },
        description="A manual draft (`customer` and `lines`), or with `sales_order` the draft of what the order has left to bill "
        "(optionally only `lines: [{order_line, quantity}]`), or with `delivery` (and optionally its `sales_order`) the draft "
        "of that shipped delivery's goods not billed yet.",
    ),
    partial_update=extend_schema(
        responses={200: s.InvoiceSerializer, 409: conflict("not_editable")},
        description="Drafts only: `issue_date`, `notes`, `customer_reference`, `payment_term`, and `lines` of a manual invoice.",
    ),
)
class InvoiceViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Invoices and credit notes. Posted ones are never edited or cancelled: they are credited."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Invoice.objects.select_related("currency").prefetch_related("lines", "instalments")
    serializer_class = s.InvoiceSerializer
    visible = staticmethod(selectors.invoices_visible)
    filterset_class = InvoiceFilter
    search_fields = ["number", "customer__name", "customer__code"]
    ordering_fields = ["issue_date", "due_date", "number", "total_amount", "amount_due", "created_at"]
    action_perms = {
        "post_invoice": "billing.post_invoice",
        "cancel": _CHANGE,
        "credit": _ADD,
        "send": _CHANGE,
        "write_off": _CHANGE,
        "apply_credit": _CHANGE,
        "pdf": _VIEW,
        "einvoice": _VIEW,
    }

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        lines = values.pop("lines", None)
        order = values.pop("sales_order", None)
        delivery = values.pop("delivery", None)
        request = self.request
        if order is not None:
            invoice = services.invoice_from_order(
                order=order,
                actor=request.user,
                membership=request.membership,
                lines=s.order_lines(lines),
                issue_date=values.get("issue_date"),
                delivery=delivery,
            )
        else:
            invoice = services.invoice_create(
                company=request.company,
                actor=request.user,
                membership=request.membership,
                customer=values.pop("customer"),
                lines=s.manual_lines(lines or []),
                **values,
            )
        serializer.instance = self.fresh(invoice)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        lines = values.pop("lines", None)
        invoice = services.invoice_update(
            invoice=serializer.instance, actor=self.request.user, values=values, lines=None if lines is None else s.manual_lines(lines)
        )
        serializer.instance = self.fresh(invoice)

    @extend_schema(
        request=None,
        responses={200: s.InvoiceSerializer, 409: conflict("invalid_transition", "over_credit", "no_exchange_rate")},
        description="Posts a draft: the next gapless number of its series and year, instalments and due date from the payment "
        "term, the ledger entry; the order is billed and its deposits applied when the company says so.",
    )
    # Not named `post`: a viewset method called `post` would also answer POST on the detail URL.
    @action(detail=True, methods=["post"], url_path="post", url_name="post")
    def post_invoice(self, request, pk=None):
        return self.answer(services.invoice_post(invoice=self.get_object(), actor=request.user))

    @extend_schema(
        request=OptionalReasonSerializer,
        responses={200: s.InvoiceSerializer, 409: conflict("invalid_transition", extra=" A posted invoice is credited instead.")},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        invoice = self.get_object()
        reason = self.body(OptionalReasonSerializer).get("reason", "")
        return self.answer(services.invoice_cancel(invoice=invoice, actor=request.user, reason=reason))

    @extend_schema(
        request=s.CreditSerializer,
        responses={201: s.InvoiceSerializer, 409: conflict("invalid_transition", "over_credit", "no_exchange_rate")},
        description="Makes and posts the credit note for the whole invoice or the given lines and quantities; answers the credit note.",
    )
    @action(detail=True, methods=["post"])
    def credit(self, request, pk=None):
        invoice = self.get_object()
        body = self.body(s.CreditSerializer)
        lines = body.get("lines")
        note = services.invoice_credit(
            invoice=invoice,
            actor=request.user,
            lines=None if lines is None else [dict(line) for line in lines],
            reason=body.get("reason", ""),
        )
        return self.answer(note, status=201)

    @extend_schema(request=SendSerializer, responses={200: s.InvoiceSerializer, 409: TRANSITION})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        invoice = self.get_object()
        to = self.body(SendSerializer).get("to") or None
        return self.answer(services.invoice_send(invoice=invoice, actor=request.user, to=to))

    @extend_schema(
        request=s.WriteOffSerializer,
        responses={200: s.InvoiceSerializer, 409: conflict("not_open", "over_allocation")},
        description="Writes off (part of) what is due on a posted invoice to bad debts, with the reason.",
    )
    @action(detail=True, methods=["post"], url_path="write-off", url_name="write-off")
    def write_off(self, request, pk=None):
        invoice = self.get_object()
        body = self.body(s.WriteOffSerializer)
        services.invoice_write_off(invoice=invoice, actor=request.user, reason=body["reason"], amount=body.get("amount"))
        return self.answer(invoice)

    @extend_schema(
        request=s.ApplyCreditSerializer,
        responses={200: s.InvoiceSerializer, 409: conflict("invalid_transition", "over_allocation")},
        description="Uses the credit left on a posted credit note to settle an invoice of the same customer; answers the credit note.",
    )
    @action(detail=True, methods=["post"], url_path="apply-credit", url_name="apply-credit")
    def apply_credit(self, request, pk=None):
        note = self.get_object()
        body = self.body(s.ApplyCreditSerializer)
        try:
            services.credit_note_apply(credit_note=note, invoice=body["invoice"], amount=body["amount"], actor=request.user)
        except Invalid as exc:
            raise single_item_errors(exc) from None
        return self.answer(note)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        # WeasyPrint is heavy to import: load the renderer only when a PDF is asked for.
        from salesdesk.billing import documents

        return file_response(documents.render_pdf(invoice), "application/pdf", documents.pdf_filename(invoice))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                OpenApiParameter.QUERY,
                required=True,
                enum=["cii", "ubl", "facturx"],
                description="`cii` (UN/CEFACT CII XML, EN 16931), `ubl` (UBL 2.1 XML) or `facturx` (PDF/A-3 with the CII XML inside).",
            )
        ],
        responses={
            (200, "application/xml"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: INVALID,
            404: NOT_FOUND,
            409: conflict("invalid_transition", extra=" Only a posted invoice is a legal e-invoice."),
        },
    )
    @action(detail=True, methods=["get"], content_negotiation_class=DocumentFormatNegotiation)
    def einvoice(self, request, pk=None):
        invoice = self.get_object()
        from salesdesk.billing import einvoice

        content, content_type, filename = einvoice.export(invoice, request.query_params.get("format"))
        return file_response(content, content_type, filename, disposition="attachment")
