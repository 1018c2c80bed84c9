"""Benchmark durable webhook deliveries against bare HTTP client loops.

    .venv/bin/python bench/dispatch.py --deliveries 20000 --concurrency 64

A minimal asyncio HTTP/1.1 server runs in a separate process, so it does
not share the dispatcher's event loop. In one run the script measures:

- bare loops: ``--deliveries`` POSTs of one signed webhook body with
  ``--concurrency`` workers, once per client (httpx's default transport,
  httpx with the httpx-aiohttp transport, aiohttp alone);
- the dispatcher: ``--deliveries`` events queued in a fresh ledger for one
  endpoint with ``max_in_flight = --concurrency``, sent by ``Dispatcher.run``
  until every delivery is recorded as succeeded. Queueing is not timed.

It prints one line per figure and a final JSON line with all of them. With
``--rounds``, every figure is the median over the rounds, and the ratio is
the median of each round's dispatcher rate divided by that round's
fastest bare loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from httpx_aiohttp import AiohttpTransport  # noqa: E402

from core.clock import SystemClock  # noqa: E402
from core.ledger import DeliveryState, Ledger, NewEndpoint, NewEvent  # noqa: E402
from core.runtime import tune_garbage_collector  # noqa: E402
from core.webhooks.dispatcher import Dispatcher  # noqa: E402
from core.webhooks.message import build_request  # noqa: E402
from core.webhooks.signing import generate_secret  # noqa: E402

RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=20_000, help="POSTs per loop and deliveries queued (default 20,000)")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight at once (default 64)")
    parser.add_argument(
        "--clients",
        default="httpx,httpx-aiohttp,aiohttp",
        help="bare client loops to run, comma-separated (default: all three)",
    )
    parser.add_argument(
        "--httpx-default-requests",
        type=int,
        default=3000,
        help="POSTs for the httpx default-transport loop, which is far slower than the others (default 3,000)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every loop this many times, interleaved, and report medians (default 1)",
    )
    parser.add_argument("--batch", type=int, default=200, help="events per append_events call while queueing (default 200)")
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep CPython's default garbage collector settings instead of the ones odoo-relay serve and"
        " the monitor set at start-up (core.runtime); both apply to the bare loops and the dispatcher alike",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the minimal receiver, run in its own process ----------------------------


class MinimalHttpProtocol(asyncio.Protocol):
    """Respond 200 ``ok`` to every HTTP/1.1 request; keep-alive, Content-Length bodies only."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            length = _content_length(self.buffer[:head_end])
            request_end = head_end + 4 + length
            if len(self.buffer) < request_end:
                return
            self.buffer = self.buffer[request_end:]
            self.transport.write(RESPONSE)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


async def serve_forever() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(MinimalHttpProtocol, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    # The parent closes stdin to stop this process.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def start_receiver() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    port = int(process.stdout.readline())
    return process, f"http://127.0.0.1:{port}/hook"


# --- bare client loops ---------------------------------------------------------


async def _run_workers(total: int, concurrency: int, post_once) -> float:
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            await post_once()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def bare_httpx(url: str, body: bytes, headers: dict, total: int, concurrency: int, transport=None) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, transport=transport) as client:

        async def post_once() -> None:
            response = await client.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"bare httpx POST got HTTP {response.status_code}")

        return await _run_workers(total, concurrency, post_once)


async def bare_httpx_aiohttp(url: str, body: bytes, headers: dict, total: int, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    transport = AiohttpTransport(limits=limits)
    return await bare_httpx(url, body, headers, total, concurrency, transport=transport)


async def bare_aiohttp(url: str, body: bytes, headers: dict, total: int, concurrency: int) -> float:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post_once() -> None:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"bare aiohttp POST got HTTP {response.status}")

        return await _run_workers(total, concurrency, post_once)


def sample_request(url: str):
    """Build one signed request like the dispatcher's, for the bare loops."""
    secret = generate_secret()
    now = datetime.now(UTC)
    ledger_path = Path(tempfile.mkdtemp(prefix="bench-dispatch-sample-")) / "ledger.sqlite3"
    with Ledger.open(ledger_path) as ledger:
        endpoint = ledger.add_endpoint(NewEndpoint(url, secret), now)
        event = ledger.append_events([NewEvent("record.updated", 1, _event_data(0))], now)[0]
    request = build_request(event, endpoint, now)
    return request.body, request.headers


def _event_data(n: int) -> dict:
    return {"stream": "assets", "model": "maintenance.equipment", "odoo_id": n, "changed_fields": ["name"]}


# --- the dispatcher ------------------------------------------------------------


def queue_deliveries(ledger: Ledger, url: str, total: int, concurrency: int, batch: int) -> None:
    now = datetime.now(UTC)
    # Twice the concurrency in leases lets the dispatcher claim its next
    # batch while `concurrency` requests are in flight, as in production
    # where many endpoints share the dispatcher's send slots.
    ledger.add_endpoint(NewEndpoint(url, generate_secret(), max_in_flight=2 * concurrency), now)
    for start in range(0, total, batch):
        events = [NewEvent("record.updated", 1, _event_data(n)) for n in range(start, min(total, start + batch))]
        ledger.append_events(events, now)


async def run_dispatcher(ledger: Ledger, total: int, concurrency: int) -> float:
    dispatcher = Dispatcher(ledger, SystemClock(), "bench", max_concurrency=concurrency, batch_size=concurrency)
    stop = asyncio.Event()

    async def stop_when_done() -> None:
        # A ledger read on this loop took about 0.27 ms, polled every 10 ms,
        # so the loop first waits on the dispatcher's own counter. Then
        # next_due_at, None once nothing is pending or in flight, confirms
        # that every attempt is recorded.
        while dispatcher.attempts_sent < total:
            await asyncio.sleep(0.01)
        while ledger.next_due_at() is not None:
            await asyncio.sleep(0.01)
        stop.set()

    started = time.perf_counter()
    await asyncio.gather(dispatcher.run(stop), stop_when_done())
    elapsed = time.perf_counter() - started

    counts = ledger.totals().deliveries_by_state
    if counts[DeliveryState.SUCCEEDED] != total:
        raise RuntimeError(f"expected {total} succeeded deliveries, ledger has {dict(counts)}")
    return total / elapsed


# --- main ------------------------------------------------------------------------


async def measure_round(args: argparse.Namespace, url: str, body: bytes, headers: dict) -> dict[str, float]:
    clients = set(args.clients.split(","))
    rates = {}
    if "httpx" in clients:
        requests = min(args.deliveries, args.httpx_default_requests)
        rates["bare_httpx_default_per_s"] = await bare_httpx(url, body, headers, requests, args.concurrency)
    if "httpx-aiohttp" in clients:
        rates["bare_httpx_aiohttp_per_s"] = await bare_httpx_aiohttp(url, body, headers, args.deliveries, args.concurrency)
    if "aiohttp" in clients:
        rates["bare_aiohttp_per_s"] = await bare_aiohttp(url, body, headers, args.deliveries, args.concurrency)

    ledger_path = Path(tempfile.mkdtemp(prefix="bench-dispatch-")) / "ledger.sqlite3"
    with Ledger.open(ledger_path) as ledger:
        queue_deliveries(ledger, url, args.deliveries, args.concurrency, args.batch)
        rates["dispatcher_durable_per_s"] = await run_dispatcher(ledger, args.deliveries, args.concurrency)
    return rates


async def measure(args: argparse.Namespace, url: str) -> dict:
    """Run the rounds and return the median of each rate and of the per-round ratios.

    Each round's ratio compares the dispatcher with the fastest bare loop of
    that same round, so load that comes and goes on a shared machine hits
    both sides of one ratio alike.
    """
    body, headers = sample_request(url)
    rounds = [await measure_round(args, url, body, headers) for _ in range(args.rounds)]

    ratios = []
    for rates in rounds:
        fastest = max(value for key, value in rates.items() if key.startswith("bare_"))
        ratios.append(rates["dispatcher_durable_per_s"] / fastest)
    results = {name: statistics.median(rates[name] for rates in rounds) for name in rounds[0]}
    results["ratio_vs_fastest_bare"] = statistics.median(ratios)
    results["ratio_per_round"] = ratios
    return results


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.serve:
        asyncio.run(serve_forever())
        return {}

    receiver, url = start_receiver()
    if not args.default_gc:
        # As `odoo-relay serve` does once it has started. The bare loops run
        # in this process too, so both sides of the ratio get the setting.
        tune_garbage_collector()
    try:
        results = asyncio.run(measure(args, url))
    finally:
        receiver.stdin.close()
        receiver.wait(timeout=10)

    for name, value in results.items():
        if isinstance(value, list):
            print(f"{name:28} {' '.join(f'{item:.2f}' for item in value)}")
        else:
            print(f"{name:28} {value:10.2f}")
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine()}
    settings = {"deliveries": args.deliveries, "concurrency": args.concurrency, "rounds": args.rounds,
                "gc": "default" if args.default_gc else "tuned"}
    print(json.dumps({**settings, **machine, **results}))
    return results


if __name__ == "__main__":
    main()
