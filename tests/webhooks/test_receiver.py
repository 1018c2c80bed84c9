"""The demo receiver and ``odoo-relay listen``, driven over real loopback HTTP."""

import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.clock import FakeClock
from core.http_server import start_in_thread
from core.webhooks.receiver import create_receiver_app
from core.webhooks.signing import generate_secret, sign

# The entry point, as the console script runs it; ``-m cli.main`` would load
# cli.main twice and leave the subcommands unregistered on __main__.
RELAY = [sys.executable, "-c", "from cli.main import main; main()"]
BODY = b'{"id":"evt_1","type":"record.updated","timestamp":"2026-01-01T12:00:00Z","connection_id":1,"data":{"odoo_id":5}}'


def signed_headers(secret, webhook_id: str = "evt_1", timestamp: int | None = None, body: bytes = BODY) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(secret, webhook_id, stamp, body),
    }


@pytest.fixture
def secret():
    return generate_secret()


def test_verified_event_reported(secret):
    events = []
    with start_in_thread(create_receiver_app(secret, on_event=events.append)) as server:
        response = httpx.post(server.url + "/hooks", content=BODY, headers=signed_headers(secret))

    assert response.status_code == 200
    assert response.json() == {"received": "evt_1", "duplicate": False}
    assert len(events) == 1
    assert events[0].webhook_id == "evt_1"
    assert events[0].type == "record.updated"
    assert events[0].data == {"odoo_id": 5}
    assert events[0].duplicate is False


def test_bad_signature_gets_401(secret):
    events = []
    app = create_receiver_app(secret, on_event=events.append)
    with start_in_thread(app) as server:
        response = httpx.post(server.url, content=BODY, headers=signed_headers(generate_secret()))

    assert response.status_code == 401
    assert "no matching signature" in response.json()["error"]
    assert events == []
    assert app.state.stats.rejected == 1


def test_missing_headers_get_401(secret):
    with start_in_thread(create_receiver_app(secret)) as server:
        response = httpx.post(server.url, content=BODY)

    assert response.status_code == 401
    assert response.json()["error"] == "missing webhook-id header"


def test_duplicate_id_reported(secret):
    events = []
    app = create_receiver_app(secret, on_event=events.append)
    with start_in_thread(app) as server:
        first = httpx.post(server.url, content=BODY, headers=signed_headers(secret))
        second = httpx.post(server.url, content=BODY, headers=signed_headers(secret))

    assert first.json()["duplicate"] is False
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert [event.duplicate for event in events] == [False, True]
    assert app.state.stats.duplicates == 1


def test_failure_rate_one_always_fails(secret):
    app = create_receiver_app(secret, failure_rate=1.0)
    with start_in_thread(app) as server:
        responses = [httpx.post(server.url, content=BODY, headers=signed_headers(secret, f"evt_{n}")) for n in range(3)]

    assert [response.status_code for response in responses] == [500, 500, 500]
    assert app.state.stats.failed_on_purpose == 3
    assert app.state.stats.verified == 0


def test_failure_rate_fraction(secret):
    app = create_receiver_app(secret, failure_rate=0.5, rng=random.Random(7))
    with start_in_thread(app) as server:
        with httpx.Client() as client:
            codes = [client.post(server.url, content=BODY, headers=signed_headers(secret, f"evt_{n}")).status_code for n in range(40)]

    assert 5 < codes.count(500) < 35
    assert codes.count(500) + codes.count(200) == 40


def test_timeout_rate_outlasts_sender_deadline(secret):
    app = create_receiver_app(secret, timeout_rate=1.0, timeout_seconds=2.0)
    with start_in_thread(app) as server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(server.url, content=BODY, headers=signed_headers(secret), timeout=0.3)

    assert app.state.stats.delayed_on_purpose == 1


def test_receiver_checks_time_on_given_clock(secret):
    clock = FakeClock(datetime(2026, 1, 1, 12, tzinfo=UTC))
    stamp = int(clock.now().timestamp())
    app = create_receiver_app(secret, clock=clock)
    with start_in_thread(app) as server:
        accepted = httpx.post(server.url, content=BODY, headers=signed_headers(secret, timestamp=stamp))
        clock.set(clock.now() + timedelta(minutes=10))
        late = httpx.post(server.url, content=BODY, headers=signed_headers(secret, "evt_2", timestamp=stamp))

    assert accepted.status_code == 200
    assert late.status_code == 401
    assert "tolerance" in late.json()["error"]


def test_receiver_rejects_invalid_rate(secret):
    with pytest.raises(ValueError, match="failure_rate must be between 0 and 1, got 1.5"):
        create_receiver_app(secret, failure_rate=1.5)


def _start_listen(env_extra: dict[str, str], *args: str) -> subprocess.Popen:
    env = {**os.environ, **env_extra}
    return subprocess.Popen(
        [*RELAY, "listen", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _listening_url(process: subprocess.Popen) -> str:
    # Lines before it are the prompt and, without a terminal, getpass's warning.
    seen = []
    for line in process.stderr:
        if line.startswith("Listening on "):
            return line.split()[2]
        seen.append(line)
    raise AssertionError(f"listen exited without listening: {''.join(seen)}")


def test_listen_prints_verified_events(secret):
    process = _start_listen({"MY_HOOK_SECRET": secret.reveal()}, "--secret-env", "MY_HOOK_SECRET")
    try:
        url = _listening_url(process)
        ok = httpx.post(url, content=BODY, headers=signed_headers(secret))
        bad = httpx.post(url, content=BODY, headers=signed_headers(generate_secret(), "evt_bad"))
    finally:
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=10)

    assert ok.status_code == 200
    assert bad.status_code == 401
    lines = stdout.splitlines()
    assert len(lines) == 1
    assert ' evt_1 record.updated {"odoo_id":5}' in lines[0]
    assert process.returncode == 0


def test_listen_reads_default_env_var(secret):
    process = _start_listen({"ODOO_RELAY_WEBHOOK_SECRET": secret.reveal()})
    try:
        url = _listening_url(process)
        response = httpx.post(url, content=BODY, headers=signed_headers(secret))
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)

    assert response.status_code == 200


def test_listen_secret_prompts_hidden(secret):
    env = {key: value for key, value in os.environ.items() if key != "ODOO_RELAY_WEBHOOK_SECRET"}
    process = subprocess.Popen(
        [*RELAY, "listen", "--port", "0", "--secret"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        process.stdin.write(secret.reveal() + "\n")
        process.stdin.flush()
        url = _listening_url(process)
        response = httpx.post(url, content=BODY, headers=signed_headers(secret))
    finally:
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=10)

    assert response.status_code == 200
    assert secret.reveal() not in stdout


def test_listen_rejects_secret_value_on_command_line():
    result = subprocess.run(
        [*RELAY, "listen", "--secret", "whsec_c2VjcmV0"],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert "--secret takes no value" in result.stderr
    assert "whsec_c2VjcmV0" not in result.stderr


def test_listen_without_secret_explains_fix():
    env = {key: value for key, value in os.environ.items() if key != "ODOO_RELAY_WEBHOOK_SECRET"}
    result = subprocess.run(
        [*RELAY, "listen", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )

    assert result.returncode == 2
    assert "$ODOO_RELAY_WEBHOOK_SECRET is not set" in result.stderr


def test_listen_port_in_use_explains_fix(secret):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*RELAY, "listen", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "ODOO_RELAY_WEBHOOK_SECRET": secret.reveal()},
        )

    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "pick another --port" in result.stderr
