"""Forms of customer files: customers, contacts, groups and payment terms."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.models import User
from salesdesk.accounts.selectors import salespeople, visible_salesperson_ids
from salesdesk.core.web.forms import CompanyForm, CompanyModelForm, company_formset
from salesdesk.customers.models import Customer, CustomerContact, CustomerGroup, PaymentTerm


class CustomerForm(CompanyModelForm):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "legal_name",
            "tax_id",
            "group",
            "region",
            "salesperson",
            "currency",
            "payment_term",
            "price_list",
            "credit_limit",
            "overdue_block_days",
            "email",
            "phone",
            "billing_address",
            "country",
            "shipping_address",
            "invoice_policy",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = salespeople(self.company)
        allowed = visible_salesperson_ids(self.request.membership) if self.request is not None else None
        if allowed is not None:
            people = people.filter(pk__in=allowed)
            self.fields["salesperson"].help_text = _("Empty means yourself.")
        current = self.instance.salesperson_id if self.instance.pk else None
        if current is not None:
            # The owner stays on offer after leaving the company or the sales roles: saving the
            # form as shown must not hand their customer to nobody.
            people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current))
        self.fields["salesperson"].queryset = people.order_by("username")
        self.fields["country"].help_text = _("ISO 3166 code of the billing address, e.g. FR. Empty means the company's country.")


class ContactForm(CompanyModelForm):
    class Meta:
        model = CustomerContact
        fields = ["name", "job_title", "email", "phone", "is_primary"]


class GroupForm(CompanyModelForm):
    class Meta:
        model = CustomerGroup
        fields = ["name", "price_list"]


class PaymentTermForm(CompanyModelForm):
    class Meta:
        model = PaymentTerm
        fields = ["name"]


class InstalmentForm(CompanyForm):
    # An instalment is a real part of the total: at least 0.0001 %.
    percent = forms.DecimalField(label=_("percent"), max_digits=7, decimal_places=4, min_value=Decimal("0.0001"), max_value=100)
    days = forms.IntegerField(label=_("days after invoice"), min_value=0, max_value=3650)


InstalmentFormSet = company_formset(InstalmentForm, extra=1)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Customer.Status.choices)
    reason = forms.CharField(required=False, max_length=500)
