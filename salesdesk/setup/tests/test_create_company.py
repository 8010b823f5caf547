"""`manage.py create_company`: a company and its first administrator, all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from salesdesk.accounts.models import Company, Membership, User
from salesdesk.catalog.models import Currency, Unit


def test_create_company_makes_the_company_and_its_administrator(db):
    call_command("create_company", "NEWCO", "New Co", "--admin-username", "boss", "--admin-password", "S3cure-pass-word!")
    company = Company.objects.get(code="NEWCO")
    m = Membership.objects.get(company=company, user__username="boss")
    assert m.is_active and m.role_names == {"administrator"}
    assert Unit.objects.filter(company=company, code="pc").exists()


def test_a_taken_admin_username_leaves_no_company_behind(db, company, users):
    with pytest.raises(CommandError, match="taken"):
        call_command("create_company", "NEWCO", "New Co", "--admin-username", "admin", "--admin-password", "S3cure-pass-word!")
    assert not Company.objects.filter(code="NEWCO").exists()
    assert not Currency.objects.filter(company__code="NEWCO").exists()
    assert not Unit.objects.filter(company__code="NEWCO").exists()
    assert User.objects.filter(username="admin").count() == 1


def test_a_taken_company_code_is_refused(db, company):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_company", "ACME", "Again", "--admin-username", "boss", "--admin-password", "S3cure-pass-word!")
    assert not User.objects.filter(username="boss").exists()
