"""bench/api.py runs end to end with tiny sizes (the figures themselves are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api.py"


def test_api_bench_runs_with_tiny_sizes(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH), "--events", "300", "--pages", "20", "--limit", "10", "--ledger", str(tmp_path / "bench.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["events"] == 300
    for name in ("api_pages_per_second", "bare_http_pages_per_second", "ledger_pages_per_second"):
        assert figures[name] > 0, name
    assert figures["api_vs_bare_http"] > 0
