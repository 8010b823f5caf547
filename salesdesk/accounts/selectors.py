"""Reads about people and the sales organization, including record scopes."""

from django.db.models import Q, QuerySet

from salesdesk.accounts import roles
from salesdesk.accounts.models import Membership, Region, SalesTeam, User


def visible_salesperson_ids(membership: Membership) -> set[int] | None:
    """Whose records this member sees: None means the whole company.

    A salesperson sees their own; a sales manager sees their own and their teams' members'
    (and anyone who reports to them); company-wide roles see everything.
    """
    if membership.sees_whole_company:
        return None
    ids = {membership.user_id}
    if membership.has_role(roles.SALES_MANAGER):
        ids |= set(
            Membership.objects.filter(company_id=membership.company_id).filter(_managed(membership)).values_list("user_id", flat=True)
        )
    return ids


def visible_salespeople(membership: Membership) -> QuerySet | None:
    """`visible_salesperson_ids` as a subquery of user ids (None: the whole company).

    For reads of many rows by a range of another index: PostgreSQL (before 17) plans a long
    literal list of ids as a probe of the index per id and falls back to reading the whole
    table, where it joins a subquery's few rows by hash."""
    if membership.sees_whole_company:
        return None
    people = Q(user_id=membership.user_id)
    if membership.has_role(roles.SALES_MANAGER):
        people |= _managed(membership)
    return Membership.objects.filter(company_id=membership.company_id).filter(people).values("user_id")


def _managed(membership: Membership) -> Q:
    """The members of the teams the member manages, and those who report to them."""
    return Q(team__manager_id=membership.user_id) | Q(manager_id=membership.user_id)


def scope_by_salesperson(qs: QuerySet, membership: Membership, field: str = "salesperson") -> QuerySet:
    ids = visible_salesperson_ids(membership)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def company_users(company) -> QuerySet:
    return User.objects.filter(memberships__company=company, memberships__is_active=True).distinct()


def company_memberships(company) -> QuerySet:
    return (
        Membership.objects.filter(company=company)
        .select_related("user", "team", "region", "manager")
        .prefetch_related("roles")
        .order_by("user__username")
    )


def salespeople(company) -> QuerySet:
    return (
        company_users(company)
        .filter(memberships__company=company, memberships__roles__name__in=[roles.SALESPERSON, roles.SALES_MANAGER])
        .distinct()
    )


def region_tree(company) -> list[tuple[int, Region]]:
    """Regions in tree order with their depth, for indented pickers and pages."""
    regions = list(Region.objects.filter(company=company).order_by("name"))
    children: dict[int | None, list[Region]] = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region)
    out: list[tuple[int, Region]] = []

    def walk(parent_id, depth):
        for r in children.get(parent_id, []):
            out.append((depth, r))
            walk(r.pk, depth + 1)

    walk(None, 0)
    return out


def team_members(team: SalesTeam) -> QuerySet:
    return User.objects.filter(memberships__team=team).order_by("username")
