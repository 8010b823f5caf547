"""The trial balance page (and its CSV export)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from salesdesk.core import export
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.ledger import selectors


class TrialBalanceView(CompanyRequiredMixin, View):
    permission = "ledger.view_account"

    def get(self, request):
        tb = selectors.trial_balance(request.company)
        if request.GET.get("export") == "csv":
            headers = [_("Code"), _("Account"), _("Kind"), pgettext("accounting", "Debit"), pgettext("accounting", "Credit"), _("Balance")]
            rows = [[r.account.code, r.account.name, r.account.get_kind_display(), r.debit, r.credit, r.balance] for r in tb.rows]
            rows.append(["", _("Total"), "", tb.total_debit, tb.total_credit, tb.total_debit - tb.total_credit])
            return export.csv_response("trial-balance", headers, rows)
        return render(request, "ledger/trial_balance.html", {"tb": tb})
