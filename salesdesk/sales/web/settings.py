"""The sales settings page: authority bands below the floor and quotation validity."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import CompanyModelForm, apply_error
from salesdesk.sales import selectors, services
from salesdesk.sales.models import SalesSettings


class SalesSettingsForm(CompanyModelForm):
    class Meta:
        model = SalesSettings
        fields = ["salesperson_band_percent", "manager_band_percent", "quotation_validity_days", "default_warehouse", "block_without_stock"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_warehouse"].queryset = self.fields["default_warehouse"].queryset.filter(active=True).order_by("code")
        self.fields["block_without_stock"].help_text = _(
            "Confirming an order needs its goods in stock (else the rest waits as a backorder)."
        )


class SalesSettingsView(CompanyRequiredMixin, View):
    permission = "sales.view_salessettings"
    write_permission = "sales.change_salessettings"

    def _render(self, request, form):
        can_change = request.membership.has_perm(self.write_permission)
        if not can_change:
            for field in form.fields.values():
                field.disabled = True
        return render(request, "sales/settings.html", {"form": form, "can_change": can_change})

    def get(self, request):
        return self._render(
            request, SalesSettingsForm(instance=selectors.sales_settings(request.company), company=request.company, request=request)
        )

    def post(self, request):
        form = SalesSettingsForm(request.POST, instance=selectors.sales_settings(request.company), company=request.company, request=request)
        if form.is_valid():
            try:
                services.sales_settings_update(company=request.company, actor=request.user, values=form.cleaned_data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Sales settings saved."))
                return redirect("sales:settings")
        return self._render(request, form)
