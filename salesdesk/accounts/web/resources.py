"""Pages of the sales organization: regions, teams, users, and the company's audit log."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles, selectors
from salesdesk.accounts import services as account_services
from salesdesk.accounts.models import Membership, Region, SalesTeam
from salesdesk.accounts.web.forms import RegionForm, TeamForm, UserCreateForm, UserEditForm
from salesdesk.core.models import AuditEntry
from salesdesk.core.web.resource import Column, Filter, Resource, yes_no


def _regions(request):
    return [(r.pk, f"{'— ' * depth}{r.name}") for depth, r in selectors.region_tree(request.company)]


def _teams(request):
    return [(t.pk, t.name) for t in SalesTeam.objects.filter(company=request.company)]


def _users(request):
    return [(u.pk, str(u)) for u in selectors.company_users(request.company).order_by("username")]


class RegionResource(Resource):
    def create(self, request, values, lines=None):
        return account_services.region_create(company=request.company, actor=request.user, **values)

    def update(self, request, obj, values, lines=None):
        return account_services.region_update(region=obj, actor=request.user, **values)

    def delete(self, request, obj):
        account_services.delete(instance=obj, actor=request.user)

    def detail_context(self, request, obj):
        return {"children": obj.children.all(), "teams": obj.teams.all()}


regions = RegionResource(
    model=Region,
    url_base="accounts:region",
    route="regions",
    columns=[Column("name", _("name"), sort="name", link=True), Column("parent", _("parent"), sort="parent__name")],
    search_fields=("name",),
    form_class=RegionForm,
    tree=selectors.region_tree,
    icon="globe-europe-africa",
)


class TeamResource(Resource):
    def queryset(self, request):
        return super().queryset(request).select_related("region", "manager")

    def _save(self, request, team, values):
        members = values.pop("members", None)
        return account_services.team_save(company=request.company, actor=request.user, team=team, members=members, **values)

    def create(self, request, values, lines=None):
        return self._save(request, None, values)

    def update(self, request, obj, values, lines=None):
        return self._save(request, obj, values)

    def delete(self, request, obj):
        account_services.delete(instance=obj, actor=request.user)

    def detail_rows(self, obj):
        rows = super().detail_rows(obj)
        return [*rows, (_("members"), ", ".join(str(u) for u in selectors.team_members(obj)))]


teams = TeamResource(
    model=SalesTeam,
    url_base="accounts:team",
    route="teams",
    columns=[
        Column("name", _("name"), sort="name", link=True),
        Column("region", _("region"), sort="region__name"),
        Column("manager", _("manager"), sort="manager__username"),
        Column("members", _("members"), accessor=lambda t: t.memberships.count(), numeric=True),
    ],
    search_fields=("name", "manager__username", "manager__full_name"),
    filters=[Filter("region", _("region"), "region_id", _regions)],
    form_class=TeamForm,
    icon="people",
)


def _role_labels(m: Membership) -> str:
    return ", ".join(str(roles.LABELS.get(n, n)) for n in sorted(m.role_names))


class UserResource(Resource):
    def queryset(self, request):
        return selectors.company_memberships(request.company)

    def label(self, obj):
        return str(obj.user)

    def create(self, request, values, lines=None):
        user = account_services.user_create(company=request.company, actor=request.user, **values)
        return Membership.objects.get(company=request.company, user=user)

    def update(self, request, obj, values, lines=None):
        account_services.user_update(company=request.company, actor=request.user, user=obj.user, **values)
        return Membership.objects.get(pk=obj.pk)

    def detail_rows(self, obj):
        user = obj.user
        return [
            (_("username"), user.username),
            (_("full name"), user.full_name),
            (_("email"), user.email),
            (_("language"), user.language),
            (_("roles"), _role_labels(obj)),
            (_("team"), obj.team),
            (_("region"), obj.region),
            (_("reports to"), obj.manager),
            (_("active"), obj.is_active),
            (_("last login"), user.last_login),
        ]


users = UserResource(
    model=Membership,
    url_base="accounts:user",
    route="users",
    title=_("user"),
    title_plural=_("users"),
    columns=[
        Column("username", _("username"), accessor="user.username", sort="user__username", link=True),
        Column("full_name", _("full name"), accessor="user.full_name", sort="user__full_name"),
        Column("email", _("email"), accessor="user.email"),
        Column("roles", _("roles"), accessor=_role_labels),
        Column("team", _("team"), sort="team__name"),
        Column("region", _("region"), sort="region__name"),
        Column("manager", _("reports to"), sort="manager__username"),
        Column("is_active", _("active")),
    ],
    search_fields=("user__username", "user__full_name", "user__email"),
    filters=[
        Filter("role", _("role"), "roles__name", lambda r: list(roles.LABELS.items())),
        Filter("team", _("team"), "team_id", _teams),
        Filter("region", _("region"), "region_id", _regions),
        Filter("active", _("active"), "is_active", yes_no),
    ],
    form_class=UserEditForm,
    create_form_class=UserCreateForm,
    deletable=False,
    icon="person-badge",
)


def _audit_models(request):
    ids = AuditEntry.objects.filter(company=request.company).values_list("content_type_id", flat=True).distinct()
    return sorted(
        ((ct.pk, str(ct.model_class()._meta.verbose_name).capitalize()) for ct in ContentType.objects.filter(pk__in=ids)),
        key=lambda x: x[1],
    )


class AuditResource(Resource):
    def queryset(self, request):
        return AuditEntry.objects.filter(company=request.company).select_related("actor", "content_type")


audit_log = AuditResource(
    model=AuditEntry,
    url_base="accounts:audit",
    route="audit",
    columns=[
        Column("at", _("when"), sort="at", link=True),
        Column("actor", _("who"), sort="actor__username"),
        Column("action", _("action"), sort="action"),
        Column(
            "model",
            _("record type"),
            accessor=lambda e: e.content_type.model_class()._meta.verbose_name if e.content_type.model_class() else e.content_type.model,
        ),
        Column("object_repr", _("record"), sort="object_repr"),
        Column("field", _("field"), sort="field"),
        Column("before", _("before")),
        Column("after", _("after")),
    ],
    search_fields=("object_repr", "field", "before", "after"),
    filters=[
        Filter("model", _("record type"), "content_type_id", _audit_models),
        Filter("actor", _("who"), "actor_id", _users),
        Filter("action", _("action"), "action", lambda r: list(AuditEntry.Action.choices)),
        Filter("from", _("from"), "at__date__gte", kind="date_from"),
        Filter("to", _("to"), "at__date__lte", kind="date_to"),
    ],
    default_sort="-at",
    deletable=False,
    show_history=False,
    title=_("audit entry"),
    title_plural=_("audit log"),
    icon="journal-text",
)
