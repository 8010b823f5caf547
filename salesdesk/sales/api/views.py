"""Quotations, price approvals and contracts (sales orders: `orders.py`): each write is one service call.

Querysets come from the record-scope selectors, so a salesperson gets 404 for another
salesperson's documents. After every write the document is read again through the same
queryset, so the answer shows what was stored (numbers, prices, totals, status).
"""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.catalog.pricing import NoExchangeRate
from salesdesk.core.api.errors import ErrorSerializer
from salesdesk.core.api.permissions import CompanyRolePermission
from salesdesk.core.api.views import CompanyScopedMixin, within
from salesdesk.core.errors import Invalid
from salesdesk.sales import selectors, services
from salesdesk.sales.api import serializers as s
from salesdesk.sales.api.filters import ContractFilter, PriceApprovalFilter, QuotationFilter
from salesdesk.sales.models import Contract, PriceApproval, Quotation


def conflict(*codes: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorSerializer, description="A business rule refused the request: " + ", ".join(f"`{c}`" for c in codes)
    )


TRANSITION = conflict("invalid_transition")


def pdf_response(document) -> HttpResponse:
    # WeasyPrint is heavy to import: load the renderer only when a PDF is asked for.
    from salesdesk.sales import documents

    response = HttpResponse(documents.render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.pdf_filename(document)}"'
    return response


# --- the base -----------------------------------------------------------------------------


class ScopedDocumentViewSet(
    CompanyScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change (drafts); documents are cancelled, never deleted."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    visible = None  # a selector (company, membership) -> the rows this user may see

    def scope_queryset(self, qs):
        return within(qs, self.visible(self.request.company, self.request.membership))

    def fresh(self, document):
        """The document read again with its lines, as the answer should show it."""
        return self.get_queryset().get(pk=document.pk)

    def answer(self, document, status=200) -> Response:
        return Response(self.get_serializer(self.fresh(document)).data, status=status)

    def body(self, serializer_class) -> dict:
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data

    def split_lines(self, serializer, key="lines"):
        values = dict(serializer.validated_data)
        lines = values.pop(key, None)
        return values, (s.line_values(lines) if lines is not None and key == "lines" else lines)


# --- quotations ---------------------------------------------------------------------------


_Q = "sales.change_quotation"


@extend_schema_view(
    create=extend_schema(responses={201: s.QuotationSerializer}),
    partial_update=extend_schema(responses={200: s.QuotationSerializer, 409: conflict("not_editable")}),
)
class QuotationViewSet(ScopedDocumentViewSet):
    """Quotations. Drafts are edited (PATCH with `lines` replaces them); later changes are revisions."""

    queryset = Quotation.objects.select_related("currency").prefetch_related("lines")
    serializer_class = s.QuotationSerializer
    visible = staticmethod(selectors.quotations_visible)
    filterset_class = QuotationFilter
    search_fields = ["number", "customer__name", "customer__code"]
    ordering_fields = ["date", "number", "valid_until", "total_amount", "created_at"]
    action_perms = {"send": _Q, "accept": _Q, "reject": _Q, "cancel": _Q, "revise": _Q, "convert": _Q, "pdf": "sales.view_quotation"}

    def perform_create(self, serializer):
        values, lines = self.split_lines(serializer)
        quotation = services.quotation_create(
            company=self.request.company,
            actor=self.request.user,
            membership=self.request.membership,
            customer=values.pop("customer"),
            lines=lines or [],
            **values,
        )
        serializer.instance = self.fresh(quotation)

    def perform_update(self, serializer):
        values, lines = self.split_lines(serializer)
        quotation = services.quotation_update(
            quotation=serializer.instance, actor=self.request.user, membership=self.request.membership, values=values, lines=lines
        )
        serializer.instance = self.fresh(quotation or serializer.instance)

    @extend_schema(request=s.SendSerializer, responses={200: s.QuotationSerializer, 409: TRANSITION})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        quotation = self.get_object()
        to = self.body(s.SendSerializer).get("to") or None
        return self.answer(services.quotation_send(quotation=quotation, actor=request.user, to=to) or quotation)

    @extend_schema(
        request=None, responses={200: s.QuotationSerializer, 409: conflict("invalid_transition", "quotation_expired", "superseded")}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        quotation = self.get_object()
        return self.answer(services.quotation_accept(quotation=quotation, actor=request.user) or quotation)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.QuotationSerializer, 409: TRANSITION})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        quotation = self.get_object()
        reason = self.body(s.ReasonSerializer)["reason"]
        return self.answer(services.quotation_reject(quotation=quotation, actor=request.user, reason=reason) or quotation)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.QuotationSerializer, 409: TRANSITION})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        quotation = self.get_object()
        reason = self.body(s.OptionalReasonSerializer).get("reason", "")
        return self.answer(services.quotation_cancel(quotation=quotation, actor=request.user, reason=reason) or quotation)

    @extend_schema(
        request=None,
        responses={200: s.QuotationSerializer, 409: conflict("invalid_transition", "superseded")},
        description="Returns the new revision (a draft).",
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        revision = services.quotation_revise(quotation=self.get_object(), actor=request.user)
        return self.answer(revision)

    @extend_schema(
        request=None,
        responses={200: s.ConvertedSerializer, 409: conflict("invalid_transition", "already_converted")},
        description="Makes a draft sales order of an accepted quotation.",
    )
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        order = services.quotation_convert(quotation=self.get_object(), actor=request.user, membership=request.membership)
        return Response({"sales_order": order.pk})

    @extend_schema(responses=s.PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return pdf_response(self.get_object())


# --- price approvals ----------------------------------------------------------------------


_A = "sales.change_priceapproval"
DECISION_CONFLICTS = conflict("invalid_transition")
NOT_ALLOWED = OpenApiResponse(
    response=ErrorSerializer,
    description="`permission_denied` or `not_allowed_to_approve`: only a manager of the salesperson's team or an administrator decides.",
)


class PriceApprovalViewSet(CompanyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Requests to sell below the floor, with the exact prices they cover. A sales manager decides."""

    queryset = PriceApproval.objects.prefetch_related("lines")
    serializer_class = s.PriceApprovalSerializer
    filterset_class = PriceApprovalFilter
    ordering_fields = ["requested_at", "decided_at"]
    action_perms = {"approve": _A, "reject": _A}

    def scope_queryset(self, qs):
        return within(qs, selectors.approvals_visible(self.request.company, self.request.membership))

    def _decide(self, decide, serializer_class):
        approval = self.get_object()
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        decided = decide(
            approval=approval, actor=self.request.user, membership=self.request.membership, reason=body.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=(decided or approval).pk)).data)

    @extend_schema(
        request=s.OptionalReasonSerializer, responses={200: s.PriceApprovalSerializer, 403: NOT_ALLOWED, 409: DECISION_CONFLICTS}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(services.approval_approve, s.OptionalReasonSerializer)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.PriceApprovalSerializer, 403: NOT_ALLOWED, 409: DECISION_CONFLICTS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(services.approval_reject, s.ReasonSerializer)


# --- contracts ----------------------------------------------------------------------------


_C = "sales.change_contract"


@extend_schema_view(
    create=extend_schema(responses={201: s.ContractSerializer}),
    partial_update=extend_schema(responses={200: s.ContractSerializer, 409: conflict("not_editable")}),
)
class ContractViewSet(ScopedDocumentViewSet):
    """Customer contracts: agreed prices and committed quantities over a period."""

    queryset = Contract.objects.select_related("currency").prefetch_related("items")
    serializer_class = s.ContractSerializer
    visible = staticmethod(selectors.contracts_visible)
    filterset_class = ContractFilter
    search_fields = ["number", "customer__name", "customer__code"]
    ordering_fields = ["valid_from", "valid_to", "number"]
    action_perms = {"activate": _C, "cancel": _C, "pdf": "sales.view_contract"}

    def perform_create(self, serializer):
        values, items = self.split_lines(serializer, key="items")
        contract = services.contract_create(
            company=self.request.company, actor=self.request.user, customer=values.pop("customer"), items=items or [], **values
        )
        serializer.instance = self.fresh(contract)

    def perform_update(self, serializer):
        values, items = self.split_lines(serializer, key="items")
        contract = services.contract_update(contract=serializer.instance, actor=self.request.user, values=values, items=items)
        serializer.instance = self.fresh(contract or serializer.instance)

    @extend_schema(request=None, responses={200: s.ContractSerializer, 409: TRANSITION})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        contract = self.get_object()
        return self.answer(services.contract_activate(contract=contract, actor=request.user) or contract)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.ContractSerializer, 409: TRANSITION})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        contract = self.get_object()
        reason = self.body(s.OptionalReasonSerializer).get("reason", "")
        return self.answer(services.contract_cancel(contract=contract, actor=request.user, reason=reason) or contract)

    @extend_schema(responses=s.PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return pdf_response(self.get_object())


# --- why this price -----------------------------------------------------------------------


class PricePreviewView(APIView):
    """The price a line would get, and why: which list and entry applied, and why others did not."""

    permission_classes = [CompanyRolePermission]
    perm_model = Quotation

    @extend_schema(parameters=[s.PricePreviewQuerySerializer], responses={200: s.PricePreviewSerializer})
    def get(self, request):
        query = s.PricePreviewQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        v = query.validated_data
        currency = v.get("currency")
        try:
            result = selectors.price_preview(
                company=request.company,
                customer=v["customer"],
                product=v["product"],
                quantity=v["quantity"],
                on=v.get("date") or timezone.localdate(),
                currency=currency.code if currency is not None else None,
                price_list=v.get("price_list"),
            )
        except NoExchangeRate as exc:
            raise Invalid({"currency": [f"No exchange rate for {exc.currency} on or before {exc.on.isoformat()}."]}) from None
        return Response(
            s.PricePreviewSerializer(
                {
                    "unit_price": result.unit_price,
                    "currency": result.currency,
                    "source": result.source,
                    "price_list": result.price_list_id,
                    "explanation": list(result.explanation),
                    "floor_price": result.floor_price,
                }
            ).data
        )
