"""`manage.py load_demo`: the demo company for `make run`, loaded only into an empty database."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from salesdesk.setup import demo


class Command(BaseCommand):
    help = "Load the demo company DEMO (users with password = username) when the database has no company yet."

    def handle(self, *args, **opts):
        # Demo users have their username as password: never in production.
        if not settings.SALESDESK_DEMO_ALLOWED:
            raise CommandError("The demo data is not loaded with production settings.")
        if not demo.demo_needed():
            self.stdout.write("Demo data already present; nothing loaded.")
            return
        started = time.monotonic()
        loaded = demo.load_demo()
        for line in demo.summary(loaded):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s."))
