"""Benchmark the ledger's enqueue and claim-and-complete rates against plain sqlite3.

    .venv/bin/python bench/ledger.py --events 100000

Enqueue: ``--events`` record events appended through ``Ledger.append_events``
in batches of ``--batch``, each fanned out to ``--endpoints`` endpoints (one
delivery per event and endpoint). The baseline inserts the same event and
delivery rows, built before the clock starts, with plain ``sqlite3``
``executemany`` into a second ledger file with the same schema, pragmas and
batch transactions.

Claim and complete: ``--claims`` deliveries leased with ``claim_due`` and
recorded as succeeded with ``complete_many``, ``--claim-batch`` at a time.
The baseline runs the same UPDATE and INSERT statements by id with plain
``executemany`` on the baseline file.

Each round uses fresh files and alternates which side goes first. Rates
are the best round of each side; ratios are the median of the rounds' own
ratios. Prints one line per figure and a final JSON line with all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ids import new_event_id  # noqa: E402
from core.ledger import (  # noqa: E402
    AttemptRecord,
    CompletedAttempt,
    CredentialKind,
    DeliveryFilter,
    DeliveryOutcome,
    DeliveryState,
    Ledger,
    NewConnection,
    NewEndpoint,
    NewEvent,
)
from core.ledger.codec import dump_json  # noqa: E402
from core.secrets import Secret  # noqa: E402

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SUCCEEDED = DeliveryOutcome(DeliveryState.SUCCEEDED)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to enqueue (default 100,000)")
    parser.add_argument("--endpoints", type=int, default=3, help="endpoints each event fans out to (default 3)")
    parser.add_argument("--batch", type=int, default=1000, help="events per append_events call (default 1000)")
    parser.add_argument("--claims", type=int, default=100_000, help="deliveries to claim and complete (default 100,000)")
    parser.add_argument("--claim-batch", type=int, default=500, help="deliveries per claim (default 500)")
    parser.add_argument("--pages", type=int, default=200, help="delivery pages to time at the end (default 200)")
    parser.add_argument(
        "--large", type=int, default=0,
        help="also time reads on a ledger of this many deliveries, one endpoint (default 0: skip)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds on fresh files: best rate per side, median ratio per round (default 3)")
    return parser.parse_args(argv)


def _record_event(connection_id: int, n: int) -> NewEvent:
    record = {"id": n, "name": f"Pump {n}", "serial_no": f"SN-{n:08d}", "category_id": {"id": 3, "name": "Pumps"}}
    data = {"stream": "assets", "model": "maintenance.equipment", "odoo_id": n, "record": record}
    return NewEvent("record.created", connection_id, data)


def _prepare_ledger(path: Path, endpoints: int, max_in_flight: int) -> tuple[Ledger, int]:
    ledger = Ledger.open(path, create=True)
    connection = ledger.add_connection(
        NewConnection("bench", "http://127.0.0.1:9", "bench", "admin", Secret("admin"), CredentialKind.PASSWORD), NOW
    )
    for index in range(endpoints):
        endpoint = NewEndpoint(f"http://127.0.0.1:9/hook/{index}", Secret("whsec_YmVuY2g="), max_in_flight=max_in_flight)
        ledger.add_endpoint(endpoint, NOW)
    return ledger, connection.id


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def enqueue_through_ledger(ledger: Ledger, events: list[NewEvent], batch: int) -> float:
    started = time.perf_counter()
    for chunk in _batches(events, batch):
        ledger.append_events(chunk, NOW)
    return time.perf_counter() - started


def _plain_rows(events: list[NewEvent], endpoint_ids: list[int]) -> list[tuple[list, list]]:
    created = NOW.timestamp()
    event_rows, delivery_rows = [], []
    for seq, event in enumerate(events, start=1):
        event_rows.append((seq, new_event_id(), event.type, event.connection_id, created, dump_json(event.data)))
        for endpoint_id in endpoint_ids:
            delivery_rows.append((seq, event.type, event.connection_id, endpoint_id, created, created, created))
    return event_rows, delivery_rows


def enqueue_plain(conn: sqlite3.Connection, events: list[NewEvent], endpoint_ids: list[int], batch: int) -> float:
    event_rows, delivery_rows = _plain_rows(events, endpoint_ids)
    per_batch = len(endpoint_ids)
    started = time.perf_counter()
    for index, chunk in enumerate(_batches(event_rows, batch)):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO events (seq, id, type, connection_id, created_at, data) VALUES (?, ?, ?, ?, ?, ?)", chunk
        )
        conn.executemany(
            "INSERT INTO deliveries (event_seq, event_type, connection_id, endpoint_id, state, attempts,"
            " created_at, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
            delivery_rows[index * batch * per_batch : (index + 1) * batch * per_batch],
        )
        conn.execute("COMMIT")
    return time.perf_counter() - started


def _attempt(started: datetime) -> AttemptRecord:
    return AttemptRecord(started, 3.2, 204, None, None, "", {"webhook-id": "evt_bench"}, int(started.timestamp()))


def claim_complete_through_ledger(ledger: Ledger, total: int, batch: int) -> tuple[float, int]:
    done = 0
    started = time.perf_counter()
    while done < total:
        claims = ledger.claim_due("bench", NOW, limit=min(batch, total - done), lease_seconds=60)
        if not claims:
            break
        items = [CompletedAttempt(c.delivery_id, c.lease_token, _attempt(NOW), SUCCEEDED) for c in claims]
        done += sum(ledger.complete_many(items, NOW))
    return time.perf_counter() - started, done


def claim_complete_plain(conn: sqlite3.Connection, total: int, batch: int) -> tuple[float, int]:
    now = NOW.timestamp()
    headers = json.dumps({"webhook-id": "evt_bench"})
    ids = [row[0] for row in conn.execute("SELECT id FROM deliveries WHERE state = 'pending' ORDER BY id LIMIT ?", (total,))]
    started = time.perf_counter()
    for chunk in _batches(ids, batch):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "UPDATE deliveries SET state = 'in_flight', lease_owner = 'bench', lease_token = 'token',"
            " lease_expires_at = ?, updated_at = ? WHERE id = ?",
            [(now + 60, now, delivery_id) for delivery_id in chunk],
        )
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "UPDATE deliveries SET state = 'succeeded', attempts = attempts + 1, first_attempt_at = ?,"
            " deadline_at = ?, succeeded_at = ?, updated_at = ?, lease_owner = NULL, lease_token = NULL,"
            " lease_expires_at = NULL WHERE id = ?",
            [(now, now + 86400, now, now, delivery_id) for delivery_id in chunk],
        )
        conn.executemany(
            "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code,"
            " request_headers, webhook_timestamp) VALUES (?, 1, ?, 3.2, 204, ?, ?)",
            [(delivery_id, now, headers, int(now)) for delivery_id in chunk],
        )
        conn.execute("COMMIT")
    return time.perf_counter() - started, len(ids)


def _plain_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "busy_timeout = 5000"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def time_pages(ledger: Ledger, pages: int) -> dict[str, float]:
    """Return milliseconds per 50-row page, newest first, unfiltered and by state."""
    figures = {}
    for name, where in (("all", DeliveryFilter()), ("succeeded", DeliveryFilter(state=DeliveryState.SUCCEEDED))):
        key, count = None, 0
        started = time.perf_counter()
        while count < pages:
            page = ledger.list_deliveries(where, before=key, limit=50)
            count += 1
            if page.next_key is None:
                break
            key = page.next_key
        figures[name] = (time.perf_counter() - started) * 1000 / count
    return figures


def _mean_ms(read, times: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(times):
        read()
    return (time.perf_counter() - started) * 1000 / times


def time_large_ledger(rows: int, folder: Path) -> dict[str, float]:
    """Fill a ledger with ``rows`` deliveries to one endpoint; return milliseconds per read."""
    ledger, connection_id = _prepare_ledger(folder / "large" / "large.sqlite3", 1, 500)
    for start in range(0, rows, 20_000):
        ledger.append_events([_record_event(connection_id, n) for n in range(start, min(rows, start + 20_000))], NOW)
    middle = rows // 2
    figures = {
        "large_rows": rows,
        "large_page_ms": _mean_ms(lambda: ledger.list_deliveries(limit=50)),
        "large_page_middle_ms": _mean_ms(lambda: ledger.list_deliveries(before=middle, limit=50)),
        "large_page_by_state_ms": _mean_ms(
            lambda: ledger.list_deliveries(DeliveryFilter(state=DeliveryState.PENDING), before=middle, limit=50)
        ),
        "large_events_page_ms": _mean_ms(lambda: ledger.list_events(after_seq=middle, limit=100)),
        "large_totals_ms": _mean_ms(ledger.totals),
        "large_failing_ms": _mean_ms(ledger.failing_deliveries_by_connection),
        "large_next_due_ms": _mean_ms(ledger.next_due_at),
    }
    ledger.close()
    return figures


def run_round(args: argparse.Namespace, folder: Path, ledger_first: bool) -> dict[str, float]:
    """Run both sides once on fresh files; return seconds and counts per measurement."""
    max_in_flight = max(args.claim_batch, 1)
    ledger, connection_id = _prepare_ledger(folder / "ledger" / "a.sqlite3", args.endpoints, max_in_flight)
    plain_ledger, _ = _prepare_ledger(folder / "plain" / "b.sqlite3", args.endpoints, max_in_flight)
    endpoint_ids = [endpoint.id for endpoint in plain_ledger.list_endpoints()]
    plain_ledger.close()
    plain = _plain_connection(folder / "plain" / "b.sqlite3")
    events = [_record_event(connection_id, n) for n in range(args.events)]
    claims = min(args.claims, args.events * args.endpoints)

    # Alternate which side goes first, so neither always meets a cold cache.
    figures: dict[str, float] = {}
    for side in (("ledger", "plain") if ledger_first else ("plain", "ledger")):
        if side == "ledger":
            figures["enqueue"] = enqueue_through_ledger(ledger, events, args.batch)
        else:
            figures["plain_enqueue"] = enqueue_plain(plain, events, endpoint_ids, args.batch)
    for side in (("ledger", "plain") if ledger_first else ("plain", "ledger")):
        if side == "ledger":
            figures["claim"], figures["claimed"] = claim_complete_through_ledger(ledger, claims, args.claim_batch)
        else:
            figures["plain_claim"], figures["plain_claimed"] = claim_complete_plain(plain, claims, args.claim_batch)
    page_ms = time_pages(ledger, args.pages)
    figures["page_ms_all"], figures["page_ms_by_state"] = page_ms["all"], page_ms["succeeded"]
    ledger.close()
    plain.close()
    return figures


def main(argv: list[str] | None = None) -> dict[str, object]:
    args = parse_args(argv)
    rounds = []
    for index in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-ledger-") as folder:
            rounds.append(run_round(args, Path(folder), ledger_first=index % 2 == 1))

    # Rates: the best round of each side, since noise on a shared machine
    # only ever adds time. Ratios: the median of each round's own ratio,
    # because the two sides of one round ran minutes apart at most, while
    # the best rounds of each side may come from different load levels.
    def best(name: str) -> float:
        return min(round_[name] for round_ in rounds)

    def median_ratio(plain: str, ledger: str) -> float:
        return statistics.median(round_[plain] / round_[ledger] for round_ in rounds)

    claimed = rounds[0]["claimed"]
    plain_claimed = rounds[0]["plain_claimed"]
    figures = {
        "events": args.events,
        "deliveries": args.events * args.endpoints,
        "rounds": args.repeat,
        "enqueue_events_per_s": args.events / best("enqueue"),
        "plain_enqueue_events_per_s": args.events / best("plain_enqueue"),
        "enqueue_ratio": median_ratio("plain_enqueue", "enqueue"),
        "claimed": claimed,
        "claim_complete_per_s": claimed / best("claim"),
        "plain_claim_complete_per_s": plain_claimed / best("plain_claim"),
        "claim_complete_ratio": median_ratio("plain_claim", "claim") * claimed / plain_claimed,
        "enqueue_ratios_per_round": [round_["plain_enqueue"] / round_["enqueue"] for round_ in rounds],
        "page_ms_all": best("page_ms_all"),
        "page_ms_by_state": best("page_ms_by_state"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    if args.large:
        with tempfile.TemporaryDirectory(prefix="bench-ledger-") as folder:
            figures.update(time_large_ledger(args.large, Path(folder)))
    _print(figures)
    return figures


def _print(figures: dict[str, object]) -> None:
    print(f"enqueue (best of {figures['rounds']}): {figures['enqueue_events_per_s']:,.0f} events/s through the ledger "
          f"({figures['deliveries']:,} deliveries), plain sqlite3 {figures['plain_enqueue_events_per_s']:,.0f} events/s, "
          f"median ratio {figures['enqueue_ratio']:.2f} (goal >= 0.5)")
    print(f"claim+complete: {figures['claim_complete_per_s']:,.0f} deliveries/s through the ledger, plain sqlite3 "
          f"{figures['plain_claim_complete_per_s']:,.0f}/s, median ratio {figures['claim_complete_ratio']:.2f} "
          f"(goal >= 5,000/s)")
    print(f"delivery page of 50, newest first: {figures['page_ms_all']:.2f} ms; filtered by state: "
          f"{figures['page_ms_by_state']:.2f} ms")
    if "large_rows" in figures:
        print(f"at {figures['large_rows']:,} deliveries: page {figures['large_page_ms']:.2f} ms, "
              f"page mid-table {figures['large_page_middle_ms']:.2f} ms, by state {figures['large_page_by_state_ms']:.2f} ms, "
              f"events page {figures['large_events_page_ms']:.2f} ms, totals {figures['large_totals_ms']:.2f} ms, "
              f"failing by connection {figures['large_failing_ms']:.2f} ms, next_due_at {figures['large_next_due_ms']:.2f} ms")
    print(f"machine: nproc {figures['nproc']}, Python {figures['python']}, SQLite {figures['sqlite']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
