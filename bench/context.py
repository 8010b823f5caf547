"""What every benchmark module gets from the runner: the database leg, the scale and where to write."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Context:
    vendor: str  # "sqlite" or "postgresql" (django.db.connection.vendor)
    scale: float  # BENCH_SCALE (default 1; quick: 0.01)
    quick: bool  # BENCH_QUICK=1: few repeats, so the whole run stays small
    company_code: str  # the generated company, "BENCH"
    workdir: Path  # var/bench/
    seed: int = 1
    # What one benchmark leaves for a later one in the same leg: the API run hands the RSS of
    # its gunicorn workers to the memory benchmark (measured before the server stops).
    handoff: dict = field(default_factory=dict)

    def repeats(self, full: int, quick: int) -> int:
        return quick if self.quick else full
