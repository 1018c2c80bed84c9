"""bench/micro.py runs end to end with a small sandbox (the figures live in docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "micro.py"
FIGURES = [
    "deadline_asyncio_timeout_us", "deadline_shared_us", "deadline_none_us",
    "event_id_each_us", "event_ids_batch_us",
    "parse_json_module_ms", "parse_load_json_ms", "hashed_json_us", "encode_record_us",
    "commit_executemany_us", "commit_insert_rows_us", "commit_numbered_us",
]


@pytest.mark.slow
def test_bench_micro_small_run():
    output = subprocess.run(
        [sys.executable, str(BENCH), "--records", "1000"],
        capture_output=True, text=True, timeout=180, check=True,
    )

    summary = json.loads(output.stdout.strip().splitlines()[-1])
    assert summary["records"] == 1000
    assert summary["page_bytes"] > 100_000  # one full page of 500 records
    for name in FIGURES:
        assert summary[name] > 0, name
