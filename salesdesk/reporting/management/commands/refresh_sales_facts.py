"""`manage.py refresh_sales_facts [--company CODE] [--rebuild]`: bring the sales facts up to date (for a schedule)."""

from django.core.management.base import BaseCommand, CommandError

from salesdesk.accounts.models import Company
from salesdesk.reporting import services


class Command(BaseCommand):
    help = "Read the document events written since the last refresh into the sales facts and rollups."

    def add_arguments(self, parser):
        parser.add_argument("--company", help="Only this company (its code).")
        parser.add_argument("--rebuild", action="store_true", help="Forget the facts and write them again from the documents.")

    def handle(self, *args, company=None, rebuild=False, **options):
        companies = Company.objects.order_by("code")
        if company:
            companies = companies.filter(code=company)
            if not companies.exists():
                raise CommandError(f"No company {company}.")
        for each in companies:
            if rebuild:
                added = services.rebuild(company=each, progress=lambda line, code=each.code: self.stdout.write(f"{code}: {line}"))
            else:
                added = services.refresh(company=each)
            self.stdout.write(f"{each.code}: {added} facts added")
