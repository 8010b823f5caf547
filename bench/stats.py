"""Small, pure statistics for the benchmarks: medians, percentiles and timing helpers.

Percentiles use linear interpolation between the closest ranks (the "linear" method of
numpy and of `statistics.quantiles(method="inclusive")`): p0 is the minimum, p100 the
maximum and p50 the median, so figures are comparable with other tools.
"""

import math
import time
from collections.abc import Callable, Iterable
from typing import Any


def percentile(values: Iterable[float], p: float) -> float:
    """The `p`-th percentile (0..100) of `values`, interpolated linearly between ranks."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Iterable[float]) -> float:
    return percentile(values, 50)


def timed(fn: Callable[..., Any], *args, **kwargs) -> tuple[float, Any]:
    """(seconds, result) of one call, measured with the monotonic high-resolution clock."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def latencies(fn: Callable[[], Any], repeats: int, warmup: int = 0) -> list[float]:
    """Seconds of `repeats` calls of `fn`, after `warmup` calls that are not counted (caches, connections)."""
    for _ in range(warmup):
        fn()
    return [timed(fn)[0] for _ in range(repeats)]


def ms(seconds: float) -> float:
    """Seconds as milliseconds, rounded to what a reader can compare (0.01 ms)."""
    return round(seconds * 1000, 2)


def row(bench: str, metric: str, value: float, unit: str, target: float | None = None, compare: str | None = None, note: str = "") -> dict:
    """One result row in the shape the runner expects."""
    if compare not in (None, ">=", "<="):
        raise ValueError("compare is '>=', '<=' or None")
    return {"bench": bench, "metric": metric, "value": value, "unit": unit, "target": target, "compare": compare, "note": note}
