"""Quotation and order actions (send, accept, confirm, amend, ...), the PDF, and the two small
endpoints behind keyboard line entry: product search and the live totals preview."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.catalog import selectors as catalog_selectors
from salesdesk.catalog import visibility
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import error_message
from salesdesk.sales import selectors, services
from salesdesk.sales.errors import CreditLimitExceeded, CustomerBlocked, NotAllowedToRelease, PriceApprovalRequired
from salesdesk.sales.models import Contract, Quotation, SalesOrder
from salesdesk.sales.web import credit
from salesdesk.sales.web import forms as sales_forms
from salesdesk.sales.web.lines import apply_line_errors, preview_context


def _detail(kind: str, obj) -> str:
    return reverse(f"sales:{kind}-detail", args=[obj.pk])


def _quotation(request, pk) -> Quotation:
    return get_object_or_404(selectors.quotations_visible(request.company, request.membership), pk=pk)


def _order(request, pk) -> SalesOrder:
    return get_object_or_404(selectors.orders_visible(request.company, request.membership), pk=pk)


def _contract(request, pk) -> Contract:
    return get_object_or_404(selectors.contracts_visible(request.company, request.membership), pk=pk)


def _reason(request) -> str:
    form = sales_forms.ReasonForm(request.POST)
    return form.cleaned_data["reason"].strip() if form.is_valid() else ""


class ActionView(CompanyRequiredMixin, View):
    """POST `<pk>/<action>/`: one service call, a flash message, back to the document."""

    kind = ""
    actions: dict[str, str] = {}  # action -> permission

    def required_permission(self, request):
        perm = self.actions.get(self.kwargs["action"])
        if perm is None:
            raise Http404
        return perm

    def get(self, request, *args, **kwargs):
        return redirect(reverse(f"sales:{self.kind}-detail", args=[kwargs["pk"]]))

    def post(self, request, pk, action):
        document = self.load(request, pk)
        try:
            target = getattr(self, f"do_{action}")(request, document)
        except PriceApprovalRequired as exc:
            self.approval_required(request, exc)
            target = _detail(self.kind, document)
        except DomainError as exc:
            messages.error(request, error_message(exc))
            target = _detail(self.kind, document)
        return redirect(target)

    def approval_required(self, request, exc):
        messages.warning(request, exc.message)


class QuotationActionView(ActionView):
    kind = "quotation"
    actions = {
        "send": "sales.change_quotation",
        "accept": "sales.change_quotation",
        "reject": "sales.change_quotation",
        "cancel": "sales.change_quotation",
        "revise": "sales.change_quotation",
        "convert": "sales.add_salesorder",
    }

    def load(self, request, pk):
        return _quotation(request, pk)

    def do_send(self, request, q):
        form = sales_forms.SendForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a valid email address."))
            return _detail("quotation", q)
        q = services.quotation_send(quotation=q, actor=request.user, to=form.cleaned_data["to"] or None)
        messages.success(request, _("Quotation %(number)s was sent to %(to)s.") % {"number": q, "to": q.sent_to or q.customer.email})
        return _detail("quotation", q)

    def do_accept(self, request, q):
        services.quotation_accept(quotation=q, actor=request.user)
        messages.success(request, _("Quotation %(number)s was accepted.") % {"number": q})
        return _detail("quotation", q)

    def do_reject(self, request, q):
        reason = _reason(request)
        if not reason:
            messages.error(request, _("Give the reason the customer rejected it."))
            return _detail("quotation", q)
        services.quotation_reject(quotation=q, actor=request.user, reason=reason)
        messages.success(request, _("Quotation %(number)s was rejected.") % {"number": q})
        return _detail("quotation", q)

    def do_cancel(self, request, q):
        services.quotation_cancel(quotation=q, actor=request.user, reason=_reason(request))
        messages.success(request, _("Quotation %(number)s was cancelled.") % {"number": q})
        return _detail("quotation", q)

    def do_revise(self, request, q):
        new = services.quotation_revise(quotation=q, actor=request.user)
        messages.success(
            request, _("Revision %(revision)s of %(number)s is a new draft.") % {"revision": new.revision, "number": new.number}
        )
        return _detail("quotation", new)

    def do_convert(self, request, q):
        order = services.quotation_convert(quotation=q, actor=request.user, membership=request.membership)
        messages.success(request, _("Quotation %(number)s became a sales order.") % {"number": q})
        return _detail("order", order)


class OrderActionView(ActionView):
    kind = "order"
    actions = {"confirm": "sales.change_salesorder", "cancel": "sales.change_salesorder", "release": credit.RELEASE_PERM}

    def load(self, request, pk):
        return _order(request, pk)

    def do_confirm(self, request, order):
        try:
            order = services.order_confirm(order=order, actor=request.user, membership=request.membership)
        except (CreditLimitExceeded, CustomerBlocked) as exc:
            # The order waits in credit hold (or, for a blocked file, stays as it was): say why, with the figures.
            messages.warning(request, credit.refusal_message(exc, request.company.base_currency))
            return _detail("order", order)
        messages.success(request, _("Order %(number)s is confirmed.") % {"number": order.number})
        return _detail("order", order)

    def do_release(self, request, order):
        reason = _reason(request)
        if not reason:
            messages.error(request, _("Say why the order may go through despite its credit."))
            return _detail("order", order)
        try:
            order = services.order_release_credit(order=order, actor=request.user, membership=request.membership, reason=reason)
        except NotAllowedToRelease as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, _("Order %(number)s was released and is confirmed.") % {"number": order.number})
        return _detail("order", order)

    def do_cancel(self, request, order):
        services.order_cancel(order=order, actor=request.user, reason=_reason(request))
        messages.success(request, _("The order was cancelled."))
        return _detail("order", order)

    def approval_required(self, request, exc):
        messages.warning(
            request,
            _(
                "Some prices are below what you may give without approval. The order now waits for a manager's approval; see the lines below."
            ),
        )


class ContractActionView(ActionView):
    kind = "contract"
    actions = {"activate": "sales.change_contract", "cancel": "sales.change_contract"}

    def load(self, request, pk):
        return _contract(request, pk)

    def do_activate(self, request, contract):
        services.contract_activate(contract=contract, actor=request.user)
        messages.success(request, _("Contract %(number)s is active.") % {"number": contract.number})
        return _detail("contract", contract)

    def do_cancel(self, request, contract):
        services.contract_cancel(contract=contract, actor=request.user)
        messages.success(request, _("Contract %(number)s was cancelled.") % {"number": contract.number})
        return _detail("contract", contract)


class AmendView(CompanyRequiredMixin, View):
    """A confirmed order: change undelivered lines or add lines, with a reason (a numbered revision)."""

    permission = "sales.change_salesorder"

    def build(self, order, data=None):
        initial = sales_forms.line_initial(order, keep_prices=True) if data is None else None
        return sales_forms.AmendLineFormSet(data, prefix="lines", initial=initial, company=self.request.company)

    def render_page(self, order, formset, reason="", status=200):
        return render(
            self.request,
            "sales/order_amend.html",
            {"object": order, "formset": formset, "reason": reason, "url_kind": "order", "cancel_url": _detail("order", order)},
            status=status,
        )

    def load(self, request, pk):
        order = _order(request, pk)
        if order.status != SalesOrder.Status.CONFIRMED:
            messages.error(request, _("Only confirmed orders can be amended."))
            return None, order
        return order, order

    def get(self, request, pk):
        order, found = self.load(request, pk)
        if order is None:
            return redirect(_detail("order", found))
        return self.render_page(order, self.build(order))

    def post(self, request, pk):
        order, found = self.load(request, pk)
        if order is None:
            return redirect(_detail("order", found))
        formset = self.build(order, request.POST)
        reason = request.POST.get("reason", "").strip()[:1000]
        if formset.is_valid():
            if not reason:
                messages.error(request, _("Say why the order is amended."))
                return self.render_page(order, formset, reason, status=400)
            try:
                services.order_amend(
                    order=order, actor=request.user, membership=request.membership, lines=formset.lines(keep_ids=True), reason=reason
                )
            except DomainError as exc:
                # What did not find a line of its own (or a refusal of the whole amendment) is said above the table.
                leftover = apply_line_errors(exc, formset)
                if leftover is not None:
                    messages.error(request, error_message(leftover))
                return self.render_page(order, formset, reason, status=409 if exc.status == 409 else 400)
            else:
                messages.success(request, _("The order was amended."))
                return redirect(_detail("order", order))
        messages.error(request, _("Please correct the errors below."))
        return self.render_page(order, formset, reason, status=400)


_PDF_LOADERS = {"quotation": _quotation, "order": _order, "contract": _contract}
_PDF_PERMS = {"quotation": "sales.view_quotation", "order": "sales.view_salesorder", "contract": "sales.view_contract"}


class PdfView(CompanyRequiredMixin, View):
    kind = ""

    def required_permission(self, request):
        return _PDF_PERMS[self.kind]

    def get(self, request, pk):
        from salesdesk.sales import documents

        document = _PDF_LOADERS[self.kind](request, pk)
        response = HttpResponse(documents.render_pdf(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{documents.pdf_filename(document)}"'
        return response


class ProductSearchView(CompanyRequiredMixin, View):
    """`?q=` → the company's active products whose SKU or name contains it (for line entry)."""

    permission = "catalog.view_product"
    limit = 12

    def get(self, request):
        from django.db.models import Q

        q = request.GET.get("q", "").strip()[:100]
        qs = catalog_selectors.products(request.company).filter(active=True)
        if q:
            qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
        # Prices only for members who read sales documents (the warehouse sees none, as on product pages).
        priced = "list_price" not in visibility.hidden_product_fields(request.membership)
        rows = [
            {
                "id": p.pk,
                "sku": p.sku,
                "name": p.name,
                "label": f"{p.sku} · {p.name}",
                **({"list_price": str(p.list_price)} if priced else {}),
                "unit": p.unit.code if p.unit_id else "",
            }
            for p in qs.order_by("sku")[: self.limit]
        ]
        return JsonResponse({"results": rows})


class PreviewView(CompanyRequiredMixin, View):
    """Live totals of the line entry form: the lines priced as the services would, and the totals."""

    def required_permission(self, request):
        return "sales.view_quotation" if self.kwargs.get("kind") == "quotation" else "sales.view_salesorder"

    def post(self, request, kind="quotation"):
        return render(request, "sales/_preview.html", preview_context(request))
