"""Setting up a company across the apps: the company itself and the defaults every app needs."""

from django.db import transaction

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from salesdesk.accounts.models import Company
from salesdesk.catalog import services as catalog_services
from salesdesk.ledger import services as ledger_services


@transaction.atomic
def company_setup(*, code: str, name: str, base_currency: str = "EUR", country: str = "ES", actor=None) -> Company:
    """A new company ready to sell: standard units (pc, kg, h), its base currency and the standard chart of accounts."""
    company = accounts_services.company_create(code=code, name=name, base_currency=base_currency, country=country)
    catalog_services.company_defaults(company=company, actor=actor)
    ledger_services.chart_setup(company)
    return company


@transaction.atomic
def company_setup_with_admin(
    *, code: str, name: str, admin_username: str, admin_password: str, base_currency: str = "EUR", country: str = "ES"
) -> Company:
    """A new company and its first administrator, all or nothing: a refused administrator
    (a username already taken) leaves no company behind without one."""
    company = company_setup(code=code, name=name, base_currency=base_currency, country=country)
    accounts_services.user_create(
        company=company, actor=None, username=admin_username, password=admin_password, roles=[roles.ADMINISTRATOR]
    )
    return company
