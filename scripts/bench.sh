#!/usr/bin/env bash
# `make bench`: the SQLite leg, the PostgreSQL leg on a throwaway cluster (skipped when
# PostgreSQL is not installed), then the merged table of var/bench/results.json.
# BENCH_SCALE (default 1), BENCH_QUICK=1 (scale 0.01, few repeats), BENCH_ONLY=cycle,lists,
# BENCH_DATABASE_URL=postgres://... (a kept PostgreSQL database instead of a throwaway cluster).
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
if [ "${BENCH_QUICK:-0}" != "0" ] && [ -n "${BENCH_QUICK:-}" ]; then default_scale=0.01; else default_scale=1; fi
scale=${BENCH_SCALE:-$default_scale}
export BENCH_SCALE=$scale
mkdir -p var/bench
status=0
# SQLite keeps one generated database per scale, so a rerun skips the generation. The path
# is set before Python starts because the settings read it once.
env -u DATABASE_URL SALESDESK_SQLITE_PATH="var/bench/bench-$scale.sqlite3" $py -m bench --vendor sqlite || status=1
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  # A PostgreSQL database kept between runs (a scale-100 company takes a while to generate).
  env -u SALESDESK_SQLITE_PATH DATABASE_URL="$BENCH_DATABASE_URL" $py -m bench --vendor postgresql || status=1
else
  env -u SALESDESK_SQLITE_PATH bash scripts/with-postgres.sh $py -m bench --vendor postgresql || status=1
fi
echo
echo "=== Results (var/bench/results.json) ==="
$py -m bench --report
exit $status
