"""Dispatcher processes killed with SIGKILL, and two dispatchers on one ledger."""

import json
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.ledger import Ledger
from core.ledger.models import DeliveryState, NewEndpoint, NewEvent
from core.webhooks.signing import generate_secret

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50
DELIVERIES = 200


def spawn_dispatcher(ledger_path: Path, owner: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.webhooks.dispatcher_process", str(ledger_path), owner, *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def wait_ready(process: subprocess.Popen) -> subprocess.Popen:
    line = process.stdout.readline()
    assert line.strip() == "ready", f"dispatcher {process.args[4]} did not start: {line!r}"
    return process


def start_dispatcher(ledger_path: Path, owner: str, *extra: str) -> subprocess.Popen:
    return wait_ready(spawn_dispatcher(ledger_path, owner, *extra))


def kill_repeatedly(ledger_path: Path, lane: int, kills: int) -> int:
    """Fork dispatchers one after another, SIGKILL each at a random moment, and return the kill count."""
    process = start_dispatcher(
        ledger_path, f"killed-{lane}", "--fork-kills", str(kills), "--max-lifetime", "0.2", "--seed", str(lane)
    )
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return int(output.split()[-1])


def prepare_ledger(ledger_path: Path, receiver, path: str, count: int, max_in_flight: int) -> list[str]:
    now = datetime.now(UTC)
    secret = generate_secret()
    receiver.secrets = [secret.reveal()]
    with Ledger.open(ledger_path) as ledger:
        ledger.add_endpoint(NewEndpoint(receiver.url + path, secret, max_in_flight=max_in_flight), now)
        events = ledger.append_events([NewEvent("record.created", None, {"n": n}) for n in range(count)], now)
    return [event.id for event in events]


def delivery_states(ledger_path: Path) -> dict:
    with Ledger.open(ledger_path, create=False) as ledger:
        return ledger.totals().deliveries_by_state


def ids_by_body(receiver) -> dict[str, set[str]]:
    """Map each payload id to the webhook-id headers its requests carried."""
    found = defaultdict(set)
    for request in receiver.requests:
        found[json.loads(request.body)["id"]].add(request.webhook_id)
    return found


@pytest.mark.slow
def test_sigkill_loses_no_delivery(ledger_path, recording_receiver):
    event_ids = prepare_ledger(ledger_path, recording_receiver, "/sleep/0.05", DELIVERIES, max_in_flight=32)

    # Two lanes of dispatchers run side by side, so two dispatchers also
    # race for the same rows.
    with ThreadPoolExecutor(max_workers=2) as lanes:
        kills = [lanes.submit(kill_repeatedly, ledger_path, lane, KILLS // 2) for lane in range(2)]
        killed = sum(finished.result() for finished in kills)
    sent_before_final = len(recording_receiver.requests)
    final = start_dispatcher(ledger_path, "final", "--until-done")
    output, _ = final.communicate(timeout=60)

    assert final.returncode == 0, output
    assert killed == KILLS
    assert 0 < sent_before_final, "no request was sent before the final dispatcher"
    states = delivery_states(ledger_path)
    assert states[DeliveryState.SUCCEEDED] == DELIVERIES
    received = ids_by_body(recording_receiver)
    assert set(received) == set(event_ids), "a delivery never reached the receiver"
    for event_id, headers in received.items():
        assert headers == {event_id}, f"event {event_id} arrived with webhook-ids {headers}"
    assert all(request.signature_valid for request in recording_receiver.requests)
    # Kills under load interrupt attempts in flight, so some deliveries
    # must have been sent twice, each time with the same webhook-id.
    assert len(recording_receiver.requests) > DELIVERIES


@pytest.mark.slow
def test_two_dispatchers_never_overlap(ledger_path, recording_receiver):
    # Each dispatcher holds at most 16 leases (8 sending, 8 claimed ahead),
    # so 32 leave room for both. The gate delays every request until more are
    # in flight than one dispatcher's 8 workers can send, so it opens only
    # once both dispatchers are sending, however late one of them starts.
    gate_path = "/gate/9/0.02"
    event_ids = prepare_ledger(ledger_path, recording_receiver, gate_path, 150, max_in_flight=32)

    # The attempt timeout outlasts the gate's longest wait, so attempts
    # held at the gate are not cut short and retried 30 s later. The lease
    # is twice that, so deliveries claimed ahead may wait that long for a
    # worker without being left to expire.
    options = ("--until-done", "--concurrency", "8", "--attempt-timeout", "35", "--lease", "70")
    processes = [start_dispatcher(ledger_path, owner, *options) for owner in ("first", "second")]
    outputs = [process.communicate(timeout=90)[0] for process in processes]

    assert [process.returncode for process in processes] == [0, 0]
    assert gate_path in recording_receiver.gates_opened, "the gate never saw both dispatchers sending"
    sent = [int(output.split()[-1]) for output in outputs]
    assert all(count > 0 for count in sent), f"one dispatcher sent nothing: {sent}"
    assert sum(sent) == 150
    assert sorted(recording_receiver.ids()) == sorted(event_ids)
    # Both dispatchers had requests in flight at once, so a delivery leased
    # to both would show up here as two requests in flight for one id.
    assert max(recording_receiver.max_in_flight_per_id.values()) == 1
    assert delivery_states(ledger_path)[DeliveryState.SUCCEEDED] == 150
