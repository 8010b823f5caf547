"""Signing in, company and language switches, the organization pages and the audit log."""

from django.urls import reverse

from salesdesk.accounts.models import Membership, Region, SalesTeam, User
from salesdesk.accounts.tenancy import SESSION_KEY


def test_pages_need_a_signed_in_user(client, company):
    response = client.get(reverse("customers:customer-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_login_lands_on_home_with_roles_and_copies_the_user_language(client, users):
    user = users["sales"]
    user.language = "es"
    user.save(update_fields=["language"])
    response = client.post(reverse("login"), {"username": "sales", "password": "sales-pw-1234"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.session["_language"] == "es"
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert page["Content-Language"] == "es"
    assert b'lang="es"' in page.content


def test_wrong_password_shows_an_error(client, users):
    page = client.post(reverse("login"), {"username": "sales", "password": "nope"})
    assert page.status_code == 200 and b'id="login-error"' in page.content


def test_home_shows_my_customers_count_for_a_salesperson(web_as, customer_of):
    customer_of("sales", code="C001")
    customer_of("sales3", code="C002")
    page = web_as("sales").get(reverse("home"))
    assert b"My customers" in page.content
    assert page.context["cards"][0]["value"] == 1
    assert b"Salesperson" in page.content


def test_user_without_company_sees_a_clear_page(client, db):
    lonely = User.objects.create_user(username="lonely", password="lonely-pw-1234")
    client.force_login(lonely)
    page = client.get(reverse("home"))
    assert b'id="no-company"' in page.content and b"belong to any company" in page.content
    assert client.get(reverse("customers:customer-list")).status_code == 403


def test_language_switch_stores_choice_in_session_and_user(web_as, users):
    client = web_as("sales")
    response = client.post(reverse("accounts:set-language"), {"language": "zh-hans", "next": reverse("home")})
    assert response.status_code == 302
    assert client.session["_language"] == "zh-hans"
    users["sales"].refresh_from_db()
    assert users["sales"].language == "zh-hans"
    assert b'lang="zh-hans"' in client.get(reverse("home")).content


def test_language_switch_refuses_unknown_language(web_as):
    assert web_as("sales").post(reverse("accounts:set-language"), {"language": "xx"}).status_code == 400


def test_company_switch_only_to_own_companies(web_as, users, other_company):
    from salesdesk.accounts import services

    client = web_as("admin")
    client.post(reverse("accounts:switch-company"), {"company": "OTHER"})
    assert client.session.get(SESSION_KEY) is None
    services.membership_set(company=other_company, actor=None, user=users["admin"], roles=["administrator"])
    client.post(reverse("accounts:switch-company"), {"company": "OTHER"})
    assert client.session[SESSION_KEY] == "OTHER"
    assert b"Other Company Ltd" in client.get(reverse("home")).content


def test_navigation_follows_the_role(web_as):
    sales_page = web_as("sales").get(reverse("home"))
    assert reverse("customers:customer-list").encode() in sales_page.content
    assert reverse("accounts:audit-list").encode() not in sales_page.content


def test_user_list_search(web_as):
    page = web_as("admin").get(reverse("accounts:user-list"), {"q": "sales3"})
    assert page.status_code == 200
    assert [row["obj"].user.username for row in page.context["rows"]] == ["sales3"]


def test_admin_creates_a_user_with_roles(web_as, company, org):
    data = {
        "username": "newbie",
        "full_name": "New Bie",
        "email": "newbie@example.com",
        "password": "a-long-secret-42",
        "roles": ["salesperson"],
        "team": org["teams"]["North"].pk,
    }
    response = web_as("admin").post(reverse("accounts:user-create"), data)
    assert response.status_code == 302
    membership = Membership.objects.get(company=company, user__username="newbie")
    assert membership.role_names == {"salesperson"} and membership.team == org["teams"]["North"]


def test_create_user_with_taken_username_shows_error_on_field(web_as):
    page = web_as("admin").post(reverse("accounts:user-create"), {"username": "sales", "password": "a-long-secret-42"})
    assert page.status_code == 400 and b'id="error-username"' in page.content


def test_admin_edits_roles_of_a_user(web_as, users, company):
    membership = Membership.objects.get(company=company, user=users["sales3"])
    response = web_as("admin").post(
        reverse("accounts:user-update", args=[membership.pk]),
        {"full_name": "Sales Three", "roles": ["salesperson", "accountant"], "is_active": "on"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(pk=membership.pk)
    assert membership.role_names == {"salesperson", "accountant"}


def test_salesperson_may_not_create_users(web_as):
    assert web_as("sales").post(reverse("accounts:user-create"), {"username": "x"}).status_code == 403


def test_regions_show_as_a_tree_and_can_be_created(web_as, company, org):
    client = web_as("admin")
    client.post(reverse("accounts:region-create"), {"name": "Coast", "parent": org["regions"]["North"].pk})
    assert Region.objects.get(company=company, name="Coast").parent == org["regions"]["North"]
    page = client.get(reverse("accounts:region-list"))
    assert b"bi-arrow-return-right" in page.content


def test_region_in_use_cannot_be_deleted(web_as, org):
    region = org["regions"]["North"]
    page = web_as("admin").post(reverse("accounts:region-delete", args=[region.pk]), follow=True)
    assert Region.objects.filter(pk=region.pk).exists()
    assert b"cannot be deleted" in page.content


def test_team_members_are_set_from_the_form(web_as, users, org):
    team = org["teams"]["South"]
    response = web_as("admin").post(
        reverse("accounts:team-update", args=[team.pk]), {"name": "South", "manager": users["manager"].pk, "members": [users["sales2"].pk]}
    )
    assert response.status_code == 302
    assert SalesTeam.objects.get(pk=team.pk).manager == users["manager"]
    assert Membership.objects.get(user=users["sales2"], company=team.company).team == team


def test_team_form_refuses_member_ids_no_key_can_hold_and_saves_nothing(web_as, company, org):
    client = web_as("admin")
    client.raise_request_exception = False
    for huge in ("99999999999999999999", "-99999999999999999999"):
        page = client.post(reverse("accounts:team-create"), {"name": "T", "members": huge})
        assert page.status_code == 400
        assert page.context["form"].errors["members"]
    assert not SalesTeam.objects.filter(company=company, name="T").exists()


def test_audit_log_lists_changes_and_filters_by_actor(web_as, users, customer_of):
    customer_of("sales", code="C001", name="Audited Co")
    client = web_as("admin")
    page = client.get(reverse("accounts:audit-list"), {"q": "Audited"})
    assert page.status_code == 200 and b"Audited Co" in page.content
    page = client.get(reverse("accounts:audit-list"), {"actor": users["sales"].pk, "q": "Audited"})
    assert b"Audited Co" not in page.content


def test_audit_log_is_forbidden_to_salespeople(web_as):
    assert web_as("sales").get(reverse("accounts:audit-list")).status_code == 403


def test_audit_log_is_forbidden_to_sales_managers_who_see_only_their_team(web_as, customer_of):
    # The log lists every customer's changes; the North manager cannot open a South customer.
    hidden = customer_of("sales3", "S-AUD", name="Audited South Customer")
    client = web_as("manager")
    assert client.get(reverse("customers:customer-detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("accounts:audit-list"), {"q": "Audited South"}).status_code == 403
    assert reverse("accounts:audit-list") not in client.get(reverse("home")).content.decode()
    # The company-wide roles still read it.
    for reader in ("admin", "accountant"):
        page = web_as(reader).get(reverse("accounts:audit-list"), {"q": "Audited South"})
        assert page.status_code == 200 and "Audited South Customer" in page.content.decode()
