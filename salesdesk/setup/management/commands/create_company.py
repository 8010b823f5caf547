from django.core.management.base import BaseCommand, CommandError

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from salesdesk.core.errors import DomainError
from salesdesk.setup.services import company_setup


class Command(BaseCommand):
    help = "Create a company with its defaults and an administrator."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--country", default="ES")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)

    def handle(self, *args, **opts):
        try:
            company = company_setup(code=opts["code"], name=opts["name"], base_currency=opts["currency"], country=opts["country"])
            accounts_services.user_create(
                company=company, actor=None, username=opts["admin_username"], password=opts["admin_password"], roles=[roles.ADMINISTRATOR]
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details}") from exc
        self.stdout.write(self.style.SUCCESS(f"Company {company.code} created."))
