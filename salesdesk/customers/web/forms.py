"""Forms of customer files: customers, contacts, groups and payment terms."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
            "shipping_address",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = salespeople(self.company).order_by("username")
        allowed = visible_salesperson_ids(self.request.membership) if self.request is not None else None
        if allowed is not None:
            people = people.filter(pk__in=allowed)
            self.fields["salesperson"].help_text = _("Empty means yourself.")
        self.fields["salesperson"].queryset = people


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
    percent = forms.DecimalField(label=_("percent"), max_digits=7, decimal_places=4, min_value=0, max_value=100)
    days = forms.IntegerField(label=_("days after invoice"), min_value=0, max_value=3650)


InstalmentFormSet = company_formset(InstalmentForm, extra=1)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Customer.Status.choices)
    reason = forms.CharField(required=False, max_length=500)
