"""Generated companies for the benchmarks: `manage.py generate_data --scale S`.

Scale 1 is 1,000 customers, 1,000 products and 100,000 order lines (about 20,000 orders of
one to nine lines) over the last two years, with their deliveries, invoices, payments and
ledger entries; scale 10 and 100 multiply everything. The same scale and seed give the same
data (dates count back from today). See docs/benchmarks.md.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from salesdesk.accounts.models import Company
from salesdesk.setup.generate.history import SPAN_DAYS, History
from salesdesk.setup.generate.master import company_name, create_master, load_master, scaled

LINES_PER_SCALE = 100_000
BATCH_ORDERS = 1000


class GenerateError(Exception):
    """The company code is taken by something that is not the same generated company."""


@dataclass
class Result:
    company: Company
    seconds: float
    reused: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def generate(*, scale: float, seed: int = 1, company_code: str = "BENCH", progress: Callable[[str], None] | None = None) -> Result:
    """Create the generated company at `scale`, or reuse it when it already exists at that scale and seed."""
    started = time.perf_counter()
    existing = Company.objects.filter(code=company_code).first()
    if existing is not None:
        if existing.name != company_name(scale, seed):
            raise GenerateError(f"Company {company_code} exists and is not the generated company at scale {scale:g}, seed {seed}.")
        return Result(company=existing, seconds=0.0, reused=True)
    say = progress or (lambda message: None)
    _fast_writes()
    master = create_master(code=company_code, scale=scale, seed=seed)
    say(f"{len(master.customers)} customers, {len(master.products)} products")
    history = History(master, seed=seed, today=timezone.localdate())
    rng = random.Random(seed + 1)
    target = max(1, scaled(LINES_PER_SCALE, scale))
    start = history.today - timedelta(days=SPAN_DAYS)
    made, batch = 0, []
    while made < target:
        lines = min(rng.randint(1, 9), target - made)
        day = start + timedelta(days=int(SPAN_DAYS * made / target))
        batch.append(history.plan(day, rng.choice(master.customers), lines))
        made += len(batch[-1]["lines"])  # fewer than asked when the company has fewer products
        if len(batch) >= BATCH_ORDERS or made >= target:
            history.write_batch(batch)
            batch = []
            say(f"{made:,} of {target:,} order lines ({time.perf_counter() - started:.0f} s)")
    counts = history.finish()
    _safe_writes()
    _analyze()
    return Result(company=master.company, seconds=time.perf_counter() - started, counts=counts)


def add_customer_history(*, company: Company, customer, lines: int, seed: int = 1) -> dict[str, int]:
    """Add closed past orders (delivered, invoiced, paid) with `lines` order lines in all for one customer."""
    master = load_master(company)
    _fast_writes()
    history = History(master, seed=seed, today=timezone.localdate())
    rng = random.Random(seed)
    who = (customer.pk, customer.salesperson_id or master.admin.pk)
    start = history.today - timedelta(days=SPAN_DAYS)
    made, batch = 0, []
    while made < lines:
        count = min(rng.randint(1, 9), lines - made)
        # All of it older than two months: settled history, as a long-standing customer has.
        day = start + timedelta(days=int((SPAN_DAYS - 61) * made / lines))
        batch.append(history.plan(day, who, count, fate="paid"))
        made += len(batch[-1]["lines"])
        if len(batch) >= BATCH_ORDERS or made >= lines:
            history.write_batch(batch)
            batch = []
    counts = history.finish()
    _safe_writes()
    _analyze()
    return counts


def add_history(*, master, lines: int, seed: int, first_day, last_day) -> dict[str, int]:
    """Settled past orders (delivered, invoiced, paid) of `master`'s customers, `lines` order lines
    in all, spread evenly from `first_day` to `last_day`: the demo's two years of history."""
    history = History(master, seed=seed, today=timezone.localdate())
    rng = random.Random(seed)
    span = (last_day - first_day).days
    made, batch = 0, []
    while made < lines:
        count = min(rng.randint(1, 6), lines - made)
        day = first_day + timedelta(days=int(span * made / lines))
        batch.append(history.plan(day, rng.choice(master.customers), count, fate="paid"))
        made += len(batch[-1]["lines"])
        if len(batch) >= BATCH_ORDERS or made >= lines:
            history.write_batch(batch)
            batch = []
    return history.finish()


def _fast_writes() -> None:
    """Bulk-load settings for this connection (a crash means generating again).

    SQLite: a large page cache, no fsync, and no foreign-key lookups per row. PostgreSQL: no
    foreign-key triggers, when the user may switch them off (a superuser, as in `make bench`).
    The rows are made with their parents, and the test suite generates with every check on.
    """
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
            cursor.execute("PRAGMA foreign_keys=OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET session_replication_role = replica")


def _safe_writes() -> None:
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        elif connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def _analyze() -> None:
    """Fresh planner statistics (and visibility map) on PostgreSQL, so the first queries after a bulk load pick the right indexes.

    Not on SQLite: its statistics count every empty (NULL) link as one shared value, so a
    mostly empty optional link, such as an order's quotation, looks unselective and the
    planner then scans the whole table to find the orders of one quotation.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM also marks the pages all-visible, so index-only scans (the dashboards' counts)
            # need not visit the table; it cannot run inside a transaction (the test suite's).
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
