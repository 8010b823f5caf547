"""A company always keeps an active administrator: the last one cannot lose the role or be
deactivated, on the web or through the service."""

import pytest
from django.urls import reverse

from salesdesk.accounts import roles, services
from salesdesk.accounts.models import Membership
from salesdesk.core.audit import history
from salesdesk.core.errors import Invalid


def _admin(company, users) -> Membership:
    return Membership.objects.get(company=company, user=users["admin"])


def test_the_last_administrator_cannot_drop_their_role_on_the_web(web_as, users, company):
    m = _admin(company, users)
    page = web_as("admin").post(
        reverse("accounts:user-update", args=[m.pk]), {"full_name": "Boss", "roles": ["salesperson"], "is_active": "on"}
    )
    assert page.status_code == 400
    assert page.context["form"].errors["roles"]
    assert Membership.objects.get(pk=m.pk).role_names == {"administrator"}
    users["admin"].refresh_from_db()
    assert users["admin"].full_name == "Admin"  # nothing of the refused change was saved


def test_the_last_administrator_cannot_deactivate_themselves_on_the_web(web_as, users, company):
    m = _admin(company, users)
    page = web_as("admin").post(reverse("accounts:user-update", args=[m.pk]), {"full_name": "Admin", "roles": ["administrator"]})
    assert page.status_code == 400
    assert page.context["form"].errors["is_active"]
    assert Membership.objects.get(pk=m.pk).is_active
    assert not history(m).filter(action="update").exists()


@pytest.mark.parametrize(
    ("role_names", "is_active", "field"), [([roles.ACCOUNTANT], True, "roles"), ([roles.ADMINISTRATOR], False, "is_active")]
)
def test_the_service_refuses_to_leave_a_company_without_an_active_administrator(users, company, role_names, is_active, field):
    with pytest.raises(Invalid) as refused:
        services.membership_set(company=company, actor=None, user=users["admin"], roles=role_names, is_active=is_active)
    assert list(refused.value.details) == [field]
    m = _admin(company, users)
    assert m.is_active and m.role_names == {"administrator"}


def test_with_a_second_administrator_the_first_may_step_down(users, company):
    services.membership_set(company=company, actor=None, user=users["accountant"], roles=[roles.ACCOUNTANT, roles.ADMINISTRATOR])
    services.membership_set(company=company, actor=None, user=users["admin"], roles=[roles.SALESPERSON])
    assert _admin(company, users).role_names == {"salesperson"}
    # Now the accountant is the only one left.
    with pytest.raises(Invalid):
        services.membership_set(company=company, actor=None, user=users["accountant"], roles=[roles.ADMINISTRATOR], is_active=False)


def test_an_inactive_administrator_does_not_count(users, company):
    services.membership_set(company=company, actor=None, user=users["accountant"], roles=[roles.ADMINISTRATOR])
    services.membership_set(company=company, actor=None, user=users["accountant"], roles=[roles.ADMINISTRATOR], is_active=False)
    with pytest.raises(Invalid):
        services.membership_set(company=company, actor=None, user=users["admin"], roles=[roles.SALESPERSON])


def test_other_members_change_freely(users, company):
    services.membership_set(company=company, actor=None, user=users["sales3"], roles=[roles.SALESPERSON], is_active=False)
    assert not Membership.objects.get(company=company, user=users["sales3"]).is_active
