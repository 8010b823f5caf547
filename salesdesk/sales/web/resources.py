"""List, detail and form pages of quotations, sales orders and contracts.

Every list reads through the sales selectors' `*_visible` scopes, and every write goes
through the sales services.
"""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.selectors import salespeople, visible_salesperson_ids
from salesdesk.core import workflow
from salesdesk.core.errors import DomainError
from salesdesk.core.web import views as generic
from salesdesk.core.web.forms import apply_error
from salesdesk.core.web.resource import Column, Filter, Resource
from salesdesk.customers.web.filters import CustomerFilter
from salesdesk.sales import progress, selectors, services
from salesdesk.sales.models import Contract, Quotation, SalesOrder
from salesdesk.sales.web import forms as sales_forms
from salesdesk.sales.web.display import PROGRESS_LABELS, document_context
from salesdesk.sales.web.lines import apply_line_errors

QUOTATION_COLOURS = {
    "draft": "secondary",
    "sent": "info",
    "accepted": "success",
    "rejected": "danger",
    "expired": "warning",
    "cancelled": "dark",
}
ORDER_COLOURS = {
    "draft": "secondary",
    "pending_approval": "warning",
    "credit_hold": "danger",
    "confirmed": "primary",
    "closed": "success",
    "cancelled": "dark",
}
CONTRACT_COLOURS = {"draft": "secondary", "active": "success", "expired": "warning", "cancelled": "dark"}


def _salespeople(request):
    people = salespeople(request.company).order_by("username")
    allowed = visible_salesperson_ids(request.membership)
    if allowed is not None:
        people = people.filter(pk__in=allowed)
    return [(u.pk, str(u)) for u in people]


class LinesFormMixin:
    """The generic create/edit page, with service errors about lines shown on their row."""

    def post(self, request, *args, **kwargs):
        obj = self.current()
        form, formset = self.build(obj, request.POST)
        if form.is_valid() & formset.is_valid():
            try:
                saved = self.save(obj, form.values(), formset.lines())
            except DomainError as exc:
                rest = apply_line_errors(exc, formset, key=getattr(self.resource, "lines_key", "lines"))
                if rest is not None:
                    apply_error(form, rest, formset)
            else:
                messages.success(request, self.success_message(saved))
                return redirect(self.resource.url("detail", saved))
        messages.error(request, gettext("Please correct the errors below."))
        return self.render_form(form, formset, obj, status=400)


class CreateView(LinesFormMixin, generic.ResourceCreateView):
    pass


class DraftOnlyUpdateView(LinesFormMixin, generic.ResourceUpdateView):
    """Documents that left draft change only through revision or amendment."""

    def get_object(self):
        obj = super().get_object()
        if obj.status != "draft":
            raise Http404
        return obj


class DocumentResource(Resource):
    """What quotation, order and contract pages share: scoped reads, no deletion, draft-only edits.

    Instances are built with `deletable=False` (numbered documents are cancelled, never deleted)
    and `show_history=False` (their pages show the document events instead).
    """

    def urlpatterns(self):
        base = self.url_base.split(":", 1)[1]
        prefix = f"{self.route}/"
        return [
            path(prefix, generic.ResourceListView.as_view(resource=self), name=f"{base}-list"),
            path(f"{prefix}<int:pk>/", generic.ResourceDetailView.as_view(resource=self), name=f"{base}-detail"),
            path(f"{prefix}new/", CreateView.as_view(resource=self), name=f"{base}-create"),
            path(f"{prefix}<int:pk>/edit/", DraftOnlyUpdateView.as_view(resource=self), name=f"{base}-update"),
        ]

    def form_kwargs(self, request, obj):
        return {"document": obj}

    def can(self, request):
        # The detail pages draw their own Edit button (drafts only); documents are never deleted.
        return {"add": request.membership.has_perm(self.perm("add")), "change": False, "delete": False}

    def form_context(self, request, obj):
        return {"url_kind": "quotation"}


# --- quotations --------------------------------------------------------------------------


class QuotationResource(DocumentResource):
    def queryset(self, request):
        return selectors.quotations_visible(request.company, request.membership).select_related("customer", "salesperson", "currency")

    def create(self, request, values, lines=None):
        return services.quotation_create(company=request.company, actor=request.user, membership=request.membership, lines=lines, **values)

    def update(self, request, obj, values, lines=None):
        return services.quotation_update(quotation=obj, actor=request.user, membership=request.membership, values=values, lines=lines)

    def formset_initial(self, obj):
        return sales_forms.line_initial(obj)

    def detail_context(self, request, obj):
        return document_context(request, obj, kind="quotation")


quotations = QuotationResource(
    model=Quotation,
    url_base="sales:quotation",
    route="quotations",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("revision", _("revision"), sort="revision", numeric=True),
        Column("customer", _("customer"), sort="customer__name"),
        Column("salesperson", _("salesperson"), sort="salesperson__username"),
        Column("date", _("date"), sort="date"),
        Column("valid_until", _("valid until"), sort="valid_until"),
        Column("currency", _("currency"), accessor="currency.code"),
        Column("total_amount", _("total"), sort="total_amount", numeric=True),
        Column("status", _("status"), sort="status", badge=QUOTATION_COLOURS),
    ],
    search_fields=("number", "customer__code", "customer__name"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(Quotation.Status.choices)),
        Filter("salesperson", _("salesperson"), "salesperson_id", _salespeople),
        CustomerFilter(),
    ],
    default_sort="-date",
    form_class=sales_forms.QuotationForm,
    formset_class=sales_forms.QuotationLineFormSet,
    form_template="sales/document_form.html",
    detail_template="sales/quotation_detail.html",
    icon="file-earmark-text",
    deletable=False,
    show_history=False,
)


# --- sales orders -------------------------------------------------------------------------


class ProgressFilter(Filter):
    """Orders by a derived progress state, computed in the database from the line quantities."""

    def apply(self, qs, request, raw):
        done_field = self.lookup  # "delivered_quantity" or "invoiced_quantity"
        if raw not in {v for v, _ in self.options(request)}:
            return qs
        qs = qs.annotate(
            _touched=Count("lines", filter=Q(**{f"lines__{done_field}__gt": 0})),
            _open=Count("lines", filter=Q(**{f"lines__{done_field}__lt": F("lines__quantity")})),
        )
        if raw == progress.NONE:
            return qs.filter(_touched=0)
        if raw == progress.PARTIAL:
            return qs.filter(_touched__gt=0, _open__gt=0)
        return qs.filter(_touched__gt=0, _open=0)


def _delivery_state(order):
    lines = list(order.lines.all())
    state = progress.delivery_state((line.quantity, line.delivered_quantity) for line in lines)
    return PROGRESS_LABELS.get(state, state)


def _stored_state(name):
    """Invoicing and payment progress as billing stores them on the order (filterable in the database)."""

    def read(order):
        state = getattr(order, name)
        return PROGRESS_LABELS.get(state, state)

    return read


def _order_number(order):
    return order.number or _("draft #%(id)s") % {"id": order.pk}


class OrderResource(DocumentResource):
    def queryset(self, request):
        return (
            selectors.orders_visible(request.company, request.membership)
            .select_related("customer", "salesperson", "currency")
            .prefetch_related("lines")
        )

    def label(self, obj):
        return str(_order_number(obj))

    def create(self, request, values, lines=None):
        return services.order_create(company=request.company, actor=request.user, membership=request.membership, lines=lines, **values)

    def update(self, request, obj, values, lines=None):
        return services.order_update(order=obj, actor=request.user, membership=request.membership, values=values, lines=lines)

    def formset_initial(self, obj):
        return sales_forms.line_initial(obj)

    def detail_context(self, request, obj):
        return document_context(request, obj, kind="order")

    def form_context(self, request, obj):
        return {"url_kind": "order", "contract_customers": _contract_customers(request)}


def _contract_customers(request):
    active = selectors.contracts_visible(request.company, request.membership).filter(status=Contract.Status.ACTIVE)
    return {str(pk): str(customer_id) for pk, customer_id in active.values_list("pk", "customer_id")}


_DELIVERY_CHOICES = [(progress.NONE, _("none")), (progress.PARTIAL, _("partial")), ("delivered", _("delivered"))]
_INVOICE_CHOICES = [(progress.NONE, _("none")), (progress.PARTIAL, _("partial")), ("invoiced", _("invoiced"))]
_PAYMENT_CHOICES = [(progress.NONE, _("none")), (progress.PARTIAL, _("partial")), ("paid", _("paid"))]

orders = OrderResource(
    model=SalesOrder,
    url_base="sales:order",
    route="orders",
    columns=[
        Column("number", _("number"), accessor=_order_number, sort="number", link=True),
        Column("customer", _("customer"), sort="customer__name"),
        Column("salesperson", _("salesperson"), sort="salesperson__username"),
        Column("date", _("date"), sort="date"),
        Column("requested_date", _("requested delivery date"), sort="requested_date"),
        Column("currency", _("currency"), accessor="currency.code"),
        Column("total_amount", _("total"), sort="total_amount", numeric=True),
        Column("status", _("status"), sort="status", badge=ORDER_COLOURS),
        Column("delivery_state", _("delivery"), accessor=_delivery_state),
        Column("invoice_state", _("invoicing"), accessor=_stored_state("invoice_state"), sort="invoice_state"),
        Column("payment_state", _("payment"), accessor=_stored_state("payment_state"), sort="payment_state"),
    ],
    search_fields=("number", "customer__code", "customer__name", "customer_reference"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(SalesOrder.Status.choices)),
        Filter("salesperson", _("salesperson"), "salesperson_id", _salespeople),
        CustomerFilter(),
        ProgressFilter("delivery", _("delivery"), "delivered_quantity", lambda r: _DELIVERY_CHOICES),
        Filter("invoicing", _("invoicing"), "invoice_state", lambda r: _INVOICE_CHOICES),
        Filter("payment", _("payment"), "payment_state", lambda r: _PAYMENT_CHOICES),
    ],
    default_sort="-date",
    form_class=sales_forms.OrderForm,
    formset_class=sales_forms.OrderLineFormSet,
    form_template="sales/document_form.html",
    detail_template="sales/order_detail.html",
    icon="cart-check",
    deletable=False,
    show_history=False,
    title=_("sales order"),
    title_plural=_("sales orders"),
)


# --- contracts ----------------------------------------------------------------------------


def expires_soon(contract, today=None) -> bool:
    today = today or timezone.localdate()
    return contract.status == Contract.Status.ACTIVE and today <= contract.valid_to <= today + timedelta(days=30)


class ContractResource(DocumentResource):
    lines_key = "items"

    def queryset(self, request):
        return selectors.contracts_visible(request.company, request.membership).select_related("customer", "currency")

    def create(self, request, values, lines=None):
        return services.contract_create(company=request.company, actor=request.user, items=lines or [], **values)

    def update(self, request, obj, values, lines=None):
        return services.contract_update(contract=obj, actor=request.user, values=values, items=lines)

    def formset_initial(self, obj):
        return [{"product": i.product, "price": i.price, "quantity": i.quantity} for i in obj.items.all()]

    def form_context(self, request, obj):
        return {}

    def detail_context(self, request, obj):
        m = request.membership
        targets = workflow.allowed_targets(obj) if m.has_perm("sales.change_contract") else set()
        return {
            "items": obj.items.select_related("product"),
            "expires_soon": expires_soon(obj),
            "can_activate": Contract.Status.ACTIVE in targets,
            "can_cancel": Contract.Status.CANCELLED in targets,
            "can_edit": obj.status == Contract.Status.DRAFT and m.has_perm("sales.change_contract"),
            "events": workflow.events_for(obj),
            "orders": obj.orders.order_by("-date", "-id")[:20],
        }


def _contract_warning(contract):
    return _("expires soon") if expires_soon(contract) else ""


contracts = ContractResource(
    model=Contract,
    url_base="sales:contract",
    route="contracts",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("customer", _("customer"), sort="customer__name"),
        Column("valid_from", _("valid from"), sort="valid_from"),
        Column("valid_to", _("valid to"), sort="valid_to"),
        Column("currency", _("currency"), accessor="currency.code"),
        Column("status", _("status"), sort="status", badge=CONTRACT_COLOURS),
        Column("warning", _("warning"), accessor=_contract_warning),
    ],
    search_fields=("number", "customer__code", "customer__name"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(Contract.Status.choices)),
        CustomerFilter(),
    ],
    default_sort="-valid_from",
    form_class=sales_forms.ContractForm,
    formset_class=sales_forms.ContractItemFormSet,
    formset_label=_("Agreed prices and committed quantities"),
    detail_template="sales/contract_detail.html",
    icon="file-earmark-ruled",
    deletable=False,
    show_history=False,
)
