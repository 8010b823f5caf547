"""The quick benchmark, once per suite leg: it must produce figures, whatever they are.

It runs `python -m bench` as a subprocess (the benchmarks start gunicorn and generate data,
which does not belong inside a test's transaction) against a throwaway database: a temporary
SQLite file, or on the PostgreSQL leg a fresh database on the same server. No timing is
asserted: how fast is `make bench`'s business, this only keeps it from rotting.
"""

import json
import os
import secrets
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.report import MODULES, is_number

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ("cycle", "api-orders", "memory")  # bench names this file knows; every module must report something too
TIMEOUT = 600


@contextmanager
def throwaway_postgres_database(url: str):
    """A new database on the suite's PostgreSQL server, dropped afterwards; yields its URL."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(url)
    params = {"dbname": "postgres", "user": db.get("USER"), "password": db.get("PASSWORD"), "host": db.get("HOST"), "port": db.get("PORT")}
    params = {key: value for key, value in params.items() if value}
    name = f"bench_smoke_{secrets.token_hex(4)}"
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def bench_environment(tmp_path: Path):
    """(vendor, environment) for the subprocess, with a database of its own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BENCH_", "SALESDESK_SQLITE_PATH", "PYTEST_"))}
    env["BENCH_QUICK"] = "1"
    url = os.environ.get("DATABASE_URL")
    if url:
        with throwaway_postgres_database(url) as bench_url:
            yield "postgresql", {**env, "DATABASE_URL": bench_url}
    else:
        yield "sqlite", {**env, "SALESDESK_SQLITE_PATH": str(tmp_path / "bench.sqlite3")}


def test_quick_benchmark_produces_figures(tmp_path):
    out = tmp_path / "results.json"
    with bench_environment(tmp_path) as (vendor, env):
        done = subprocess.run(
            [sys.executable, "-m", "bench", "--vendor", vendor, "--out", str(out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    rows = json.loads(out.read_text())["runs"][vendor]["rows"]
    errors = [row for row in rows if row.get("error")]
    assert not errors, errors
    figures = [row for row in rows if is_number(row.get("value"))]
    for module in MODULES:
        assert any(row["module"] == module for row in figures), f"{module} reported no figure: {done.stdout}"
    for bench in EXPECTED:
        assert any(row["bench"] == bench for row in figures), f"no {bench} figure: {done.stdout}"
