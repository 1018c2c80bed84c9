"""Benchmark ``GET /v1/events`` pages per second against bare baselines in the same run.

    .venv/bin/python bench/api.py --events 1000000 --pages 3000

Builds a ledger with ``--events`` events (90% on the polled connection, the
rest on a second one), serves the API on loopback, and walks the event list
page by page with one keep-alive client. Two baselines run in the same
process on the same machine:

- ledger: the same keyset query through ``Ledger.list_events``, no HTTP;
- bare HTTP: a Starlette route on the same uvicorn stack returning a fixed
  page of the same events, so only auth, cursors, the ledger and the event
  views differ.

Prints one line per figure and a final JSON line with all of them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.api import ApiSettings, RateLimit, create_api_app  # noqa: E402
from core.api.views import event_view  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.http_server import start_in_thread  # noqa: E402
from core.ledger import Ledger  # noqa: E402
from core.ledger.models import CredentialKind, NewConnection, NewEvent  # noqa: E402
from core.secrets import Secret  # noqa: E402
from core.tokens import generate_token  # noqa: E402

BATCH = 20_000
OTHER_CONNECTION_SHARE = 10  # every 10th event belongs to the other connection
ROUNDS = 10


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the ledger (default 1,000,000)")
    parser.add_argument("--pages", type=int, default=3000, help="pages fetched per measurement (default 3000)")
    parser.add_argument("--limit", type=int, default=100, help="events per page (default 100)")
    parser.add_argument("--ledger", type=Path, help="ledger file to build, or to reuse if an earlier run built it (default: a temporary file)")
    return parser.parse_args(argv)


def _add_connection(ledger: Ledger, name: str) -> tuple[int, str]:
    new = NewConnection(name, "http://127.0.0.1:9", "bench", "admin", Secret("admin"), CredentialKind.PASSWORD)
    connection = ledger.add_connection(new)
    token = generate_token()
    ledger.issue_token(connection.id, token.hash, token.prefix, datetime.now(UTC))
    return connection.id, token.value


def reuse_ledger(path: Path) -> tuple[int, str]:
    """Issue a new token for the polled connection of a ledger built by an earlier run."""
    with Ledger.open(path, create=False) as ledger:
        polled = ledger.get_connection_by_name("polled")
        if polled is None:
            raise SystemExit(f"{path} has no connection named 'polled'; pass a new --ledger path to build one")
        token = generate_token()
        ledger.issue_token(polled.id, token.hash, token.prefix, datetime.now(UTC))
        print(f"reusing {ledger.totals().events:,} events in {path}", file=sys.stderr)
    return polled.id, token.value


def build_ledger(path: Path, events: int) -> tuple[int, str]:
    """Create the ledger with ``events`` events; return the polled connection id and its token."""
    if path.exists():
        return reuse_ledger(path)
    ledger = Ledger.open(path)
    polled_id, token = _add_connection(ledger, "polled")
    other_id, _ = _add_connection(ledger, "other")
    started = time.perf_counter()
    for start in range(0, events, BATCH):
        batch = [
            NewEvent("record.updated", other_id if index % OTHER_CONNECTION_SHARE == 0 else polled_id, {"stream": "assets", "odoo_id": index, "changed_fields": ["name"]})
            for index in range(start, min(events, start + BATCH))
        ]
        ledger.append_events(batch, datetime.now(UTC))
    print(f"built {events:,} events in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    ledger.close()
    return polled_id, token


def ledger_walker(path: Path, connection_id: int, limit: int):
    """Return a function that fetches the next page straight through the ledger."""
    ledger = Ledger.open(path)
    position = {"after": 0}

    def next_page() -> None:
        page = ledger.list_events(connection_id, position["after"], limit)
        position["after"] = page.items[-1].seq if page.next_key is not None else 0

    return next_page, ledger.close


def api_walker(url: str, token: str, limit: int):
    """Return a function that fetches the next page of /v1/events with its cursor."""
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})
    position = {"cursor": None}

    def next_page() -> None:
        cursor = position["cursor"]
        params = {"limit": limit} if cursor is None else {"limit": limit, "after": cursor}
        response = client.get("/v1/events", params=params)
        response.raise_for_status()
        body = response.json()
        position["cursor"] = body["next_cursor"] if body["has_more"] else None

    return next_page, client.close


def bare_app(path: Path, connection_id: int, limit: int) -> Starlette:
    """A route that returns one fixed, pre-rendered page of the same events."""
    with Ledger.open(path) as ledger:
        items = [event_view(event) for event in ledger.list_events(connection_id, 0, limit).items]
    body = json.dumps({"data": items, "next_cursor": "x", "has_more": True}).encode()

    async def page(request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/v1/events", page)])


def bare_walker(url: str, limit: int):
    """Return a function that fetches the fixed page and parses it, as the API client does."""
    client = httpx.Client(base_url=url)

    def next_page() -> None:
        response = client.get("/v1/events", params={"limit": limit})
        response.raise_for_status()
        response.json()

    return next_page, client.close


def measure_rounds(walkers: dict, pages: int, rounds: int = ROUNDS) -> dict[str, float]:
    """Return pages per second of each walker, taking turns so load changes hit all alike."""
    elapsed = {name: 0.0 for name in walkers}
    per_round = max(1, pages // rounds)
    for _ in range(rounds):
        for name, next_page in walkers.items():
            started = time.perf_counter()
            for _ in range(per_round):
                next_page()
            elapsed[name] += time.perf_counter() - started
    return {name: per_round * rounds / seconds for name, seconds in elapsed.items()}


def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        path = args.ledger or Path(scratch) / "bench.sqlite3"
        connection_id, token = build_ledger(path, args.events)
        with Ledger.open(path) as ledger:
            events = ledger.totals().events
        settings = ApiSettings(rate_limit=RateLimit(per_second=1e9, burst=10**9))
        with contextlib.ExitStack() as stack:
            api = stack.enter_context(start_in_thread(create_api_app(path, SystemClock(), settings=settings)))
            bare = stack.enter_context(start_in_thread(bare_app(path, connection_id, args.limit)))
            walkers = {}
            for name, (next_page, close) in {
                "api": api_walker(api.url, token, args.limit),
                "bare_http": bare_walker(bare.url, args.limit),
                "ledger": ledger_walker(path, connection_id, args.limit),
            }.items():
                walkers[name] = next_page
                stack.callback(close)
            rates = measure_rounds(walkers, args.pages)
    return {
        "events": events,
        "pages": args.pages,
        "limit": args.limit,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "api_pages_per_second": round(rates["api"], 1),
        "bare_http_pages_per_second": round(rates["bare_http"], 1),
        "ledger_pages_per_second": round(rates["ledger"], 1),
        "api_vs_bare_http": round(rates["api"] / rates["bare_http"], 3),
        "api_vs_ledger": round(rates["api"] / rates["ledger"], 3),
    }


def main(argv: list[str] | None = None) -> int:
    results = run(parse_args(argv))
    for name in ("api_pages_per_second", "bare_http_pages_per_second", "ledger_pages_per_second", "api_vs_bare_http", "api_vs_ledger"):
        print(f"{name}: {results[name]}", file=sys.stderr)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
