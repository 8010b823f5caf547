"""Return pages beyond list and detail: the return form (from scratch, or "Return goods" from a
delivery), and the actions approve, reject and receive. Crediting is billing's (`billing:return-credit`)."""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.display import trim_decimal
from salesdesk.core.web.forms import apply_error
from salesdesk.fulfilment import selectors, services
from salesdesk.fulfilment.web.actions import ActionView, form_errors, line_errors
from salesdesk.fulfilment.web.details import receipt_draft_key
from salesdesk.fulfilment.web.forms import OUTCOME_PREFIX, QTY_PREFIX, ReasonForm, ReceiveForm, ReturnForm, ReturnLineFormSet
from salesdesk.fulfilment.web.resources import returns
from salesdesk.sales import selectors as sales_selectors


def _id(raw) -> int | None:
    raw = str(raw or "")
    return int(raw) if raw.isdigit() else None


def delivery_initial(request, delivery_id) -> tuple[dict, list[dict]]:
    """What "Return goods" on a delivery fills in: its customer, itself, and its lines."""
    delivery = selectors.deliveries_visible(request.company, request.membership).filter(pk=delivery_id).first() if delivery_id else None
    if delivery is None:
        return {}, []
    header = {"customer": delivery.customer_id, "delivery": delivery.pk, "warehouse": delivery.warehouse_id}
    if delivery.sales_order_id:
        header["sales_order"] = delivery.sales_order_id
    lines = [{"product": line.product_id, "quantity": trim_decimal(line.quantity, 0)} for line in delivery.lines.order_by("sequence", "id")]
    return header, lines


def order_initial(request, order_id) -> tuple[dict, list[dict]]:
    """What "Return goods" on an order fills in: its customer, itself, its warehouse, and the
    goods the customer has of it that no other return asks for yet."""
    order = sales_selectors.orders_visible(request.company, request.membership).filter(pk=order_id).first() if order_id else None
    if order is None:
        return {}, []
    header = {"customer": order.customer_id, "sales_order": order.pk, "warehouse": order.warehouse_id}
    lines = []
    for product_id in dict.fromkeys(
        order.lines.filter(product__kind="goods").order_by("sequence", "id").values_list("product_id", flat=True)
    ):
        left = services.returnable(customer=order.customer, product_id=product_id, sales_order=order)
        if left > 0:
            lines.append({"product": product_id, "quantity": trim_decimal(left, 0)})
    return header, lines


class ReturnReferencesView(CompanyRequiredMixin, View):
    """htmx: the order, delivery and invoice pickers for the customer chosen in the return form."""

    permission = "fulfilment.add_returnrequest"

    def get(self, request):
        form = ReturnForm(company=request.company, request=request, customer_id=_id(request.GET.get("customer")))
        return render(request, "fulfilment/_return_references.html", {"form": form})


class ReturnCreateView(CompanyRequiredMixin, View):
    """`?delivery=<id>` comes from the delivery page, `?order=<id>` from the order's goods panel, `?customer=<id>` from the customer page."""

    permission = "fulfilment.add_returnrequest"

    def render_form(self, request, form, formset, status=200):
        context = {"resource": returns, "list_url": returns.url("list"), "form": form, "formset": formset}
        return render(request, "fulfilment/return_form.html", context, status=status)

    def get(self, request):
        header, lines = delivery_initial(request, _id(request.GET.get("delivery")))
        if not header:
            header, lines = order_initial(request, _id(request.GET.get("order")))
        if not header and _id(request.GET.get("customer")):
            header = {"customer": _id(request.GET.get("customer"))}
        form = ReturnForm(initial=header, company=request.company, request=request, customer_id=header.get("customer"))
        formset = ReturnLineFormSet(prefix="lines", initial=lines or None, company=request.company)
        if lines:
            formset.extra = 0
        return self.render_form(request, form, formset)

    def post(self, request):
        form = ReturnForm(request.POST, company=request.company, request=request, customer_id=_id(request.POST.get("customer")))
        formset = ReturnLineFormSet(request.POST, prefix="lines", company=request.company)
        if form.is_valid() & formset.is_valid():
            lines = formset.lines()
            if not lines:
                form.add_error(None, _("A return needs at least one line."))
            else:
                try:
                    ret = services.return_create(
                        company=request.company, actor=request.user, membership=request.membership, lines=lines, **form.values()
                    )
                except DomainError as exc:
                    apply_error(form, line_errors(exc, formset), formset)
                else:
                    messages.success(request, _("Return %(number)s was requested.") % {"number": ret.number})
                    return redirect(reverse("fulfilment:return-detail", args=[ret.pk]))
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(request, form, formset, status=400)


class ReturnActionView(ActionView):
    detail_name = "fulfilment:return-detail"
    actions = {
        "approve": "fulfilment.approve_returnrequest",
        "reject": "fulfilment.approve_returnrequest",
        "receive": "fulfilment.change_returnrequest",
    }

    def queryset(self, request):
        return selectors.returns_visible(request.company, request.membership)

    def do_approve(self, request, ret):
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
        services.return_approve(request=ret, actor=request.user, membership=request.membership, reason=reason)
        messages.success(request, _("%(number)s is approved; the goods may come back.") % {"number": ret.number})

    def do_reject(self, request, ret):
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
        if not reason:
            messages.error(request, _("Say why the return is rejected."))
            return
        services.return_reject(request=ret, actor=request.user, membership=request.membership, reason=reason)
        messages.success(request, _("%(number)s was rejected.") % {"number": ret.number})

    def do_receive(self, request, ret):
        form = ReceiveForm(request.POST, lines=list(ret.lines.select_related("product")))
        typed = {name: value for name, value in request.POST.items() if name.startswith((QTY_PREFIX, OUTCOME_PREFIX))}
        if not form.is_valid():
            request.session[receipt_draft_key(ret)] = typed
            messages.error(request, form_errors(form) or _("Give each line the quantity received and its outcome."))
            return
        try:
            services.return_receive(request=ret, actor=request.user, lines=form.lines())
        except DomainError:
            request.session[receipt_draft_key(ret)] = typed  # the page shows what was typed again
            raise
        received = sum((line["quantity"] for line in form.lines()), Decimal("0"))
        messages.success(
            request,
            ngettext("%(number)s was received (%(quantity)s item).", "%(number)s was received (%(quantity)s items).", int(received) or 1)
            % {"number": ret.number, "quantity": trim_decimal(received, 0)},
        )
