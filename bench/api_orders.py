"""api-orders: create and confirm 5-line orders through the HTTP API against gunicorn with 4 workers.

The server is the deployed shape (gunicorn, sync workers, DEBUG off) on the leg's database;
the clients are threads of this process, each with its own HTTP connection. One order is
two requests (POST sales-orders/, POST sales-orders/{id}/confirm/) and its latency is both.
Throughput is orders that came back 201 + 200 divided by the wall time of the whole batch.
Customers are taken in turn, so concurrent orders rarely share a customer row.

Before stopping the server the run reads the RSS of each worker for the memory benchmark
(ctx.handoff), and afterwards it cancels the orders it made so a reused database keeps the
same open orders, reservations and credit exposure from run to run.
"""

import http.client
import itertools
import json
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import memory
from bench.context import Context
from bench.stats import median, ms, percentile, row

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
LINES = 5
BOOT_TIMEOUT = 90  # seconds for gunicorn to answer /healthz (4 workers importing Django on 2 cores)
ORDERS = "/api/v1/sales-orders/"


@dataclass
class Outcome:
    seconds: float
    order_id: int | None
    failure: str = ""  # "create 409 credit_limit_exceeded", empty when both calls succeeded


@dataclass
class Batch:
    clients: int
    wall: float
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.failure]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(log) as server:` a running server on a free port, stopped whatever happens."""

    def __init__(self, log: Path, workers: int = WORKERS):
        self.log, self.workers, self.port, self.proc = log, workers, free_port(), None

    def __enter__(self) -> "Gunicorn":
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "120"]
        with open(self.log, "w") as log:
            # Same environment as this process: same settings, same database (SQLite file or DATABASE_URL).
            self.proc = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 (our own command line)
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {BOOT_TIMEOUT} s: {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return " | ".join(self.log.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM lets the workers finish their request; a server that hangs is killed."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Client:
    """One API client: a keep-alive connection (http.client reopens it when the server closes it)."""

    def __init__(self, port: int, token: str, company_code: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {
            "Authorization": f"Token {token}",
            "X-Company": company_code,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def post(self, path: str, body: dict | None) -> tuple[int, dict]:
        try:
            self.conn.request("POST", path, body=None if body is None else json.dumps(body), headers=self.headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()  # the next request starts on a fresh connection
            return 0, {"code": type(exc).__name__}
        try:
            return response.status, json.loads(data) if data else {}
        except ValueError:
            return response.status, {}

    def order(self, body: dict) -> Outcome:
        started = time.perf_counter()
        status, created = self.post(ORDERS, body)
        if status != 201:
            return Outcome(time.perf_counter() - started, None, f"create {status} {created.get('code', '')}".strip())
        status, confirmed = self.post(f"{ORDERS}{created['id']}/confirm/", None)
        seconds = time.perf_counter() - started
        if status != 200 or confirmed.get("status") != "confirmed":
            failure = f"confirm {status} {confirmed.get('code') or confirmed.get('status', '')}".strip()
            return Outcome(seconds, created["id"], failure)
        return Outcome(seconds, created["id"])

    def close(self) -> None:
        self.conn.close()


def run_batch(port: int, token: str, ctx: Context, clients: int, bodies: list[dict]) -> Batch:
    """All bodies through `clients` threads pulling from one queue; the clock runs from the
    moment every thread is connected and ready to the last answer."""
    jobs: queue.Queue = queue.Queue()
    for body in bodies:
        jobs.put(body)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def work() -> None:
        client = Client(port, token, ctx.company_code)
        mine = []
        try:
            ready.wait()
            while True:
                try:
                    body = jobs.get_nowait()
                except queue.Empty:
                    break
                mine.append(client.order(body))
        finally:
            client.close()
            with lock:
                outcomes.extend(mine)

    threads = [threading.Thread(target=work, name=f"api-client-{n}", daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return Batch(clients=clients, wall=time.perf_counter() - started, outcomes=outcomes)


def order_bodies(ctx: Context):
    """An endless, reproducible stream of 5-line order bodies: customers in turn, products at random."""
    from salesdesk.catalog.models import Product
    from salesdesk.customers.models import Customer

    customers = list(
        Customer.objects.filter(company__code=ctx.company_code).exclude(status="blocked").order_by("id").values_list("id", flat=True)
    )
    products = list(
        Product.objects.filter(company__code=ctx.company_code, active=True, kind="goods").order_by("id").values_list("id", flat=True)
    )
    if not customers or len(products) < LINES:
        raise RuntimeError(f"company {ctx.company_code} has {len(customers)} customers and {len(products)} goods: generate the data first")
    rng = random.Random(ctx.seed)
    rng.shuffle(customers)
    for customer in itertools.cycle(customers):
        lines = [{"product": product, "quantity": str(rng.randint(1, 3))} for product in rng.sample(products, LINES)]
        yield {"customer": customer, "lines": lines}


def api_token(ctx: Context) -> tuple[str, object]:
    """A DRF token for the generated administrator (what POST auth/token/ hands out), and the user."""
    from rest_framework.authtoken.models import Token

    from salesdesk.accounts.models import User

    admin = User.objects.get(username=f"{ctx.company_code.lower()}-admin")
    token, _ = Token.objects.get_or_create(user=admin)
    return token.key, admin


def measure(ctx: Context) -> tuple[list[dict], dict[int, int]]:
    """(api-orders rows, {worker pid: RSS bytes}) of one API run, server started and stopped here."""
    token, admin = api_token(ctx)
    bodies = order_bodies(ctx)
    repeats = ctx.repeats(3, 1)
    sizes = {1: ctx.repeats(100, 10), 8: ctx.repeats(400, 30)}
    batches: dict[int, list[Batch]] = {clients: [] for clients in sizes}
    made: list[int] = []
    server_log = ctx.workdir / f"gunicorn-{ctx.vendor}.log"
    try:
        with Gunicorn(server_log) as server:
            # Every worker answers a few orders first: imports, URL resolution and connections happen once per process.
            warmup = run_batch(server.port, token, ctx, 2 * WORKERS, list(itertools.islice(bodies, ctx.repeats(4, 2) * WORKERS)))
            made += [o.order_id for o in warmup.outcomes if o.order_id]
            if not warmup.ok:
                raise RuntimeError(f"no warm-up order went through: {warmup.outcomes[0].failure}; server log: {server.log_tail(5)}")
            for _ in range(repeats):
                for clients, count in sizes.items():
                    batch = run_batch(server.port, token, ctx, clients, list(itertools.islice(bodies, count)))
                    batches[clients].append(batch)
                    made += [o.order_id for o in batch.outcomes if o.order_id]
            rss = memory.worker_rss(server.pid)
    finally:
        cancel_orders(made, admin)
    return rows(batches), rss


def rows(batches: dict[int, list[Batch]]) -> list[dict]:
    out = []
    for clients, runs in batches.items():
        label = f"{clients}_client{'s' if clients > 1 else ''}"
        ok = [o.seconds for batch in runs for o in batch.ok]
        total = sum(len(batch.outcomes) for batch in runs)
        failures = Counter(o.failure for batch in runs for o in batch.outcomes if o.failure)
        note = f"{len(runs)} run(s) of {len(runs[0].outcomes)} orders, {LINES} lines each"
        # The targets are the issue's: at least 60 orders/s with 8 clients, p95 at most 150 ms.
        target = (60, ">=") if clients == 8 else (None, None)
        rate = round(median(len(batch.ok) / batch.wall for batch in runs), 1)
        out.append(row("api-orders", f"orders_per_s_{label}", rate, "orders/s", *target, note))
        if ok:
            out.append(row("api-orders", f"p50_ms_{label}", ms(percentile(ok, 50)), "ms"))
            out.append(row("api-orders", f"p95_ms_{label}", ms(percentile(ok, 95)), "ms", 150, "<="))
        if failures:
            detail = ", ".join(f"{text} x{n}" for text, n in failures.most_common(5))
            failed = row("api-orders", f"errors_{label}", sum(failures.values()), "orders", 0, "<=")
            failed["error"] = f"{sum(failures.values())} of {total} orders failed: {detail}"
            out.append(failed)
    return out


def cancel_orders(order_ids: list[int], admin) -> None:
    """Put the database back as it was for the next run: open orders, reservations and exposure."""
    from salesdesk.sales import services
    from salesdesk.sales.models import SalesOrder

    for order in SalesOrder.objects.filter(id__in=order_ids).exclude(status="cancelled").order_by("id"):
        services.order_cancel(order=order, actor=admin, reason="benchmark clean-up")


def run(ctx: Context) -> list[dict]:
    api_rows, rss = measure(ctx)
    ctx.handoff["gunicorn_worker_rss"] = rss
    return api_rows
