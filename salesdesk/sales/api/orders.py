"""Sales orders in the API: drafts, confirmation (price floors and credit control), credit release,
cancellation and amendment. Each write is one service call; the answer is the order as stored."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action

from salesdesk.accounts.selectors import visible_salesperson_ids
from salesdesk.core.api.errors import ErrorSerializer
from salesdesk.core.api.fields import plain_id
from salesdesk.sales import reads, selectors, services
from salesdesk.sales.api import serializers as s
from salesdesk.sales.api.filters import SalesOrderFilter
from salesdesk.sales.api.views import ScopedDocumentViewSet, conflict, pdf_response
from salesdesk.sales.models import SalesOrder

# --- sales orders -------------------------------------------------------------------------


_O = "sales.change_salesorder"
CONFIRM_CONFLICTS = conflict(
    "invalid_transition", "price_approval_required", "credit_limit_exceeded", "customer_blocked", "insufficient_stock", "contract_exhausted"
)
CREDIT_REFUSALS = (
    "`credit_limit_exceeded`: the order is left in `credit_hold`; `details` has `credit_limit`, `exposure` (receivable + "
    "confirmed orders not yet invoiced - unapplied deposits) and `order_amount`, in the company's currency with tax. "
    "`customer_blocked`: the customer's file is blocked (nothing changes) or an invoice is overdue longer than "
    "`overdue_block_days` (the order is left in `credit_hold`; `details` has `oldest_due_date`, `days_overdue`, `overdue_block_days`). "
    "A held order goes through with `release-credit`."
)
NOT_ALLOWED_TO_RELEASE = OpenApiResponse(
    response=ErrorSerializer,
    description="`permission_denied` or `not_allowed_to_release`: only a sales manager, an accountant or an administrator releases.",
)


@extend_schema_view(
    create=extend_schema(responses={201: s.SalesOrderSerializer}),
    partial_update=extend_schema(responses={200: s.SalesOrderSerializer, 409: conflict("not_editable")}),
)
class SalesOrderViewSet(mixins.DestroyModelMixin, ScopedDocumentViewSet):
    """Sales orders. Confirming gives the number and runs the price-floor and credit checks; amendments are logged revisions.

    A draft order (it has no number yet) can be deleted; any other is cancelled instead.
    """

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    queryset = SalesOrder.objects.select_related("currency").prefetch_related("lines")
    serializer_class = s.SalesOrderSerializer
    visible = staticmethod(selectors.orders_visible)
    filterset_class = SalesOrderFilter
    search_fields = ["number", "customer__name", "customer__code", "customer_reference"]
    ordering_fields = ["date", "number", "requested_date", "total_amount", "created_at"]
    action_perms = {"confirm": _O, "cancel": _O, "amend": _O, "release_credit": "sales.release_salesorder", "pdf": "sales.view_salesorder"}

    # The order is read by its key (composed once, see sales.reads) and then held to the same
    # record scope as `orders_visible`: a salesperson's own orders, a manager's team's.

    def _in_scope(self, order):
        seen = visible_salesperson_ids(self.request.membership)
        if order is None or (seen is not None and order.salesperson_id not in seen):
            raise Http404
        return order

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        key = plain_id(value) if isinstance(value, str) else None
        if self.request.method != "POST" or key is None:
            return super().get_object()
        # An action hands the order to a service, which locks and reads what it needs itself.
        order = self._in_scope(reads.order_by_key(key, self.request.company.pk))
        self.check_object_permissions(self.request, order)
        return order

    def fresh(self, document):
        return self._in_scope(reads.order_as_shown(document))

    def perform_create(self, serializer):
        values, lines = self.split_lines(serializer)
        order = services.order_create(
            company=self.request.company,
            actor=self.request.user,
            membership=self.request.membership,
            customer=values.pop("customer"),
            lines=lines or [],
            **values,
        )
        serializer.instance = self.fresh(order)

    def perform_destroy(self, instance):
        services.order_delete(order=instance, actor=self.request.user)

    def perform_update(self, serializer):
        values, lines = self.split_lines(serializer)
        order = services.order_update(
            order=serializer.instance, actor=self.request.user, membership=self.request.membership, values=values, lines=lines
        )
        serializer.instance = self.fresh(order or serializer.instance)

    @extend_schema(
        request=None,
        responses={200: s.SalesOrderSerializer, 409: CONFIRM_CONFLICTS},
        description="`price_approval_required`: the order is left in `pending_approval` and `details.price_approval` names the request. "
        + CREDIT_REFUSALS,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        order = self.get_object()
        return self.answer(services.order_confirm(order=order, actor=request.user, membership=request.membership) or order)

    @extend_schema(
        request=s.ReasonSerializer,
        responses={200: s.SalesOrderSerializer, 403: NOT_ALLOWED_TO_RELEASE, 409: conflict("invalid_transition", "contract_exhausted")},
        description="Confirms an order held for credit (`credit_hold`) on a sales manager's or accountant's word; "
        "the reason is kept on the order and the override audited.",
    )
    @action(detail=True, methods=["post"], url_path="release-credit", url_name="release-credit")
    def release_credit(self, request, pk=None):
        order = self.get_object()
        reason = self.body(s.ReasonSerializer)["reason"]
        return self.answer(services.order_release_credit(order=order, actor=request.user, membership=request.membership, reason=reason))

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.SalesOrderSerializer, 409: conflict("invalid_transition")})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        reason = self.body(s.OptionalReasonSerializer).get("reason", "")
        return self.answer(services.order_cancel(order=order, actor=request.user, reason=reason) or order)

    @extend_schema(
        request=s.AmendSerializer,
        responses={200: s.SalesOrderSerializer, 409: conflict("invalid_transition", "price_approval_required", "contract_exhausted")},
        description="Replaces the undelivered lines of a confirmed order; `id` keeps an existing line. Logged as a revision.",
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        order = self.get_object()
        body = self.body(s.AmendSerializer)
        s.require_line_fields(body["lines"])
        amended = services.order_amend(
            order=order, actor=request.user, membership=request.membership, lines=s.line_values(body["lines"]), reason=body["reason"]
        )
        return self.answer(amended or order)

    @extend_schema(responses=s.PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return pdf_response(self.get_object())
