"""Benchmark: pull N records through OdooClient.iter_pages against a bare httpx JSON-RPC loop.

Both sides run in this process against the same sandbox Odoo, which runs in
a child process so that its work and memory stay out of the figures. The
bare loop sends the same search_read calls as the client's keyset reader
(see core/odoo/pages.py) and keeps the raw JSON, so the ratio is the
client's own cost: value conversion, error checks and retry wrapping.
The CPU time of this process is reported too: it leaves out the
sandbox's work and is less moved by other load, so its ratio is the
client's own cost, larger than the wall-clock ratio by construction.
Peak memory is traced while each side streams the records and drops
every page. It should not grow with the record count. httpx responses
are freed by the cyclic garbage collector, so the peak moves by a few
hundred KiB with its timing.

Run:  .venv/bin/python bench/odoo_read.py [--records 10000 50000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.odoo import CredentialKind, OdooClient, Protocol  # noqa: E402
from core.secrets import Secret  # noqa: E402

MODEL = "maintenance.request"
FIELDS = ["name", "equipment_id", "stage_id", "request_date", "schedule_date", "priority", "maintenance_type", "duration", "write_date"]
ODOO_FORMAT = "%Y-%m-%d %H:%M:%S"


# --- the sandbox in a child process --------------------------------------------


def serve(records: int) -> None:
    """Child process: serve a sandbox grown to ``records`` records until stdin closes."""
    from core.sandbox import SandboxServer

    server = SandboxServer(version="18.0", scale={MODEL: records}).start()
    print(json.dumps({"url": server.url, "database": server.database}), flush=True)
    sys.stdin.read()
    server.stop()


class SandboxProcess:
    """A sandbox child process; closing its stdin stops it."""

    def __init__(self, records: int) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(records)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.process.stdout.readline()
        if not line:
            self.process.kill()
            raise RuntimeError(f"the sandbox child (pid {self.process.pid}) exited before printing its URL")
        started = json.loads(line)
        self.url, self.database = started["url"], started["database"]

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- the bare loop ---------------------------------------------------------------


class BareJsonRpc:
    """search_read over plain httpx, parsed with orjson as the client parses, with no conversion or checks."""

    def __init__(self, http: httpx.AsyncClient, url: str, database: str, uid: int, password: str) -> None:
        self.http, self.url, self.database, self.uid, self.password = http, url + "/jsonrpc", database, uid, password
        self.next_id = 0

    async def search_read(self, domain: list, order: str, limit: int) -> list[dict]:
        self.next_id += 1
        kwargs = {"fields": FIELDS + ["id"], "order": order, "limit": limit}
        args = [self.database, self.uid, self.password, MODEL, "search_read", [domain], kwargs]
        payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": "execute_kw", "args": args}, "id": self.next_id}
        response = await self.http.post(self.url, content=json.dumps(payload, separators=(",", ":")), headers={"Content-Type": "application/json"})
        return orjson.loads(response.content)["result"]


def _next_second(text: str) -> str:
    return (datetime.strptime(text, ODOO_FORMAT) + timedelta(seconds=1)).strftime(ODOO_FORMAT)


async def bare_pages(rpc: BareJsonRpc, page_size: int):
    """Yield pages like the keyset reader of core/odoo/pages.py, over raw strings."""
    second, seen = None, []
    while True:
        bounds = []
        if second is not None:
            bounds = [["write_date", ">=", second]]
            if seen:
                bounds += ["|", ["write_date", ">=", _next_second(second)], ["id", "not in", seen]]
        page = await rpc.search_read(bounds, "write_date asc, id asc", page_size)
        if page:
            yield page
        if len(page) < page_size:
            break
        last = page[-1]["write_date"]
        in_last = [record["id"] for record in page if record["write_date"] == last]
        if last != second:
            second, seen = last, in_last
            continue
        excluded, after_id = seen + in_last, 0
        while True:
            bucket = [["write_date", ">=", second], ["write_date", "<", _next_second(second)], ["id", ">", after_id], ["id", "not in", excluded]]
            page = await rpc.search_read(bucket, "id asc", page_size)
            if page:
                yield page
                after_id = page[-1]["id"]
            if len(page) < page_size:
                break
        second, seen = _next_second(second), []
    if second is not None:
        async for page in _bare_unstamped(rpc, page_size):
            yield page


async def _bare_unstamped(rpc: BareJsonRpc, page_size: int):
    after_id = 0
    while True:
        page = await rpc.search_read([["write_date", "=", False], ["id", ">", after_id]], "id asc", page_size)
        if page:
            yield page
            after_id = page[-1]["id"]
        if len(page) < page_size:
            return


# --- measuring -------------------------------------------------------------------


async def time_client(client: OdooClient, page_size: int) -> tuple[float, float, int]:
    """Return (wall seconds, this process's CPU seconds, records) for one client pass."""
    started, cpu_started, count = time.perf_counter(), time.process_time(), 0
    async for page in client.iter_pages(MODEL, [], FIELDS, page_size=page_size):
        count += len(page)
    return time.perf_counter() - started, time.process_time() - cpu_started, count


async def time_bare(rpc: BareJsonRpc, page_size: int) -> tuple[float, float, int]:
    """Return (wall seconds, this process's CPU seconds, records) for one bare pass."""
    started, cpu_started, count = time.perf_counter(), time.process_time(), 0
    async for page in bare_pages(rpc, page_size):
        count += len(page)
    return time.perf_counter() - started, time.process_time() - cpu_started, count


async def peak_memory(pages) -> int:
    """Return the peak bytes traced while ``pages`` is consumed and each page dropped."""
    tracemalloc.start()
    try:
        async for page in pages:
            del page
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def measure(records: int, page_size: int, repeats: int) -> dict:
    sandbox = SandboxProcess(records)
    try:
        client = await OdooClient.connect(sandbox.url, sandbox.database, "admin", Secret("admin"), CredentialKind.PASSWORD, protocol=Protocol.JSONRPC)
        async with client, httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
            await client.field_types(MODEL)
            rpc = BareJsonRpc(http, sandbox.url, sandbox.database, client.uid, "admin")
            client_times, bare_times, client_cpus, bare_cpus = [], [], [], []
            for _ in range(repeats):
                # Alternate the two sides so drift on a shared machine hits both.
                client_seconds, client_cpu, client_count = await time_client(client, page_size)
                bare_seconds, bare_cpu, bare_count = await time_bare(rpc, page_size)
                if client_count != bare_count:
                    raise RuntimeError(f"client read {client_count} records, bare loop {bare_count}")
                client_times.append(client_seconds)
                bare_times.append(bare_seconds)
                client_cpus.append(client_cpu)
                bare_cpus.append(bare_cpu)
            client_peak = await peak_memory(client.iter_pages(MODEL, [], FIELDS, page_size=page_size))
            bare_peak = await peak_memory(bare_pages(rpc, page_size))
    finally:
        sandbox.stop()
    # Each pair ran back to back, so both sides of a ratio saw the same load.
    # The median of the pairs resists a noisy neighbour best.
    pair_ratios = sorted(client / bare for client, bare in zip(client_times, bare_times))
    cpu_ratios = sorted(client / bare for client, bare in zip(client_cpus, bare_cpus))
    return {
        "cpu_ratio": cpu_ratios[len(cpu_ratios) // 2],
        "records": client_count,
        "client_s": min(client_times),
        "bare_s": min(bare_times),
        "ratio": pair_ratios[len(pair_ratios) // 2],
        "client_peak_kib": client_peak / 1024,
        "bare_peak_kib": bare_peak / 1024,
    }


def load_average() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


async def run(sizes: list[int], page_size: int, repeats: int) -> list[dict]:
    print(f"machine: {machine()}")
    print(f"model {MODEL}, {len(FIELDS)} fields, page size {page_size}, {repeats} alternating passes, JSON-RPC")
    print(f"load average before: {load_average()}")
    results = []
    for size in sizes:
        result = await measure(size, page_size, repeats)
        results.append(result)
        print(
            f"{result['records']:>7} records: best client {result['client_s']:.3f} s, best bare {result['bare_s']:.3f} s, "
            f"median ratio {result['ratio']:.3f}x (CPU of this process {result['cpu_ratio']:.3f}x), peak memory client {result['client_peak_kib']:.0f} KiB, bare {result['bare_peak_kib']:.0f} KiB"
        )
    print(f"load average after: {load_average()}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 50_000], help="record counts to pull, one run each")
    parser.add_argument("--page-size", type=int, default=500, help="records per search_read page")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes per side, run in alternating pairs")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve is not None:
        serve(options.serve)
        return
    asyncio.run(run(options.records, options.page_size, options.repeats))


if __name__ == "__main__":
    main()
