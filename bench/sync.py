"""Benchmark: an initial sync of N records into a fresh ledger, against a bare paginated read.

    .venv/bin/python bench/sync.py [--records 20000 100000] [--repeats 3] [--page-size 500]

The sandbox Odoo runs in a child process grown to N maintenance.request
records, so its CPU and memory stay out of the figures. Every measurement
runs in a fresh child process of its own, which reports its wall time and
its peak resident set size (``ru_maxrss``, interpreter and imports
included):

- bare: ``OdooClient.iter_pages`` over the same model, fields and page
  size, dropping every page: the cost of reading the data at all;
- sync: ``Syncer.sync`` of the work_orders stream into a new ledger file:
  the same reads plus hashing, diffing, one record.created event per
  record, and SQLite transactions of the pages that wait to be stored
  (one page each while the commits keep up with the reads).

Both children import every module either side uses before their clocks
start, so the times cover connecting, reading and syncing, not loading
Python code. The sync's ledger file is created and closed within the
clock, and its directory is removed after it. Bare and sync measurements alternate, and the median of
``--repeats`` is reported, with the median CPU time of each side (all its threads) and the
1-minute load average before and after, because other processes on the
machine stretch wall times. The goal: sync time at most 1.3x the bare
read, and a peak RSS under 200 MB that stays flat from the smaller to the
larger count.
Prints one line per figure and a final JSON line with all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODEL = "maintenance.request"
STREAM = "work_orders"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[20_000, 100_000],
                        help="record counts to measure (default 20000 100000)")
    parser.add_argument("--repeats", type=int, default=3, help="measurements per side and count (default 3)")
    parser.add_argument("--page-size", type=int, default=500, help="records per search_read (default 500)")
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep CPython's default garbage collector settings in both measurements instead of the ones"
        " odoo-relay serve and the monitor set at start-up (core.runtime)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=["bare", "sync"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- child processes -----------------------------------------------------------


def serve(records: int) -> None:
    """Child: serve a sandbox with ``records`` maintenance requests until stdin closes."""
    from core.sandbox import SandboxServer

    server = SandboxServer(version="18.0", scale={MODEL: records}).start()
    print(json.dumps({"url": server.url}), flush=True)
    sys.stdin.read()
    server.stop()


def _connection_fields():
    from core.sync.streams import default_stream

    return default_stream(STREAM).fields


async def measure_bare(url: str, page_size: int, directory: Path) -> int:
    from core.odoo import CredentialKind, OdooClient
    from core.secrets import Secret

    count = 0
    async with await OdooClient.connect(url, "sandbox", "admin", Secret("admin"), CredentialKind.PASSWORD) as client:
        pages = client.iter_pages(MODEL, [], _connection_fields(), page_size=page_size,
                                  context={"active_test": False})
        async for page in pages:
            count += len(page)
    return count


async def measure_sync(url: str, page_size: int, directory: Path) -> int:
    from core.clock import SystemClock
    from core.ledger import CredentialKind, Ledger, NewConnection, SyncStatus
    from core.secrets import Secret
    from core.sync.streams import default_stream
    from core.sync.syncer import SyncOptions, Syncer

    ledger = Ledger.open(directory / "bench.sqlite3")
    connection = ledger.add_connection(
        NewConnection("bench", url, "sandbox", "admin", Secret("admin"), CredentialKind.PASSWORD)
    )
    syncer = Syncer(ledger, SystemClock(), streams=[default_stream(STREAM)],
                    options=SyncOptions(page_size=page_size))
    run = await syncer.sync(connection.id)
    ledger.close()
    if run.status != SyncStatus.SUCCEEDED:
        raise SystemExit(f"the benchmark sync ended {run.status}: {run.error_class}: {run.error_message}")
    return run.created


def import_everything() -> None:
    """Import what both measurements use, so that neither clock counts loading modules."""
    import core.clock
    import core.ledger
    import core.odoo
    import core.secrets
    import core.sync.streams
    import core.sync.syncer  # noqa: F401
    import httpcore  # noqa: F401  (httpx imports it when the first client opens)


def measure(side: str, url: str, page_size: int, default_gc: bool) -> None:
    """Child: run one measurement and print wall and CPU seconds, records and peak RSS as JSON."""
    runner = measure_bare if side == "bare" else measure_sync
    import_everything()
    if not default_gc:
        # As `odoo-relay serve` does once it has started, on both sides.
        from core.runtime import tune_garbage_collector

        tune_garbage_collector()
    # The ledger's directory is made and removed outside the clocks: deleting
    # a file of 100 MB is not part of syncing.
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        cpu_started = time.process_time()
        count = asyncio.run(runner(url, page_size, Path(directory)))
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started  # every thread of this process
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "records": count,
                      "peak_rss_mb": peak_kib / 1024}), flush=True)


# --- the parent ----------------------------------------------------------------


class SandboxProcess:
    """A sandbox in a child process, stopped by closing its stdin."""

    def __init__(self, records: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(records)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.url = json.loads(self.process.stdout.readline())["url"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def run_child(side: str, url: str, page_size: int, default_gc: bool) -> dict:
    gc_flag = ["--default-gc"] if default_gc else []
    output = subprocess.run(
        [sys.executable, __file__, "--measure", side, "--url", url, "--page-size", str(page_size), *gc_flag],
        check=True, capture_output=True, text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def bench_count(records: int, repeats: int, page_size: int, default_gc: bool) -> dict:
    sandbox = SandboxProcess(records)
    try:
        samples: dict[str, list[dict]] = {"bare": [], "sync": []}
        for _ in range(repeats):
            for side in ("bare", "sync"):
                result = run_child(side, sandbox.url, page_size, default_gc)
                if result["records"] != records:
                    raise SystemExit(f"{side} read {result['records']} records, expected {records}")
                samples[side].append(result)
    finally:
        sandbox.close()
    figures = {"records": records}
    for side, results in samples.items():
        figures[f"{side}_seconds"] = statistics.median(r["seconds"] for r in results)
        figures[f"{side}_cpu_seconds"] = statistics.median(r["cpu_seconds"] for r in results)
        figures[f"{side}_peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    figures["ratio"] = figures["sync_seconds"] / figures["bare_seconds"]
    return figures


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.serve is not None:
        serve(args.serve)
        return
    if args.measure:
        measure(args.measure, args.url, args.page_size, args.default_gc)
        return

    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    results = []
    for records in args.records:
        load_before = os.getloadavg()[0]
        figures = bench_count(records, args.repeats, args.page_size, args.default_gc)
        # The figures are wall times, so other processes on the machine
        # slow both sides; the load average records how busy it was.
        figures["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        results.append(figures)
        print(
            f"{records} records: bare {figures['bare_seconds']:.2f} s, sync {figures['sync_seconds']:.2f} s,"
            f" ratio {figures['ratio']:.2f}x; CPU bare {figures['bare_cpu_seconds']:.2f} s,"
            f" sync {figures['sync_cpu_seconds']:.2f} s; peak RSS bare {figures['bare_peak_rss_mb']:.0f} MB,"
            f" sync {figures['sync_peak_rss_mb']:.0f} MB; load average {load_before:.1f} to {os.getloadavg()[0]:.1f}"
        )
    print(json.dumps({"page_size": args.page_size, "repeats": args.repeats,
                      "gc": "default" if args.default_gc else "tuned", "results": results}))


if __name__ == "__main__":
    main()
