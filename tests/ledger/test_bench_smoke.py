"""The ledger benchmark still runs (tiny sizes; its figures are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_with_tiny_sizes():
    completed = subprocess.run(
        [
            sys.executable, "bench/ledger.py",
            "--events", "200", "--claims", "300", "--repeat", "1", "--pages", "5", "--large", "500",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert figures["deliveries"] == 600
    assert figures["claimed"] == 300
    assert figures["enqueue_events_per_s"] > 0
    assert figures["claim_complete_per_s"] > 0
    assert figures["large_rows"] == 500
