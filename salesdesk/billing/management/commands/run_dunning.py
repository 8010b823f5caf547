"""`manage.py run_dunning`: run daily (cron or a systemd timer) to remind customers of overdue invoices.

Each company's overdue invoices are raised to the dunning level they deserve and the
customers get one letter each, emailed when they have an address. Running it twice the same
day sends nothing new.
"""

from django.core.management.base import BaseCommand

from salesdesk.accounts.models import Company
from salesdesk.billing import services


class Command(BaseCommand):
    help = "Make and email dunning letters for overdue invoices (every company)."

    def add_arguments(self, parser):
        parser.add_argument("--no-send", action="store_true", help="Make the letters without emailing them.")

    def handle(self, *args, **opts):
        letters = 0
        for company in Company.objects.order_by("code"):
            letters += len(services.dunning_run(company=company, actor=None, send=not opts["no_send"]))
        self.stdout.write(f"Made {letters} dunning letter(s).")
