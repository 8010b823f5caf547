"""`python -m bench [--vendor sqlite|postgresql] [--out FILE]` runs one leg; `--report` prints the table.

Environment: BENCH_SCALE (default 1), BENCH_QUICK=1 (scale 0.01, few repeats), BENCH_ONLY=cycle,lists.
"""

import argparse
import os
import sys
from pathlib import Path

from bench import runner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--vendor", choices=("sqlite", "postgresql"), help="the database of this leg (default: from DATABASE_URL)")
    parser.add_argument("--out", type=Path, default=runner.RESULTS, help="the results file to merge into (default var/bench/results.json)")
    parser.add_argument("--report", action="store_true", help="print the table of the results file and stop")
    args = parser.parse_args(argv)
    if args.report:
        return runner.print_report(args.out)
    vendor = args.vendor or ("postgresql" if os.environ.get("DATABASE_URL") else "sqlite")
    return runner.run_leg(vendor, args.out)


if __name__ == "__main__":
    sys.exit(main())
