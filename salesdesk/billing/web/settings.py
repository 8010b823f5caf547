"""The billing settings page: invoicing policy, deposits, dunning levels, and the company's legal details.

Those with `billing.change_billingsettings` change the billing settings; the company's legal
details (seller on invoices and e-invoices) need `accounts.change_company` (administrators).
Everyone else who may view billing sees the page read-only.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.accounts import services as account_services
from salesdesk.billing import services
from salesdesk.billing.models import BillingSettings
from salesdesk.billing.web.forms import BillingSettingsForm, CompanyDetailsForm
from salesdesk.core.errors import DomainError, Invalid
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import apply_error

SETTINGS_PERM = "billing.change_billingsettings"
COMPANY_PERM = "accounts.change_company"


def _settings(company) -> BillingSettings:
    # Unsaved defaults until someone changes them (the services create the row on first change).
    return BillingSettings.objects.filter(company=company).first() or BillingSettings(company=company)


class BillingSettingsView(CompanyRequiredMixin, View):
    permission = "billing.view_billingsettings"

    def required_permission(self, request):
        if request.method == "POST" and not (request.membership.has_perm(SETTINGS_PERM) or request.membership.has_perm(COMPANY_PERM)):
            return SETTINGS_PERM
        return self.permission

    def forms(self, request, data=None):
        company = request.company
        settings_form = BillingSettingsForm(data, instance=_settings(company), company=company, request=request, prefix="settings")
        company_form = CompanyDetailsForm(data, instance=type(company).objects.get(pk=company.pk), prefix="company")
        can = {"settings": request.membership.has_perm(SETTINGS_PERM), "company": request.membership.has_perm(COMPANY_PERM)}
        for form, key in ((settings_form, "settings"), (company_form, "company")):
            if not can[key]:
                for field in form.fields.values():
                    field.disabled = True
        return settings_form, company_form, can

    def render_page(self, request, settings_form, company_form, can, status=200):
        context = {
            "settings_form": settings_form,
            "company_form": company_form,
            "can": can,
            "can_change": can["settings"] or can["company"],
        }
        return render(request, "billing/settings.html", context, status=status)

    def get(self, request):
        return self.render_page(request, *self.forms(request))

    def post(self, request):
        settings_form, company_form, can = self.forms(request, request.POST)
        valid = (settings_form.is_valid() or not can["settings"]) & (company_form.is_valid() or not can["company"])
        if valid:
            try:
                with transaction.atomic():  # both parts are saved, or neither
                    if can["settings"]:
                        services.billing_settings_update(company=request.company, actor=request.user, values=settings_form.values())
                    if can["company"]:
                        account_services.company_update(company=request.company, actor=request.user, values=company_form.cleaned_data)
            except DomainError as exc:
                about_company = isinstance(exc, Invalid) and bool(set(exc.details) & set(company_form.fields))
                apply_error(company_form if about_company or not can["settings"] else settings_form, exc)
            else:
                messages.success(request, _("Billing settings saved."))
                return redirect("billing:settings")
        messages.error(request, _("Please correct the errors below."))
        return self.render_page(request, settings_form, company_form, can, status=400)
