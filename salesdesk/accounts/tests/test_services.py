"""Users, memberships, record scopes and the sales organization, at the service level."""

import pytest
from django.contrib.auth import authenticate

from salesdesk.accounts import roles, selectors, services
from salesdesk.accounts.models import Membership, User
from salesdesk.core.audit import history
from salesdesk.core.errors import Invalid


def membership(users, name, company):
    return Membership.objects.get(company=company, user=users[name])


def test_a_new_user_belongs_to_the_company_with_their_roles_and_can_sign_in(company):
    user = services.user_create(company=company, actor=None, username="ana", password="s3cret-pw", roles=[roles.ACCOUNTANT])
    assert user.default_company == company
    m = Membership.objects.get(company=company, user=user)
    assert m.role_names == {"accountant"}
    assert m.has_perm("catalog.add_tax")
    assert not m.has_perm("catalog.add_product")
    assert authenticate(username="ana", password="s3cret-pw") == user


def test_a_user_without_a_password_cannot_sign_in(company):
    user = services.user_create(company=company, actor=None, username="robot", roles=[])
    assert not user.has_usable_password()


def test_a_taken_username_is_refused(company, other_company):
    services.user_create(company=company, actor=None, username="ana", roles=[])
    with pytest.raises(Invalid) as refused:
        services.user_create(company=other_company, actor=None, username="ana", roles=[])
    assert list(refused.value.details) == ["username"]
    assert User.objects.filter(username="ana").count() == 1


def test_an_unknown_role_is_refused_and_no_user_is_left_behind(company):
    with pytest.raises(Invalid) as refused:
        services.user_create(company=company, actor=None, username="ana", roles=["pilot"])
    assert "roles" in refused.value.details
    assert not User.objects.filter(username="ana").exists()


def test_a_membership_cannot_use_another_companys_team(org, users, other_company):
    with pytest.raises(Invalid) as refused:
        services.membership_set(company=other_company, actor=None, user=users["sales"], roles=[], team=org["teams"]["North"])
    assert list(refused.value.details) == ["team"]
    assert not Membership.objects.filter(company=other_company, user=users["sales"]).exists()


def test_nobody_reports_to_themselves(org, users, company):
    with pytest.raises(Invalid) as refused:
        services.membership_set(company=company, actor=None, user=users["sales"], roles=[roles.SALESPERSON], manager=users["sales"])
    assert list(refused.value.details) == ["manager"]
    assert membership(users, "sales", company).manager == users["manager"]


def test_changing_a_membership_replaces_the_roles_and_audits_the_change(org, users, company):
    admin = users["admin"]
    m = services.membership_set(
        company=company, actor=admin, user=users["sales"], roles=[roles.SALES_MANAGER], team=org["teams"]["South"], region=None
    )
    m = Membership.objects.get(pk=m.pk)
    assert m.role_names == {"sales_manager"}
    changes = {r.field: (r.before, r.after) for r in history(m).filter(action="update")}
    assert changes["team"] == ("North", "South")
    assert changes["region"] == ("North", "")
    assert changes["manager"] == ("Manager", "")


def test_the_same_person_has_different_roles_in_each_company(users, company, other_company):
    services.membership_set(company=other_company, actor=None, user=users["sales"], roles=[roles.ADMINISTRATOR])
    assert not membership(users, "sales", company).has_perm("catalog.add_product")
    assert Membership.objects.get(company=other_company, user=users["sales"]).has_perm("catalog.add_product")


def test_an_inactive_membership_grants_nothing(users, company):
    # (Not the administrator: the company's only one cannot be deactivated.)
    m = services.membership_set(company=company, actor=None, user=users["accountant"], roles=[roles.ACCOUNTANT], is_active=False)
    assert not Membership.objects.get(pk=m.pk).has_perm("catalog.view_product")
    assert users["accountant"] not in selectors.company_users(company)


# --- record scopes ------------------------------------------------------------------------


def test_a_salesperson_sees_only_their_own_records(users, company):
    assert selectors.visible_salesperson_ids(membership(users, "sales", company)) == {users["sales"].pk}


def test_a_manager_sees_their_team_and_themselves_but_not_other_teams(users, company):
    ids = selectors.visible_salesperson_ids(membership(users, "manager", company))
    assert ids == {users["manager"].pk, users["sales"].pk, users["sales2"].pk}
    assert users["sales3"].pk not in ids


def test_a_manager_also_sees_whoever_reports_to_them(org, users, company):
    services.membership_set(company=company, actor=None, user=users["sales3"], roles=[roles.SALESPERSON], manager=users["manager"])
    assert users["sales3"].pk in selectors.visible_salesperson_ids(membership(users, "manager", company))


@pytest.mark.parametrize("name", ["admin", "accountant", "warehouse"])
def test_company_wide_roles_see_everything(users, company, name):
    assert selectors.visible_salesperson_ids(membership(users, name, company)) is None


def test_salespeople_are_those_who_sell(users, company):
    assert {u.username for u in selectors.salespeople(company)} == {"manager", "sales", "sales2", "sales3"}


# --- regions and teams --------------------------------------------------------------------


def test_the_region_tree_lists_children_below_their_parent(org, company):
    east = services.region_create(company=company, actor=None, name="East", parent=org["regions"]["North"])
    services.region_create(company=company, actor=None, name="Coast", parent=east)
    tree = [(depth, r.name) for depth, r in selectors.region_tree(company)]
    assert tree == [(0, "North"), (1, "East"), (2, "Coast"), (0, "South")]


def test_a_region_cannot_move_below_itself(org, company):
    north = org["regions"]["North"]
    east = services.region_create(company=company, actor=None, name="East", parent=north)
    with pytest.raises(Invalid):
        services.region_update(region=north, actor=None, parent=east)
    with pytest.raises(Invalid):
        services.region_update(region=north, actor=None, parent=north)
    north.refresh_from_db()
    assert north.parent is None


def test_team_save_makes_members_exactly_the_given_users(org, users, company):
    north = org["teams"]["North"]
    services.team_save(company=company, actor=None, team=north, members=[users["sales2"]], name="North")
    assert [u.username for u in selectors.team_members(north)] == ["sales2"]


def test_team_save_refuses_members_of_another_company_and_changes_nothing(org, users, company, other_company):
    stranger = services.user_create(company=other_company, actor=None, username="stranger", roles=[])
    north = org["teams"]["North"]
    with pytest.raises(Invalid) as refused:
        services.team_save(company=company, actor=None, team=north, members=[users["sales"], stranger], name="Renamed")
    assert "members" in refused.value.details
    north.refresh_from_db()
    assert north.name == "North"
    assert [u.username for u in selectors.team_members(north)] == ["manager", "sales", "sales2"]


def test_moving_people_between_teams_is_audited_on_their_memberships(org, users, company):
    north = org["teams"]["North"]
    services.team_save(company=company, actor=users["admin"], team=north, members=[users["sales"], users["sales3"]], name="North")

    def team_changes(name):
        m = membership(users, name, company)
        return [(r.before, r.after, r.actor) for r in history(m).filter(action="update", field="team", actor=users["admin"])]

    admin = users["admin"]
    assert team_changes("sales3") == [("South", "North", admin)]
    assert team_changes("sales2") == [("North", "", admin)]
    assert team_changes("manager") == [("North", "", admin)]
    assert team_changes("sales") == []


def test_roles_and_permissions_are_read_together_in_one_query(company, django_assert_num_queries):
    from django.contrib.auth.models import Group

    from salesdesk.accounts.models import MembershipRole

    user = services.user_create(company=company, actor=None, username="ana", roles=[roles.ACCOUNTANT, roles.SALESPERSON])
    m = Membership.objects.get(company=company, user=user)
    auditor, _ = Group.objects.get_or_create(name="auditor")  # a role that grants no permission
    MembershipRole.objects.create(company=company, membership=m, group=auditor)
    m = Membership.objects.get(pk=m.pk)
    with django_assert_num_queries(1):  # what every API request asks: a permission, then the record scope
        assert m.has_perm("catalog.add_tax")  # the accountant's
        assert m.has_perm("sales.add_quotation")  # the salesperson's
        assert not m.has_perm("catalog.add_product")  # neither's
        assert m.role_names == {"accountant", "salesperson", "auditor"}
    nobody = services.user_create(company=company, actor=None, username="bo", roles=[])
    bare = Membership.objects.get(company=company, user=nobody)
    assert bare.role_names == set() and bare.permission_set == set()
