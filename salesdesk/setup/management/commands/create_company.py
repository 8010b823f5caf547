from django.core.management.base import BaseCommand, CommandError

from salesdesk.core.errors import DomainError
from salesdesk.setup.services import company_setup_with_admin


class Command(BaseCommand):
    help = "Create a company with its defaults and an administrator (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--country", default="ES")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)

    def handle(self, *args, **opts):
        try:
            company = company_setup_with_admin(
                code=opts["code"],
                name=opts["name"],
                base_currency=opts["currency"],
                country=opts["country"],
                admin_username=opts["admin_username"],
                admin_password=opts["admin_password"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details}") from exc
        self.stdout.write(self.style.SUCCESS(f"Company {company.code} created."))
