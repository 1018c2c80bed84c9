"""bench/dispatch.py runs end to end with tiny sizes (no speed is checked here)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_with_tiny_sizes():
    result = subprocess.run(
        [sys.executable, "bench/dispatch.py", "--deliveries", "200", "--concurrency", "8", "--httpx-default-requests", "40"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("bare_httpx_default_per_s", "bare_httpx_aiohttp_per_s", "bare_aiohttp_per_s", "dispatcher_durable_per_s"):
        assert figures[name] > 0, name
    fastest = max(figures["bare_httpx_default_per_s"], figures["bare_httpx_aiohttp_per_s"], figures["bare_aiohttp_per_s"])
    assert figures["ratio_per_round"] == [figures["dispatcher_durable_per_s"] / fastest]
    assert figures["ratio_vs_fastest_bare"] == figures["ratio_per_round"][0]
