"""bench/sync.py runs end to end with tiny sizes (the figures themselves live in docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "sync.py"


@pytest.mark.slow
def test_bench_sync_tiny_run():
    output = subprocess.run(
        [sys.executable, str(BENCH), "--records", "150", "--repeats", "1", "--page-size", "50"],
        capture_output=True, text=True, timeout=180, check=True,
    )

    summary = json.loads(output.stdout.strip().splitlines()[-1])
    assert summary["page_size"] == 50
    assert [result["records"] for result in summary["results"]] == [150]
    for result in summary["results"]:
        assert result["bare_seconds"] > 0
        assert result["sync_seconds"] > 0
        assert result["bare_cpu_seconds"] > 0
        assert result["sync_cpu_seconds"] > 0
        assert len(result["load_average"]) == 2
        assert result["ratio"] == pytest.approx(result["sync_seconds"] / result["bare_seconds"])
        assert 0 < result["sync_peak_rss_mb"] < 1000
    assert "150 records: bare" in output.stdout
