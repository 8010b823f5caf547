"""Price approvals: the managers' queue with approve/reject, and the price overrides report."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import error_message
from salesdesk.core.web.home import home_card
from salesdesk.sales import selectors, services
from salesdesk.sales.errors import NotAllowedToApprove
from salesdesk.sales.models import PriceApproval
from salesdesk.sales.web.forms import ReasonForm

HISTORY_SIZE = 50


def _with_lines(qs):
    return qs.select_related("order__salesperson", "order__currency").prefetch_related("lines__product")


class ApprovalListView(CompanyRequiredMixin, View):
    """Pending requests (with buttons for those this member may decide) and the decided ones."""

    permission = "sales.view_priceapproval"

    def get(self, request):
        company, m = request.company, request.membership
        visible = selectors.approvals_visible(company, m)
        decidable = set(selectors.approvals_pending_for(company, m).values_list("pk", flat=True))
        pending = list(_with_lines(visible.filter(status=PriceApproval.Status.PENDING)).order_by("requested_at", "id"))
        for approval in pending:
            approval.can_decide = approval.pk in decidable
        history = list(_with_lines(visible.exclude(status=PriceApproval.Status.PENDING)).order_by("-decided_at", "-id")[:HISTORY_SIZE])
        return render(request, "sales/approval_list.html", {"pending": pending, "history": history})


class ApprovalDecideView(CompanyRequiredMixin, View):
    """POST approve or reject with a reason; someone who may not decide gets a 403."""

    permission = "sales.view_priceapproval"

    def post(self, request, pk, decision):
        approval = get_object_or_404(selectors.approvals_visible(request.company, request.membership), pk=pk)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
        if decision == "reject" and not reason:
            messages.error(request, _("Give a reason for refusing the price."))
            return redirect("sales:approval-list")
        try:
            if decision == "approve":
                services.approval_approve(approval=approval, actor=request.user, membership=request.membership, reason=reason)
                messages.success(
                    request, _("The prices of order %(order)s are approved. It can now be confirmed.") % {"order": approval.order}
                )
            else:
                services.approval_reject(approval=approval, actor=request.user, membership=request.membership, reason=reason)
                messages.success(request, _("The prices of order %(order)s were refused; it is back in draft.") % {"order": approval.order})
        except NotAllowedToApprove as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, error_message(exc))
        return redirect(request.POST.get("next") if _safe_next(request) else reverse("sales:approval-list"))


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())


class OverridesReportView(CompanyRequiredMixin, View):
    """Per salesperson and month: lines sold below the floor with approval, and the money given away."""

    permission = "sales.view_priceapproval"

    def get(self, request):
        this_year = timezone.localdate().year
        raw = request.GET.get("year", "")
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else this_year
        rows = selectors.price_overrides_report(request.company, request.membership, year=year)
        people = sorted({str(r["salesperson"] or _("nobody")) for r in rows})
        months = sorted({r["month"] for r in rows})
        chart = {
            "labels": [m.strftime("%Y-%m") for m in months],
            "datasets": [
                {
                    "label": person,
                    "data": [
                        str(sum((r["given_away"] for r in rows if r["month"] == m and str(r["salesperson"] or _("nobody")) == person), 0))
                        for m in months
                    ],
                }
                for person in people
            ],
        }
        total_lines = sum(r["lines"] for r in rows)
        total_given = sum((r["given_away"] for r in rows), 0)
        return render(
            request,
            "sales/overrides_report.html",
            {
                "rows": rows,
                "year": year,
                "years": list(range(this_year, this_year - 5, -1)),
                "chart": chart,
                "total_lines": total_lines,
                "total_given": total_given,
            },
        )


@home_card(order=30)
def approvals_card(request):
    m = request.membership
    if not m.has_perm("sales.change_priceapproval"):
        return None
    count = selectors.approvals_pending_for(request.company, m).count()
    return {
        "title": gettext_lazy("Prices waiting for approval"),
        "value": count,
        "icon": "shield-check",
        "url": reverse("sales:approval-list"),
        "hint": "",
    }
