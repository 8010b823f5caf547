"""Writes about companies, users, memberships and the sales organization."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from salesdesk.accounts import roles as role_names
from salesdesk.accounts.models import Company, Membership, Region, SalesTeam, User
from salesdesk.core import audit
from salesdesk.core.errors import Invalid


@transaction.atomic
def company_create(*, code: str, name: str, base_currency: str = "EUR", country: str = "ES") -> Company:
    if Company.objects.filter(code=code).exists():
        raise Invalid({"code": ["A company with this code already exists."]})
    return Company.objects.create(code=code, name=name, base_currency=base_currency.upper(), country=country.upper())


def _groups(names: Iterable[str]) -> list[Group]:
    names = list(names)
    unknown = set(names) - set(role_names.ALL)
    if unknown:
        raise Invalid({"roles": [f"Unknown role: {n}" for n in sorted(unknown)]})
    return [Group.objects.get_or_create(name=n)[0] for n in names]


@transaction.atomic
def user_create(
    *,
    company: Company,
    actor,
    username: str,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    roles: Iterable[str] = (),
    team: SalesTeam | None = None,
    region: Region | None = None,
    manager: User | None = None,
    language: str = "",
) -> User:
    """Create a user who belongs to `company` with the given roles (their default company)."""
    if User.objects.filter(username=username).exists():
        raise Invalid({"username": ["This username is taken."]})
    user = User(username=username, full_name=full_name, email=email, default_company=company, language=language)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    membership_set(company=company, actor=actor, user=user, roles=roles, team=team, region=region, manager=manager)
    return user


@transaction.atomic
def membership_set(
    *,
    company: Company,
    actor,
    user: User,
    roles: Iterable[str],
    team: SalesTeam | None = None,
    region: Region | None = None,
    manager: User | None = None,
    is_active: bool = True,
) -> Membership:
    """Give `user` a place in `company` (or change it): roles, team, region, reporting line."""
    for label, obj in (("team", team), ("region", region)):
        if obj is not None and obj.company_id != company.pk:
            raise Invalid({label: ["Not found in this company."]})
    if manager is not None and manager.pk == user.pk:
        raise Invalid({"manager": ["A user cannot report to themselves."]})
    groups = _groups(roles)
    membership = Membership.objects.filter(company=company, user=user).first()
    if membership is not None:
        _keep_an_administrator(company=company, membership=membership, roles=[g.name for g in groups], is_active=is_active)
    values = {"team": team, "region": region, "manager": manager, "is_active": is_active}
    if membership is None:
        membership = audit.audited_create(model=Membership, company=company, actor=actor, values={"user": user, **values})
    else:
        membership = audit.audited_update(instance=membership, actor=actor, values=values)
    membership.roles.set(groups, through_defaults={"company": company})
    return membership


def _keep_an_administrator(*, company: Company, membership: Membership, roles: list[str], is_active: bool) -> None:
    """A company always keeps an active administrator: someone must be able to manage its
    users. Taking the role away from, or deactivating, the last one is refused."""
    stays = is_active and role_names.ADMINISTRATOR in roles
    if stays:
        return
    # Locked in id order, so that two administrators demoting each other at once cannot both pass.
    admins = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(company=company, is_active=True, roles__name=role_names.ADMINISTRATOR)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if membership.pk not in admins or len(admins) > 1:
        return
    if not is_active:
        raise Invalid({"is_active": ["This is the company's only active administrator: make someone else an administrator first."]})
    raise Invalid({"roles": ["This is the company's only active administrator: make someone else an administrator first."]})


@transaction.atomic
def user_update(*, company: Company, actor, user: User, full_name: str, email: str, language: str = "", **membership_fields) -> User:
    user.full_name, user.email, user.language = full_name, email, language
    user.save(update_fields=["full_name", "email", "language"])
    membership_set(company=company, actor=actor, user=user, **membership_fields)
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Remember the interface language a user chose."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise Invalid({"language": [f"Unknown language: {language}"]})
    user.language = language
    user.save(update_fields=["language"])
    return user


def region_create(*, company: Company, actor, name: str, parent: Region | None = None) -> Region:
    return audit.audited_create(model=Region, company=company, actor=actor, values={"name": name, "parent": parent})


def region_update(*, region: Region, actor, **values) -> Region:
    parent = values.get("parent", region.parent)
    node = parent
    while node is not None:
        if node.pk == region.pk:
            raise Invalid({"parent": ["A region cannot sit below itself."]})
        node = node.parent
    return audit.audited_update(instance=region, actor=actor, values=values)


@transaction.atomic
def team_save(*, company: Company, actor, team: SalesTeam | None = None, members: Iterable[User] | None = None, **values) -> SalesTeam:
    """Create or change a team; `members` (when given) becomes exactly the team's members."""
    manager = values.get("manager")
    if manager is not None and not Membership.objects.filter(company=company, user=manager).exists():
        raise Invalid({"manager": ["The manager must belong to this company."]})
    if team is None:
        team = audit.audited_create(model=SalesTeam, company=company, actor=actor, values=values)
    else:
        team = audit.audited_update(instance=team, actor=actor, values=values)
    if members is not None:
        members = list(members)
        missing = [u.username for u in members if not Membership.objects.filter(company=company, user=u).exists()]
        if missing:
            raise Invalid({"members": [f"Not a member of this company: {', '.join(missing)}"]})
        # One audited change per membership that moves, so the audit log shows who joined and left.
        for leaving in Membership.objects.filter(company=company, team=team).exclude(user__in=members):
            audit.audited_update(instance=leaving, actor=actor, values={"team": None})
        for joining in Membership.objects.filter(company=company, user__in=members).exclude(team=team):
            audit.audited_update(instance=joining, actor=actor, values={"team": team})
    return team


def delete(*, instance, actor) -> None:
    audit.audited_delete(instance=instance, actor=actor)


# The company's legal details: printed on invoices and carried as the seller in e-invoices.
COMPANY_DETAIL_FIELDS = ("legal_name", "tax_id", "street", "postal_code", "city", "email", "phone", "iban")


@transaction.atomic
def company_update(*, company: Company, actor, values: dict) -> Company:
    """Change the company's legal details, validated, with one audit row per changed field.

    `audit.audited_update` locks by `company_id`, which the company row itself does not have,
    so this does the same steps on the company row: lock, validate, save, audit."""
    from django.core.exceptions import ValidationError

    unknown = set(values) - set(COMPANY_DETAIL_FIELDS)
    if unknown:
        raise Invalid({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    locked = Company.objects.select_for_update().get(pk=company.pk)
    before = audit.snapshot(locked)
    for name, value in values.items():
        setattr(locked, name, "" if value is None else str(value).strip())
    if "iban" in values:
        locked.iban = locked.iban.replace(" ", "").upper()
    try:
        locked.full_clean(exclude=["code"], validate_unique=False)
    except ValidationError as exc:
        raise Invalid(exc.message_dict) from exc
    locked.save(update_fields=list(values))
    locked.company_id = locked.pk  # audit rows belong to the company they describe
    audit.record(instance=locked, actor=actor, action="update", before=before, after=audit.snapshot(locked))
    return locked
