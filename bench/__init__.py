"""`make bench`: throughput and latency of the quote-to-cash engine on generated data (issue #6).

`python -m bench --vendor sqlite|postgresql` runs one database leg (bench.runner); each
benchmark is a module with `run(ctx) -> list[dict]` (see bench.context and bench.stats.row).
"""
