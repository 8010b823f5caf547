"""People and the sales organization through the API: users, regions, sales teams."""

import pytest

from salesdesk.accounts import roles
from salesdesk.accounts.models import Membership, Region, SalesTeam
from salesdesk.accounts.services import membership_set, user_create
from salesdesk.core.models import AuditEntry


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- users --------------------------------------------------------------------------------


def test_users_are_listed_with_their_roles_team_region_and_manager_in_this_company(admin_api, org, users):
    rows = {u["username"]: u for u in results(admin_api.get("/api/v1/users/"))}

    assert list(rows) == ["accountant", "admin", "manager", "sales", "sales2", "sales3", "warehouse"]
    sales = rows["sales"]
    assert sales == {
        "id": users["sales"].pk,
        "username": "sales",
        "full_name": "Sales",
        "email": "",
        "roles": ["salesperson"],
        "team": org["teams"]["North"].pk,
        "region": org["regions"]["North"].pk,
        "manager": users["manager"].pk,
    }
    assert rows["manager"]["roles"] == ["sales_manager"]
    assert rows["admin"]["team"] is None and rows["admin"]["manager"] is None


def test_users_of_another_company_are_not_listed(admin_api, other_company, users):
    user_create(company=other_company, actor=None, username="stranger", roles=[roles.ADMINISTRATOR])
    assert "stranger" not in {u["username"] for u in results(admin_api.get("/api/v1/users/"))}
    stranger_id = Membership.objects.get(company=other_company).user_id
    assert admin_api.get(f"/api/v1/users/{stranger_id}/").status_code == 404


def test_a_user_in_two_companies_shows_the_roles_of_the_company_acted_in(admin_api, api_as, users, other_company):
    membership_set(company=other_company, actor=None, user=users["sales"], roles=[roles.ACCOUNTANT])
    membership_set(company=other_company, actor=None, user=users["admin"], roles=[roles.ADMINISTRATOR])
    here = admin_api.get(f"/api/v1/users/{users['sales'].pk}/").json()
    there = admin_api.get(f"/api/v1/users/{users['sales'].pk}/", HTTP_X_COMPANY="OTHER").json()
    assert here["roles"] == ["salesperson"]
    assert (there["roles"], there["team"], there["manager"]) == (["accountant"], None, None)


def test_users_can_be_filtered_by_role(admin_api):
    assert [u["username"] for u in results(admin_api.get("/api/v1/users/?role=salesperson"))] == ["sales", "sales2", "sales3"]
    assert [u["username"] for u in results(admin_api.get("/api/v1/users/?role=accountant"))] == ["accountant"]


def test_an_unknown_role_filter_is_a_400(admin_api):
    response = admin_api.get("/api/v1/users/?role=pilot")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_users_can_be_searched(admin_api, users):
    users["sales2"].email = "bea@example.com"
    users["sales2"].save()
    assert [u["username"] for u in results(admin_api.get("/api/v1/users/?search=sales"))] == ["sales", "sales2", "sales3"]
    assert [u["username"] for u in results(admin_api.get("/api/v1/users/?search=bea@"))] == ["sales2"]


def test_users_are_read_only_through_the_api(admin_api, users):
    assert admin_api.post("/api/v1/users/", {"username": "x"}, format="json").status_code == 405
    assert admin_api.patch(f"/api/v1/users/{users['sales'].pk}/", {"full_name": "X"}, format="json").status_code == 405


def test_the_users_list_costs_the_same_number_of_queries_however_many_users(admin_api, company, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert len(results(admin_api.get("/api/v1/users/"))) == 7
    for i in range(20):
        user_create(company=company, actor=None, username=f"extra{i:02d}", roles=[roles.SALESPERSON, roles.ACCOUNTANT])
    with django_assert_max_num_queries(8):
        assert len(results(admin_api.get("/api/v1/users/?page_size=50"))) == 27
    with django_assert_max_num_queries(8):
        assert admin_api.get(f"/api/v1/users/{company_users_first(company)}/").status_code == 200


def company_users_first(company):
    return Membership.objects.filter(company=company).order_by("-id").values_list("user_id", flat=True).first()


def test_the_sales_team_list_costs_a_fixed_number_of_queries(admin_api, org, users, django_assert_max_num_queries):
    from salesdesk.accounts.services import team_save

    with django_assert_max_num_queries(7):
        assert len(results(admin_api.get("/api/v1/sales-teams/"))) == 2
    for i in range(20):
        team_save(company=org["company"], actor=None, name=f"Team {i:02d}", members=[users["sales3"]] if i == 0 else [])
    with django_assert_max_num_queries(7):
        assert len(results(admin_api.get("/api/v1/sales-teams/?page_size=50"))) == 22


# --- regions ------------------------------------------------------------------------------


def test_regions_form_a_tree(admin_api, org):
    north = org["regions"]["North"]
    created = admin_api.post("/api/v1/regions/", {"name": "North-East", "parent": north.pk}, format="json")
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "name": "North-East", "parent": north.pk}

    children = results(admin_api.get(f"/api/v1/regions/?parent={north.pk}"))
    assert [r["name"] for r in children] == ["North-East"]


def test_a_region_cannot_be_its_own_parent(admin_api, org):
    north = org["regions"]["North"]
    response = admin_api.patch(f"/api/v1/regions/{north.pk}/", {"parent": north.pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["details"]
    assert Region.objects.get(pk=north.pk).parent is None


def test_a_region_cannot_sit_below_its_own_descendant(admin_api, org):
    north = org["regions"]["North"]
    east = admin_api.post("/api/v1/regions/", {"name": "North-East", "parent": north.pk}, format="json").json()
    coast = admin_api.post("/api/v1/regions/", {"name": "Coast", "parent": east["id"]}, format="json").json()

    response = admin_api.patch(f"/api/v1/regions/{north.pk}/", {"parent": coast["id"]}, format="json")

    assert response.status_code == 400
    assert "parent" in response.json()["details"]
    assert Region.objects.get(pk=north.pk).parent is None


def test_a_region_can_move_under_a_sibling(admin_api, org):
    north, south = org["regions"]["North"], org["regions"]["South"]
    response = admin_api.patch(f"/api/v1/regions/{south.pk}/", {"parent": north.pk}, format="json")
    assert response.status_code == 200
    assert Region.objects.get(pk=south.pk).parent == north


def test_a_duplicate_region_name_is_refused_on_the_name_field(admin_api, org):
    response = admin_api.post("/api/v1/regions/", {"name": "North"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["name"]


def test_a_region_in_use_cannot_be_deleted(admin_api, org):
    north = org["regions"]["North"]
    response = admin_api.delete(f"/api/v1/regions/{north.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "protected"
    assert Region.objects.filter(pk=north.pk).exists()


def test_a_salesperson_may_read_but_not_change_regions(api_as, org):
    client = api_as("sales")
    assert client.get("/api/v1/regions/").status_code == 200
    assert client.post("/api/v1/regions/", {"name": "West"}, format="json").status_code == 403


# --- sales teams --------------------------------------------------------------------------


def test_a_sales_team_is_created_with_its_manager_members_and_region(admin_api, org, users):
    body = {"name": "West", "manager": users["manager"].pk, "members": [users["sales3"].pk], "region": org["regions"]["South"].pk}
    response = admin_api.post("/api/v1/sales-teams/", body, format="json")

    assert response.status_code == 201, response.content
    team = response.json()
    assert team == {"id": team["id"], **body}
    assert Membership.objects.get(company=org["company"], user=users["sales3"]).team_id == team["id"]
    assert AuditEntry.objects.filter(object_id=team["id"], action="create", field="name", after="West").exists()


def test_replacing_a_teams_members_removes_the_others(admin_api, org, users):
    north = org["teams"]["North"]
    response = admin_api.patch(f"/api/v1/sales-teams/{north.pk}/", {"members": [users["sales"].pk, users["sales3"].pk]}, format="json")

    assert response.status_code == 200
    assert response.json()["members"] == sorted([users["sales"].pk, users["sales3"].pk])
    team_of = dict(Membership.objects.filter(company=org["company"]).values_list("user__username", "team__name"))
    assert (team_of["sales"], team_of["sales2"], team_of["sales3"]) == ("North", None, "North")


def test_patching_a_team_without_members_keeps_them(admin_api, org, users):
    north = org["teams"]["North"]
    response = admin_api.patch(f"/api/v1/sales-teams/{north.pk}/", {"name": "North Coast"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "North Coast"
    assert set(response.json()["members"]) == {users["manager"].pk, users["sales"].pk, users["sales2"].pk}


def test_team_members_must_belong_to_the_company(admin_api, org, other_company):
    stranger = user_create(company=other_company, actor=None, username="stranger", roles=[roles.SALESPERSON])
    north = org["teams"]["North"]
    response = admin_api.patch(f"/api/v1/sales-teams/{north.pk}/", {"members": [stranger.pk]}, format="json")

    assert response.status_code == 400
    assert "members" in response.json()["details"]
    assert not Membership.objects.filter(company=org["company"], team=north, user=stranger).exists()
    assert SalesTeam.objects.get(pk=north.pk).memberships.count() == 3


def test_a_team_manager_must_belong_to_the_company(admin_api, org, other_company):
    stranger = user_create(company=other_company, actor=None, username="stranger", roles=[roles.SALES_MANAGER])
    response = admin_api.post("/api/v1/sales-teams/", {"name": "West", "manager": stranger.pk}, format="json")
    assert response.status_code == 400
    assert "manager" in response.json()["details"]
    assert not SalesTeam.objects.filter(name="West").exists()


@pytest.mark.parametrize("username", ["sales", "manager", "warehouse"])
def test_only_administrators_change_teams(api_as, org, username):
    north = org["teams"]["North"]
    assert api_as(username).patch(f"/api/v1/sales-teams/{north.pk}/", {"name": "X"}, format="json").status_code == 403
