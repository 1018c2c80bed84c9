"""bench/odoo_read.py runs end to end with tiny sizes (figures are not checked here)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_runs_with_tiny_sizes():
    command = [sys.executable, str(ROOT / "bench" / "odoo_read.py"), "--records", "300", "600", "--page-size", "50", "--repeats", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if re.match(r"^\s*\d+ records: ", line)]
    assert len(lines) == 2
    assert lines[0].split()[0] == "300"
    assert lines[1].split()[0] == "600"
    for line in lines:
        assert re.search(r"ratio \d+\.\d+x", line)
        assert re.search(r"peak memory client \d+ KiB, bare \d+ KiB", line)
