"""One leg of `make bench`: one database vendor, every benchmark in a fixed order.

The leg migrates the benchmark database, generates the company (or reuses the one already
there at that scale), runs each benchmark module's `run(ctx)`, merges the rows into
var/bench/results.json and prints the table. A benchmark that raises becomes an error row and
the leg goes on; the exit status is 1 afterwards so a broken benchmark does not go unnoticed.
"""

import datetime
import importlib
import os
import platform
import sqlite3
import sys
import time
import traceback
from pathlib import Path

from bench import report
from bench.context import Context

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "var" / "bench"
RESULTS = WORKDIR / "results.json"
COMPANY_CODE = "BENCH"
# The order is part of the method: the API and memory runs come after the in-process ones, so
# the gunicorn workers measure a database that already holds what the others wrote.
MODULES = report.MODULES


def scale_from_env() -> tuple[float, bool]:
    """(scale, quick). Quick mode is scale 0.01 unless BENCH_SCALE says otherwise."""
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    raw = os.environ.get("BENCH_SCALE", "")
    scale = float(raw) if raw else (0.01 if quick else 1.0)
    if scale <= 0:
        raise SystemExit(f"BENCH_SCALE must be positive, not {raw!r}")
    return scale, quick


def sqlite_path(scale: float) -> Path:
    return WORKDIR / f"bench-{scale:g}.sqlite3"


def selected_modules() -> list[str]:
    """BENCH_ONLY=cycle,lists runs only those (in the fixed order), e.g. while profiling one."""
    only = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    unknown = only - set(MODULES)
    if unknown:
        raise SystemExit(f"BENCH_ONLY names unknown benchmarks {sorted(unknown)}; known: {', '.join(MODULES)}")
    return [name for name in MODULES if not only or name in only]


def prepare_environment(vendor: str) -> None:
    """Settings read the environment once, at django.setup(): everything is decided before it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Django's debug cursor keeps every query in memory and costs time per query; the
    # benchmarks measure the application as deployed, and gunicorn inherits this too.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    if vendor == "sqlite":
        if os.environ.get("DATABASE_URL"):
            raise SystemExit("--vendor sqlite with DATABASE_URL set: unset it (scripts/bench.sh runs the legs)")
        # Never the development database: the benchmark company lives in its own file per scale.
        os.environ.setdefault("SALESDESK_SQLITE_PATH", str(sqlite_path(scale_from_env()[0])))
        Path(os.environ["SALESDESK_SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    elif not os.environ.get("DATABASE_URL"):
        raise SystemExit("--vendor postgresql needs DATABASE_URL (run it through scripts/with-postgres.sh)")


def ensure_postgres_database() -> None:
    """The throwaway cluster starts with only its maintenance database: create the one DATABASE_URL names."""
    import psycopg
    from django.conf import settings
    from psycopg import sql

    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    params |= {"host": db.get("HOST") or None, "port": db.get("PORT") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def machine_facts(vendor: str) -> dict:
    import django
    from django.db import connection

    facts = {
        "cores": os.cpu_count(),
        "memory_mb": _meminfo_mb(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(terse=True),
        "date": _now(),
    }
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            facts["postgresql"] = cursor.fetchone()[0].split()[0]
    return facts


def _meminfo_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def _progress(message: str) -> None:
    """The generator's progress, on stderr so the table on stdout stays clean."""
    print(f"  generate: {message}", file=sys.stderr, flush=True)


def generate_data(ctx: Context) -> dict | None:
    """Generate the company; the time is kept only when it really ran (a rerun reuses the data)."""
    from django.db import connections

    from salesdesk.setup.generate import generate

    started = time.perf_counter()
    result = generate(scale=ctx.scale, seed=ctx.seed, company_code=ctx.company_code, progress=_progress)
    seconds = time.perf_counter() - started
    # The generator loosens SQLite's durability for its bulk load; the benchmarks get a fresh,
    # normally configured connection.
    connections.close_all()
    if result.reused:
        print(f"Reused the generated company {ctx.company_code} at scale {ctx.scale:g}.", file=sys.stderr)
        return None
    print(f"Generated company {ctx.company_code} at scale {ctx.scale:g} in {seconds:.1f} s.", file=sys.stderr)
    return {"seconds": round(seconds, 2), "scale": ctx.scale, "counts": dict(result.counts)}


def error_row(bench: str, error: str) -> dict:
    return {"bench": bench, "metric": "error", "value": None, "unit": "", "target": None, "compare": None, "note": "", "error": error}


def run_module(name: str, ctx: Context) -> list[dict]:
    """The module's rows, tagged with the module that made them; an exception is one error row."""
    started = time.perf_counter()
    print(f"[{ctx.vendor}] {name} ...", file=sys.stderr, flush=True)
    try:
        module = importlib.import_module(f"bench.{name}")
        rows = list(module.run(ctx))
        if not rows:
            rows = [error_row(name, "the benchmark returned no rows")]
    except Exception as exc:
        traceback.print_exc()
        rows = [error_row(name, f"{type(exc).__name__}: {exc}".strip()[:500])]
    finally:
        # A benchmark may leave a broken connection or a transaction behind; the next starts clean.
        from django.db import connections

        connections.close_all()
    print(f"[{ctx.vendor}] {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    for row in rows:
        row["module"] = name
    return rows


def run_leg(vendor: str, out: Path) -> int:
    prepare_environment(vendor)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if vendor == "postgresql":
        ensure_postgres_database()
    if connection.vendor != vendor:
        raise SystemExit(f"--vendor {vendor}, but the settings give a {connection.vendor} database")
    scale, quick = scale_from_env()
    modules = selected_modules()
    # Logs and files of the run go next to the results (var/bench/, or the smoke test's temp directory).
    ctx = Context(vendor=vendor, scale=scale, quick=quick, company_code=COMPANY_CODE, workdir=Path(out).resolve().parent)
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"=== bench: {vendor}, scale {scale:g}{' (quick)' if quick else ''}: {', '.join(modules)} ===", file=sys.stderr, flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    previous = report.load(out)["runs"].get(vendor) or {}
    generation = generate_data(ctx)
    if generation is None and (previous.get("generation") or {}).get("scale") == scale:
        generation = previous["generation"]  # the data in use is the one timed back then
    rows: list[dict] = []
    for name in modules:
        rows.extend(run_module(name, ctx))
    for row in rows:
        row["vendor"], row["scale"] = vendor, scale
        row["met"] = report.met(row)
    errors = [row for row in rows if row.get("error")]
    if len(modules) < len(MODULES) and previous.get("scale") == scale:
        # BENCH_ONLY reruns some benchmarks: the others keep their last figures at this scale.
        kept = [row for row in previous.get("rows", []) if row.get("module") not in modules]
        rows = sorted(kept + rows, key=lambda row: MODULES.index(row["module"]) if row.get("module") in MODULES else len(MODULES))
        modules = [name for name in MODULES if name in set(modules) | set(previous.get("modules", []))]
    run = {"date": _now(), "scale": scale, "quick": quick, "seconds": round(time.perf_counter() - started, 1)}
    run |= {"modules": modules, "generation": generation, "rows": rows}
    data = report.merge(out, vendor, run, machine_facts(vendor))
    print(report.table(data))
    if errors:
        print(f"{len(errors)} benchmark(s) failed on {vendor}: {', '.join(row['bench'] for row in errors)}", file=sys.stderr)
        return 1
    return 0


def print_report(out: Path) -> int:
    print(report.table(report.load(out)))
    return 0
