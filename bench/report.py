"""var/bench/results.json and the table `make bench` prints.

The file holds one run per database vendor, so the SQLite and the PostgreSQL legs (two
processes) fill it in turn, and a leg that is skipped leaves the other vendor's figures alone:

    {"machine": {"cores": 2, "memory_mb": 3915, "cpu": "...", "python": "3.11.2", ...},
     "runs": {"sqlite": {"date": ..., "scale": 1.0, "quick": false, "generation": {...}, "rows": [...]},
              "postgresql": {...}}}
"""

import json
import math
from pathlib import Path

VENDORS = ("sqlite", "postgresql")
# The order the runner runs them in: the lists and reporting before the credit benchmark, which adds a million
# past lines to three customers (10x the history of a scale-1 company).
MODULES = ("cycle", "plain_sql", "lists", "reporting", "credit", "pdf", "api_orders", "memory")
SHORT = {"sqlite": "sqlite", "postgresql": "pg"}


def load(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {"machine": {}, "runs": {}}
    data.setdefault("machine", {})
    data.setdefault("runs", {})
    return data


def merge(path: Path, vendor: str, run: dict, machine: dict) -> dict:
    """Write this leg's run into the file, keeping the other vendor's run and the machine facts
    this leg could not see (the SQLite leg does not know the PostgreSQL server version)."""
    data = load(path)
    data["machine"].update({key: value for key, value in machine.items() if value is not None})
    data["runs"][vendor] = run
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    return data


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def met(row: dict) -> bool | None:
    """Whether the row reaches its target; None when it has no target (or no figure)."""
    value, target, compare = row.get("value"), row.get("target"), row.get("compare")
    if not is_number(value) or not is_number(target) or compare not in (">=", "<="):
        return None
    return value >= target if compare == ">=" else value <= target


def figure(value) -> str:
    if not is_number(value):
        return "-"
    if float(value).is_integer():
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"  # ratios such as engine/plain SQL (0.076)


def _target(rows: dict[str, dict]) -> str:
    """One target when both vendors share it, else each vendor's (the cycle's differ)."""
    shown = {}
    for vendor, row in rows.items():
        if is_number(row.get("target")) and row.get("compare"):
            shown[vendor] = f"{row['compare']} {figure(row['target'])}"
    if not shown:
        return ""
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    return ", ".join(f"{SHORT[vendor]} {text}" for vendor, text in shown.items())


def _met(rows: dict[str, dict]) -> str:
    verdicts = {vendor: met(row) for vendor, row in rows.items()}
    if all(verdict is None for verdict in verdicts.values()):
        return ""
    return " ".join(f"{SHORT[vendor]}:{'-' if v is None else 'yes' if v else 'NO'}" for vendor, v in verdicts.items())


def table(data: dict) -> str:
    """bench | metric | unit | sqlite | postgresql | target | met, then the notes and errors."""
    runs = {vendor: data["runs"][vendor] for vendor in VENDORS if vendor in data.get("runs", {})}
    if not runs:
        return "No benchmark results yet (run `make bench`)."
    keys: list[tuple[str, str]] = []
    by_key: dict[tuple[str, str], dict[str, dict]] = {}
    for vendor, run in runs.items():
        for row in run.get("rows", []):
            key = (row.get("bench", "?"), row.get("metric", "?"))
            if key not in by_key:
                keys.append(key)
                by_key[key] = {}
            by_key[key][vendor] = row
    # Benchmarks in the runner's order (a BENCH_ONLY leg may have put some first), metrics as reported.
    order = {module: n for n, module in enumerate(MODULES)}
    first_module = {key: next((row.get("module") for row in by_key[key].values()), None) for key in keys}
    keys.sort(key=lambda key: order.get(first_module[key], len(order)))
    header = ["bench", "metric", "unit", *VENDORS, "target", "met"]
    lines = [header]
    for key in keys:
        rows = by_key[key]
        unit = next((row.get("unit") or "" for row in rows.values()), "")
        cells = [_cell(rows[v]) if v in rows else "" for v in VENDORS]
        lines.append([key[0], key[1], unit, *cells, _target(rows), _met(rows)])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    numeric = {3, 4}
    out = []
    for n, line in enumerate(lines):
        cells = [str(cell).rjust(widths[i]) if i in numeric else str(cell).ljust(widths[i]) for i, cell in enumerate(line)]
        out.append(" | ".join(cells).rstrip())
        if n == 0:
            out.append("-+-".join("-" * width for width in widths))
    out.append("")
    out.extend(_legend(runs, data.get("machine", {})))
    out.extend(_notes(keys, by_key))
    return "\n".join(out)


def _cell(row: dict) -> str:
    if is_number(row.get("value")):
        return figure(row["value"]) + (" !" if row.get("error") else "")
    return "ERROR" if row.get("error") else "-"


def _notes(keys: list[tuple[str, str]], by_key: dict) -> list[str]:
    """Errors first, then each distinct note once with the metrics and vendors it belongs to."""
    errors, notes = [], {}
    for key in keys:
        for vendor, row in by_key[key].items():
            if row.get("error"):
                errors.append(f"  {key[0]} {key[1]} ({vendor}): {row['error']}")
            if row.get("note"):
                # dicts as ordered sets: each metric and vendor once, in table order
                metrics, vendors = notes.setdefault((key[0], row["note"]), ({}, {}))
                metrics[key[1]] = vendors[SHORT[vendor]] = None
    out = ["Errors:", *errors, ""] if errors else []
    if notes:
        out.append("Notes:")
        for (bench, note), (metrics, vendors) in notes.items():
            out.append(f"  {bench} {', '.join(metrics)} ({', '.join(vendors)}): {note}")
    return out


def _legend(runs: dict, machine: dict) -> list[str]:
    out = []
    for vendor, run in runs.items():
        version = machine.get(vendor) or "?"
        text = f"{vendor} {version}: scale {run.get('scale'):g}{' (quick)' if run.get('quick') else ''}, run {run.get('date', '?')}"
        generation = run.get("generation")
        if generation and is_number(generation.get("seconds")):
            text += f"; data generated in {generation['seconds']:.1f} s"
        out.append(text)
    facts = [
        f"{machine['cores']} cores" if machine.get("cores") else None,
        f"{machine['memory_mb'] / 1024:.1f} GiB RAM" if is_number(machine.get("memory_mb")) else None,
        machine.get("cpu"),
        f"Python {machine['python']}" if machine.get("python") else None,
        f"Django {machine['django']}" if machine.get("django") else None,
    ]
    out.append("Machine: " + ", ".join(fact for fact in facts if fact))
    out.append("")
    return out
