"""memory: the resident memory (RSS) of one gunicorn worker after the API run.

The API benchmark reads /proc/<pid>/status of every worker (the children of the gunicorn
master) just before it stops the server and leaves the figures in ctx.handoff; this module
reports the largest. Run alone (BENCH_ONLY=memory) it does the API run itself first, since a
worker that has served nothing says little.
"""

from pathlib import Path

from bench.context import Context
from bench.stats import row

TARGET_MB = 150
MB = 1024 * 1024


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (the gunicorn workers of a master), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        # The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024  # the kernel reports kB
    except OSError:
        pass
    return None


def worker_rss(master_pid: int) -> dict[int, int]:
    """{worker pid: RSS bytes} of the workers of a gunicorn master."""
    sizes = {pid: rss_bytes(pid) for pid in children(master_pid)}
    return {pid: size for pid, size in sizes.items() if size is not None}


def run(ctx: Context) -> list[dict]:
    rss = ctx.handoff.get("gunicorn_worker_rss")
    if rss is None:
        from bench import api_orders

        _, rss = api_orders.measure(ctx)
    if not rss:
        raise RuntimeError("no gunicorn worker found to measure (is /proc readable?)")
    sizes = sorted(size / MB for size in rss.values())
    note = f"{len(sizes)} workers after the API run: " + ", ".join(f"{size:.0f}" for size in sizes) + " MB"
    return [row("memory", "worker_rss_max_mb", round(sizes[-1], 1), "MB", TARGET_MB, "<=", note)]
