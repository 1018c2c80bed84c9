"""Run the installed ``odoo-relay`` console script in a subprocess, as a script would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = shutil.which("odoo-relay", path=str(Path(sys.executable).parent)) or "odoo-relay"


@dataclass
class Result:
    """Exit code and output of one command."""

    code: int
    stdout: str
    stderr: str

    def json(self):
        """Return stdout parsed as JSON; a failure shows the exit code and stderr."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            raise AssertionError(f"not JSON (exit {self.code}): {self.stdout!r}, stderr: {self.stderr}") from None


@dataclass
class Relay:
    """Runs ``odoo-relay --db <tmp ledger> ...`` with a clean environment."""

    db: Path

    def __call__(self, *args: str, env: dict[str, str] | None = None, stdin: str = "", timeout: float = 60) -> Result:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("ODOO_RELAY_")}
        environment.update(env or {})
        completed = subprocess.run(
            [SCRIPT, "--db", str(self.db), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def relay(ledger_path: Path) -> Relay:
    """The console script bound to this test's ledger file."""
    return Relay(ledger_path)
