"""`manage.py generate_data --scale S`: a generated company with two years of history, for the benchmarks."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from salesdesk.setup.generate import GenerateError, generate


class Command(BaseCommand):
    help = "Generate company BENCH: 1,000 customers, 1,000 products and 100,000 order lines of history per unit of scale."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 order lines; 10 and 100 multiply it.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed and scale give the same data.")
        parser.add_argument("--company", default="BENCH", help="Code of the generated company.")

    def handle(self, *args, **opts):
        # Generated data is for measuring, never for a production database.
        if not settings.SALESDESK_DEMO_ALLOWED:
            raise CommandError("Generated data is not loaded with production settings.")
        if not 0 < opts["scale"] <= 1000:
            raise CommandError("--scale must be more than 0 and at most 1000.")
        try:
            result = generate(scale=opts["scale"], seed=opts["seed"], company_code=opts["company"], progress=self.stdout.write)
        except GenerateError as error:
            raise CommandError(str(error)) from error
        if result.reused:
            self.stdout.write(f"Company {opts['company']} is already generated at this scale; nothing to do.")
            return
        for table, rows in sorted(result.counts.items()):
            self.stdout.write(f"  {table}: {rows:,} rows")
        self.stdout.write(self.style.SUCCESS(f"Generated in {result.seconds:.1f} s."))
