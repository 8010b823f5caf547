"""Forms of the sales organization and users."""

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import Region, SalesTeam
from salesdesk.accounts.selectors import company_users, team_members
from salesdesk.core.web.forms import CompanyForm, CompanyModelForm

ROLE_CHOICES = [(name, label) for name, label in roles.LABELS.items()]
LANGUAGE_CHOICES = [("", _("Browser default")), *settings.LANGUAGES]


class RegionForm(CompanyModelForm):
    class Meta:
        model = Region
        fields = ["name", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk=self.instance.pk)


# The largest key a database id column holds (64-bit).
_LARGEST_ID = 2**63 - 1


class MemberChoiceField(forms.ModelMultipleChoiceField):
    """Users by id; an id no key can hold is an invalid choice, not a database error."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: the usual "not a valid value" below
            if not -_LARGEST_ID - 1 <= number <= _LARGEST_ID:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


class TeamForm(CompanyModelForm):
    members = MemberChoiceField(label=_("members"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8}))

    class Meta:
        model = SalesTeam
        fields = ["name", "region", "manager"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = company_users(self.company).order_by("username")
        self.fields["manager"].queryset = users
        self.fields["members"].queryset = users
        if self.instance.pk and not self.is_bound:
            self.initial["members"] = list(team_members(self.instance))


class _MembershipFields(CompanyForm):
    full_name = forms.CharField(label=_("full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    language = forms.ChoiceField(label=_("language"), choices=LANGUAGE_CHOICES, required=False)
    roles = forms.MultipleChoiceField(label=_("roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    team = forms.ModelChoiceField(label=_("team"), queryset=SalesTeam.objects.all(), required=False)
    region = forms.ModelChoiceField(label=_("region"), queryset=Region.objects.all(), required=False)
    manager = forms.ModelChoiceField(label=_("reports to"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = company_users(self.company).order_by("username")


class UserCreateForm(_MembershipFields):
    username = forms.CharField(label=_("username"), max_length=150)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput(render_value=False), strip=False)
    field_order = ["username", "full_name", "email", "password", "language", "roles", "team", "region", "manager"]

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            try:
                validate_password(password)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class UserEditForm(_MembershipFields):
    is_active = forms.BooleanField(label=_("active in this company"), required=False)

    def load(self, membership):
        user = membership.user
        self.initial.update(
            full_name=user.full_name,
            email=user.email,
            language=user.language,
            roles=sorted(membership.role_names),
            team=membership.team,
            region=membership.region,
            manager=membership.manager,
            is_active=membership.is_active,
        )
