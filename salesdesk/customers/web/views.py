"""Customer actions beyond the generic pages: status changes, contacts, the home card."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from salesdesk.accounts.selectors import visible_salesperson_ids
from salesdesk.core import audit
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.forms import apply_error, error_message
from salesdesk.core.web.home import home_card
from salesdesk.customers import selectors
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer, CustomerContact
from salesdesk.customers.web.forms import ContactForm, StatusForm


def _customer(request, pk) -> Customer:
    """A customer in the member's record scope; anyone else's is a 404."""
    return get_object_or_404(selectors.customers_visible(request.company, request.membership), pk=pk)


def _detail(customer) -> str:
    return reverse("customers:customer-detail", args=[customer.pk])


class StatusView(CompanyRequiredMixin, View):
    permission = "customers.change_customer"

    def post(self, request, pk):
        customer = _customer(request, pk)
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a valid status."))
            return redirect(_detail(customer))
        status, reason = form.cleaned_data["status"], form.cleaned_data["reason"]
        if status == Customer.Status.BLOCKED and not reason:
            messages.error(request, _("Give a reason for blocking the customer."))
            return redirect(_detail(customer))
        try:
            customer_services.customer_set_status(customer=customer, actor=request.user, status=status, note=reason)
        except DomainError as exc:
            messages.error(request, error_message(exc))
        else:
            label = Customer.Status(status).label
            messages.success(request, _("%(customer)s is now %(status)s.") % {"customer": customer, "status": label})
        return redirect(_detail(customer))


class ContactView(CompanyRequiredMixin, View):
    """Add a contact (no `contact_pk`) or change one."""

    def required_permission(self, request):
        return "customers.change_customercontact" if self.kwargs.get("contact_pk") else "customers.add_customercontact"

    def objects(self, request, pk, contact_pk):
        customer = _customer(request, pk)
        contact = get_object_or_404(CustomerContact, company=request.company, customer=customer, pk=contact_pk) if contact_pk else None
        return customer, contact

    def render_form(self, request, customer, contact, form, status=200):
        return render(request, "customers/contact_form.html", {"customer": customer, "contact": contact, "form": form}, status=status)

    def get(self, request, pk, contact_pk=None):
        customer, contact = self.objects(request, pk, contact_pk)
        return self.render_form(request, customer, contact, ContactForm(instance=contact, company=request.company, request=request))

    def post(self, request, pk, contact_pk=None):
        customer, contact = self.objects(request, pk, contact_pk)
        form = ContactForm(request.POST, instance=contact, company=request.company, request=request)
        if form.is_valid():
            try:
                if contact is None:
                    customer_services.contact_create(customer=customer, actor=request.user, values=form.values())
                    messages.success(request, _("Contact added."))
                else:
                    fresh = CustomerContact.objects.get(pk=contact.pk, company=request.company)
                    audit.audited_update(instance=fresh, actor=request.user, values=form.values())
                    messages.success(request, _("Contact saved."))
                return redirect(_detail(customer) + "#contacts")
            except DomainError as exc:
                apply_error(form, exc)
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(request, customer, contact, form, status=400)


class ContactDeleteView(CompanyRequiredMixin, View):
    permission = "customers.delete_customercontact"

    def post(self, request, pk, contact_pk):
        customer = _customer(request, pk)
        contact = get_object_or_404(CustomerContact, company=request.company, customer=customer, pk=contact_pk)
        try:
            audit.audited_delete(instance=contact, actor=request.user)
        except DomainError as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Contact “%(name)s” was deleted.") % {"name": contact.name})
        return redirect(_detail(customer) + "#contacts")


@home_card(order=10)
def customers_card(request):
    m = request.membership
    if not m.has_perm("customers.view_customer"):
        return None
    visible = selectors.customers_visible(request.company, m)
    scope = visible_salesperson_ids(m)
    if scope is None:
        title = gettext_lazy("Customers")
    elif scope == {m.user_id}:
        title = gettext_lazy("My customers")
    else:
        title = gettext_lazy("My team's customers")
    blocked = visible.filter(status=Customer.Status.BLOCKED).count()
    return {
        "title": title,
        "value": visible.count(),
        "icon": "person-vcard",
        "url": reverse("customers:customer-list"),
        "hint": _("%(n)s blocked") % {"n": blocked} if blocked else "",
    }


@home_card(order=11)
def prospects_card(request):
    m = request.membership
    if not m.has_perm("customers.view_customer"):
        return None
    count = selectors.customers_visible(request.company, m).filter(status=Customer.Status.PROSPECT).count()
    return {
        "title": gettext_lazy("Prospects"),
        "value": count,
        "icon": "binoculars",
        "url": reverse("customers:customer-list") + "?status=prospect",
        "hint": "",
    }


status_view = require_POST(StatusView.as_view())
