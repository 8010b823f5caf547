"""`manage.py expire_documents`: run daily (cron or a systemd timer), and by `make run` at start.

Sent quotations past their validity date become expired; active contracts past their end
date become expired. Each change is a logged status move.
"""

from django.core.management.base import BaseCommand

from salesdesk.accounts.models import Company
from salesdesk.sales import services


class Command(BaseCommand):
    help = "Expire sent quotations and active contracts whose validity has passed (every company)."

    def handle(self, *args, **opts):
        quotations = contracts = 0
        for company in Company.objects.order_by("code"):
            quotations += services.quotations_expire(company=company)
            contracts += services.contracts_expire(company=company)
        self.stdout.write(f"Expired {quotations} quotation(s) and {contracts} contract(s).")
