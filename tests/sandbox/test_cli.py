"""``odoo-relay sandbox`` in a real subprocess, stopped with a real SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sandbox.wire import parse_xmlrpc, xmlrpc_post

ROOT = Path(__file__).resolve().parents[2]
# ``python -m cli.main`` would register the commands on a second copy of the
# module, so the entry point is called the way the console script does.
COMMAND = [sys.executable, "-c", "from cli.main import main; main()"]


def _start(*options: str) -> tuple[subprocess.Popen, list[str]]:
    process = subprocess.Popen(
        [*COMMAND, "sandbox", "--port", "0", *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    banner: list[str] = []
    for line in process.stdout:
        banner.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            break
    return process, banner


@pytest.mark.slow
def test_sandbox_command_serves_until_sigterm():
    process, banner = _start("--version", "19.0", "--trickle", "0.5")
    try:
        url = re.search(r"on (http://127\.0\.0\.1:\d+)", banner[0]).group(1)
        key = re.search(r"API key:\s+([0-9a-f]{40})", "\n".join(banner)).group(1)
        version = parse_xmlrpc(xmlrpc_post(url, "/xmlrpc/2/common", "version"))
        uid = parse_xmlrpc(xmlrpc_post(url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", key, {}))
    finally:
        process.send_signal(signal.SIGTERM)
        output, errors = process.communicate(timeout=15)

    assert banner[0].startswith("Sandbox Odoo 19.0-20251020 on http://127.0.0.1:")
    assert "  database:  sandbox" in banner
    assert any(line.startswith("  login:     admin / admin  (uid 2") for line in banner)
    assert any(line.startswith("  trickle:   one record change every 0.5 s") for line in banner)
    assert version["server_serie"] == "19.0"
    assert uid == 2
    assert process.returncode == 0, errors
    assert "stopping the sandbox" in output


@pytest.mark.slow
def test_sandbox_command_port_in_use():
    first, banner = _start()
    try:
        port = re.search(r":(\d+)$", banner[0]).group(1)
        second = subprocess.run(
            [*COMMAND, "sandbox", "--port", port],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=15)

    assert second.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
