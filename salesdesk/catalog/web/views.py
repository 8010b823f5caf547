"""Exchange rates on the currency page, and the catalog's home card."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from salesdesk.catalog import selectors
from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Currency, CurrencyRate
from salesdesk.catalog.web.forms import RateForm
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import error_message
from salesdesk.core.web.home import home_card


def _currency_url(currency) -> str:
    return reverse("catalog:currency-detail", args=[currency.pk]) + "#rates"


class RateCreateView(CompanyRequiredMixin, View):
    permission = "catalog.add_currencyrate"

    def post(self, request, pk):
        currency = get_object_or_404(Currency, company=request.company, pk=pk)
        form = RateForm(request.POST, company=request.company, request=request)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
            return redirect(_currency_url(currency))
        try:
            catalog_services.rate_create(company=request.company, actor=request.user, currency=currency, **form.values())
        except DomainError as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Exchange rate added."))
        return redirect(_currency_url(currency))


class RateDeleteView(CompanyRequiredMixin, View):
    permission = "catalog.delete_currencyrate"

    def post(self, request, pk, rate_pk):
        rate = get_object_or_404(CurrencyRate, company=request.company, currency_id=pk, pk=rate_pk)
        try:
            catalog_services.delete(instance=rate, actor=request.user)
        except DomainError as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Exchange rate deleted."))
        return redirect(_currency_url(rate.currency))


@home_card(order=20)
def products_card(request):
    if not request.membership.has_perm("catalog.view_product"):
        return None
    qs = selectors.products(request.company)
    inactive = qs.filter(active=False).count()
    return {
        "title": gettext_lazy("Products"),
        "value": qs.count() - inactive,
        "icon": "box-seam",
        "url": reverse("catalog:product-list") + "?active=1",
        "hint": _("%(n)s inactive") % {"n": inactive} if inactive else "",
    }


@home_card(order=21)
def price_lists_card(request):
    if not request.membership.has_perm("catalog.view_pricelist"):
        return None
    return {
        "title": gettext_lazy("Active price lists"),
        "value": selectors.price_lists(request.company).filter(active=True).count(),
        "icon": "tags",
        "url": reverse("catalog:pricelist-list") + "?active=1",
        "hint": "",
    }
