"""Benchmark the monitor on a large ledger: first paint, paging, filtering, idle CPU.

Usage: python bench/tui.py [--deliveries 1000000] [--runs 100000] [--ledger PATH]
                           [--memory-pages 200] [--memory-only]

Builds the ledger once (kept at --ledger for later runs), then starts the
monitor headless (Textual's run_test driver, 120x36) with no engine and
measures:

- first paint: from starting the app to the first ledger read applied to
  all three panes; the baseline is the same app on an empty ledger;
- page latency: pressing ``end`` in the webhook log until the next keyset
  page of 50 rows is on screen, and the same in the sync history;
- scrolling: each ``pagedown`` through the webhook log, with the pages that
  load ahead of the cursor;
- filter latency: applying a filter until its first page is on screen;
- idle CPU: user+system CPU time over 5 s of no changes (os.times), as a
  share of one core; the baseline is a bare Textual app with a DataTable;
- memory: pressing ``end`` in the webhook log until ``--memory-pages``
  more pages have loaded, in a fresh app session. It reports the Python
  memory allocated meanwhile and still held (tracemalloc, which slows that
  session down) and the growth of the process's resident set (VmRSS),
  with the rows still loaded. ``--memory-only`` runs this step alone, to
  compare two versions of the monitor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from core.clock import FakeClock  # noqa: E402
from core.ledger import Ledger  # noqa: E402
from core.ledger.models import (  # noqa: E402
    CredentialKind,
    DeliveryFilter,
    DeliveryState,
    NewConnection,
    NewEndpoint,
    NewEvent,
    StreamResult,
    SyncStatus,
    SyncTrigger,
)
from core.secrets import Secret  # noqa: E402
from core.webhooks.signing import generate_secret  # noqa: E402
from tui.app import create_app  # noqa: E402
from tui.messages import FilterApplied  # noqa: E402
from tui.widgets.status_line import describe_filter  # noqa: E402

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
EVENT_BATCH = 5_000
IDLE_SECONDS = 5.0


def build_ledger(path: Path, deliveries: int, runs: int) -> None:
    """Write ``runs`` sync runs and ``deliveries`` deliveries through the Ledger API."""
    started = time.perf_counter()
    with Ledger.open(path) as ledger:
        connection = ledger.add_connection(NewConnection(
            name="bench", url="http://127.0.0.1:9", database="bench", login="admin",
            credential=Secret("bench"), credential_kind=CredentialKind.PASSWORD, interval_seconds=60), at=START)
        _write_runs(ledger, connection.id, runs)
        ledger.add_endpoint(NewEndpoint(url="http://127.0.0.1:9/hooks", secret=generate_secret()), START)
        _write_events(ledger, connection.id, deliveries)
    _mix_states(path)
    print(f"built {path} in {time.perf_counter() - started:.0f} s", flush=True)


def _write_runs(ledger: Ledger, connection_id: int, runs: int) -> None:
    results = [StreamResult("assets", created=3, updated=1, pages=1)]
    for index in range(runs):
        at = START + timedelta(seconds=60 * index)
        run = ledger.start_run(connection_id, SyncTrigger.SCHEDULE, ["assets"], at)
        status = SyncStatus.FAILED if index % 50 == 0 else SyncStatus.SUCCEEDED
        error = ("ServerUnreachableError", "timed out") if status is SyncStatus.FAILED else (None, None)
        ledger.finish_run(run.id, status, results, error[0], error[1], at + timedelta(seconds=2))
        if index % 10_000 == 0:
            print(f"  runs: {index:,}", flush=True)


def _write_events(ledger: Ledger, connection_id: int, deliveries: int) -> None:
    kinds = ("record.updated", "record.created", "record.deleted", "sync.completed")
    for first in range(0, deliveries, EVENT_BATCH):
        count = min(EVENT_BATCH, deliveries - first)
        events = [NewEvent(kinds[(first + n) % 4], connection_id, {"odoo_id": first + n, "stream": "assets"})
                  for n in range(count)]
        ledger.append_events(events, START + timedelta(seconds=first // 10))
        if first % 100_000 == 0:
            print(f"  deliveries: {first:,}", flush=True)


def _mix_states(path: Path) -> None:
    # NOTE: the one write that bypasses the Ledger API: claiming and
    # completing a million deliveries one by one would take hours, and the
    # monitor only reads these columns.
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE deliveries SET state = 'succeeded', attempts = 1, last_status_code = 200 WHERE id % 100 < 90")
        conn.execute("UPDATE deliveries SET state = 'failed', attempts = 12, last_status_code = 500 WHERE id % 100 = 97")
        conn.execute("UPDATE deliveries SET attempts = 2, last_status_code = 503 WHERE id % 100 = 95")


def ledger_ready(path: Path, deliveries: int, runs: int) -> bool:
    """Return True if ``path`` already contains a ledger of this size."""
    if not path.exists():
        return False
    with Ledger.open(path) as ledger:
        totals = ledger.totals()
    return sum(totals.deliveries_by_state.values()) >= deliveries and totals.sync_runs >= runs


async def wait_for(pilot, condition, timeout: float = 30.0) -> float:
    """Wait until ``condition()``; return the seconds it took."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("condition not met within 30 s")
        await pilot.pause(0.002)
    return time.perf_counter() - started


async def first_paint(path: Path) -> float:
    """Return the seconds from app start to the first ledger read on screen."""
    app = create_app(path, clock=FakeClock(START), run_engine=False, poll_interval=0.5)
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main_screen is not None and app.main_screen.overview is not None)
        await pilot.pause()
        return time.perf_counter() - started


async def interactive(path: Path) -> dict:
    """Measure paging, filtering and idle CPU in one app session."""
    app = create_app(path, clock=FakeClock(START), run_engine=False, poll_interval=0.5)
    figures: dict = {}
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.overview is not None)
        figures["log page"] = await _pages(pilot, screen.log_table, lambda: screen._deliveries_next, "tab", "tab")
        figures["history page"] = await _pages(pilot, screen.history_table, lambda: screen._runs_next, "shift+tab")
        figures["pagedown"] = await _scroll(pilot, screen.log_table, "tab")
        figures["rows after scroll"] = screen.log_table.row_count
        figures["filter"] = await _filters(pilot, screen)
        figures["idle cpu"] = await _idle_cpu(pilot)
    return figures


async def _pages(pilot, table, next_key, *focus_keys: str, pages: int = 20) -> list[tuple[float, float]]:
    await pilot.press(*focus_keys)
    timings = []
    for _ in range(pages):
        if next_key() is None:
            break  # everything is loaded
        # The row count stops growing once the webhook log drops rows far
        # above the cursor, so a new page shows as a new keyset key.
        previous = next_key()
        started, cpu = time.perf_counter(), time.process_time()
        await pilot.press("end")
        await wait_for(pilot, lambda: next_key() != previous)
        timings.append((time.perf_counter() - started, time.process_time() - cpu))
    return timings


async def _scroll(pilot, table, *focus_keys: str, presses: int = 60) -> list[tuple[float, float]]:
    """Time each ``pagedown`` through the log, loads ahead of the cursor included."""
    await pilot.press(*focus_keys)
    await pilot.press("home")
    timings = []
    for _ in range(presses):
        started, cpu = time.perf_counter(), time.process_time()
        await pilot.press("pagedown")
        await pilot.pause()
        timings.append((time.perf_counter() - started, time.process_time() - cpu))
    return timings


async def paged_memory(path: Path, pages: int) -> dict:
    """Page down the webhook log ``pages`` times; return the memory growth and the rows loaded."""
    app = create_app(path, clock=FakeClock(START), run_engine=False, poll_interval=0.5)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.overview is not None)
        await pilot.press("tab", "tab")
        tracemalloc.start()
        traced_before, rss_before = tracemalloc.get_traced_memory()[0], _rss_bytes()
        for _ in range(pages):
            next_key = screen._deliveries_next
            await pilot.press("end")
            await wait_for(pilot, lambda: screen._deliveries_next != next_key)
        traced_after, rss_after = tracemalloc.get_traced_memory()[0], _rss_bytes()
        tracemalloc.stop()
        return {"pages": pages, "rows": screen.log_table.row_count, "cached": len(screen._deliveries),
                "traced": traced_after - traced_before, "rss": rss_after - rss_before}


def _rss_bytes() -> int:
    # Linux only: the resident set size from /proc.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def memory_line(figures: dict) -> str:
    """Format the paging memory figures."""
    return (f"memory         after {figures['pages']} pages: {figures['traced'] / 2**20:6.1f} MiB allocated and held"
            f" (tracemalloc), RSS +{figures['rss'] / 2**20:.1f} MiB; {figures['rows']:,} rows in the table,"
            f" {figures['cached']:,} deliveries cached")


FILTERS = [
    DeliveryFilter(state=DeliveryState.FAILED),
    DeliveryFilter(event_type="record.*"),
    DeliveryFilter(event_type="sync.completed", state=DeliveryState.PENDING),
    DeliveryFilter(endpoint_id=1, state=DeliveryState.SUCCEEDED),
    DeliveryFilter(text="record.deleted"),
]


async def _filters(pilot, screen) -> list[tuple[float, float]]:
    timings = []
    for chosen in FILTERS + [DeliveryFilter()]:
        started, cpu = time.perf_counter(), time.process_time()
        screen.post_message(FilterApplied(chosen))
        await wait_for(pilot, lambda: screen.overview.delivery_filter == chosen and screen.log_table.row_count > 0)
        timings.append((time.perf_counter() - started, time.process_time() - cpu))
        print(f"  filter {describe_filter(chosen) or '(none)':32s} {timings[-1][0] * 1000:8.1f} ms", flush=True)
    return timings


async def _idle_cpu(pilot) -> float:
    await pilot.pause(1.0)
    before, wall = os.times(), time.perf_counter()
    await asyncio.sleep(IDLE_SECONDS)
    after = os.times()
    used = (after.user - before.user) + (after.system - before.system)
    return used / (time.perf_counter() - wall)


class BareTable(App):
    """Baseline: a bare Textual app with one 100-row DataTable of eight columns."""

    def compose(self):
        table = DataTable(cursor_type="row")
        table.add_columns(*"abcdefgh")
        self.append(table, 100)
        yield table

    @staticmethod
    def append(table: DataTable, count: int) -> None:
        start = table.row_count
        for row in range(start, start + count):
            table.add_row(f"#{row}", "09:00:00", "record.updated", "127.0.0.1:9/hooks", "succeeded", "1", "HTTP 200", "-")


async def baseline() -> tuple[float, list[tuple[float, float]], list[tuple[float, float]]]:
    """Return the bare app's idle CPU share, its 50-row appends and its pagedowns."""
    app = BareTable()
    async with app.run_test(size=(120, 36)) as pilot:
        idle = await _idle_cpu(pilot)
        table = app.query_one(DataTable)
        timings = []
        for _ in range(20):
            started, cpu = time.perf_counter(), time.process_time()
            BareTable.append(table, 50)
            await pilot.pause()
            timings.append((time.perf_counter() - started, time.process_time() - cpu))
        table.focus()
        return idle, timings, await _scroll(pilot, table)


def summary(name: str, values: list[tuple[float, float]]) -> str:
    """Format wall-clock and CPU milliseconds of (wall, cpu) pairs."""
    wall = sorted(pair[0] * 1000 for pair in values)
    cpu = sorted(pair[1] * 1000 for pair in values)
    p95 = wall[max(0, int(len(wall) * 0.95) - 1)]
    return (f"{name:14s} wall median {statistics.median(wall):6.1f} ms  p95 {p95:6.1f} ms  max {wall[-1]:6.1f} ms"
            f"  | cpu median {statistics.median(cpu):6.1f} ms  (n={len(wall)})")


async def measure(path: Path, memory_pages: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        empty = Path(directory) / "empty.sqlite3"
        Ledger.open(empty).close()
        baseline_paint = min([await first_paint(empty) for _ in range(3)])
    paints = [await first_paint(path) for _ in range(3)]
    figures = await interactive(path)
    bare_idle, bare_appends, bare_scroll = await baseline()

    print(f"first paint    best {min(paints) * 1000:7.1f} ms   worst {max(paints) * 1000:7.1f} ms"
          f"   (empty ledger {baseline_paint * 1000:.1f} ms, ratio {min(paints) / baseline_paint:.2f})")
    print(summary("log page", figures["log page"]))
    print(summary("history page", figures["history page"]))
    print(summary("pagedown", figures["pagedown"]) + f"   (log rows loaded after: {figures['rows after scroll']:,})")
    print(summary("filter", figures["filter"]))
    print(summary("bare append", bare_appends) + "   (baseline: 50 rows added to a bare DataTable)")
    print(summary("bare pagedown", bare_scroll) + "   (baseline: pagedown in that bare DataTable)")
    print(f"idle cpu       {figures['idle cpu'] * 100:5.2f} % of one core over {IDLE_SECONDS:.0f} s"
          f"   (bare DataTable app {bare_idle * 100:.2f} %)")
    print(memory_line(await paged_memory(path, memory_pages)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000, help="Deliveries in the ledger (default 1,000,000).")
    parser.add_argument("--runs", type=int, default=100_000, help="Sync runs in the ledger (default 100,000).")
    parser.add_argument("--ledger", type=Path, default=Path(tempfile.gettempdir()) / "odoo-relay-bench-tui.sqlite3",
                        help="Ledger file to build or reuse.")
    parser.add_argument("--memory-pages", type=int, default=200,
                        help="Pages of 50 deliveries to load for the memory figure (default 200).")
    parser.add_argument("--memory-only", action="store_true", help="Measure only the memory of paging down.")
    options = parser.parse_args()
    if not ledger_ready(options.ledger, options.deliveries, options.runs):
        options.ledger.unlink(missing_ok=True)
        build_ledger(options.ledger, options.deliveries, options.runs)
    if options.memory_only:
        print(memory_line(asyncio.run(paged_memory(options.ledger, options.memory_pages))))
        return
    asyncio.run(measure(options.ledger, options.memory_pages))


if __name__ == "__main__":
    main()
