"""``odoo-relay listen`` under a flood of webhooks with bad signatures."""

import os
import re
import signal
import subprocess

import httpx

from core.webhooks.signing import generate_secret
from tests.cli.conftest import SCRIPT


def test_rejected_signatures_logged_once(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ODOO_RELAY_")}
    environment["ODOO_RELAY_WEBHOOK_SECRET"] = generate_secret().reveal()
    process = subprocess.Popen([SCRIPT, "listen", "--port", "0"], env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stderr.readline()
        url = re.search(r"http://\S+", banner).group(0)
        with httpx.Client(timeout=10) as client:
            responses = [client.post(f"{url}/hook", content=b"{}", headers={"webhook-id": f"msg_{index}"})
                         for index in range(50)]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)

    assert {response.status_code for response in responses} == {401}
    rejected_lines = [line for line in stderr.splitlines() if "rejected webhook" in line]
    assert len(rejected_lines) == 1, stderr
