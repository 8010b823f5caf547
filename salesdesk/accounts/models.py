"""Companies, users and their memberships, and the sales organization (regions and teams)."""

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.core.models import CompanyOwned
from salesdesk.core.prepared import Prepared


class Company(models.Model):
    """A tenant. Every business row belongs to exactly one company."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    base_currency = models.CharField(_("base currency"), max_length=3, default="EUR")
    country = models.CharField(_("country"), max_length=2, default="ES")
    # Legal details printed on invoices and carried in e-invoices (seller party).
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    tax_id = models.CharField(_("VAT number"), max_length=32, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CompanyUserManager(UserManager):
    def in_company(self, company):
        """Users with an active membership in `company`."""
        return self.filter(memberships__company=company, memberships__is_active=True).distinct()


class User(AbstractUser):
    objects = CompanyUserManager()

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    default_company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username


class Region(CompanyOwned):
    """A region or territory; regions form a tree."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent"))

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="region_name_unique")]

    def __str__(self) -> str:
        return self.name


class SalesTeam(CompanyOwned):
    """A team with a manager; its members are the memberships that point at it."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="teams", verbose_name=_("region"))
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_teams", verbose_name=_("manager")
    )

    class Meta:
        verbose_name = _("sales team")
        verbose_name_plural = _("sales teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="salesteam_name_unique")]

    def __str__(self) -> str:
        return self.name


class Membership(CompanyOwned):
    """A user's place in one company: roles, team, region and reporting line."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    roles = models.ManyToManyField(Group, through="MembershipRole", related_name="+", blank=True, verbose_name=_("roles"))
    team = models.ForeignKey(
        SalesTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships", verbose_name=_("team")
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("region"))
    manager = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reports to"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company_id}"

    @cached_property
    def _grants(self) -> tuple[set[str], set[str]]:
        """(role names, permissions as "app.codename") of the membership, read in one query.

        Every API request checks a permission and then the record scope (the roles), so both
        come from one read of the roles joined to their permissions."""
        rows = _GRANTS.all(self.pk)
        names: set[str] = set()
        perms: set[str] = set()
        for name, app, code in rows:
            names.add(name)
            if code is not None:
                perms.add(f"{app}.{code}")
        return names, perms

    @cached_property
    def role_names(self) -> set[str]:
        if "roles" in getattr(self, "_prefetched_objects_cache", {}):  # a list of members prefetches them
            return {g.name for g in self.roles.all()}
        return self._grants[0]

    @cached_property
    def permission_set(self) -> set[str]:
        return self._grants[1]

    def has_perm(self, perm: str) -> bool:
        return self.is_active and perm in self.permission_set

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names & set(names))

    @property
    def sees_whole_company(self) -> bool:
        return self.has_role(*roles.COMPANY_WIDE)


class MembershipRole(CompanyOwned):
    """One role held through a membership (its own table so that it carries the company)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "membership", "group"], name="membershiprole_unique")]


# Every API request reads them: composed once (core.prepared).
_GRANTS = Prepared(
    lambda membership: MembershipRole.objects.filter(membership_id=membership).values_list(
        "group__name", "group__permissions__content_type__app_label", "group__permissions__codename"
    ),
    int,
    rows="tuples",
)
