"""bench/odoo_read.py runs end to end with tiny sizes (figures are not checked here)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_runs_with_tiny_sizes():
    command = [sys.executable, str(ROOT / "bench" / "odoo_read.py"), "--records", "300", "--page-size", "50", "--repeats", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if re.match(r"^\s*\d+ records: ", line)]
    assert len(lines) == 1
    assert lines[0].split()[0] == "300"
    assert re.search(r"median ratio \d+\.\d+x", lines[0])
    assert re.search(r"peak memory client \d+ KiB, bare \d+ KiB", lines[0])
