"""The console script against a real sandbox Odoo: add, test, edit, sync, endpoints."""

import asyncio
import threading

import pytest

from core.engine import Engine
from core.ledger import DeliveryState, Ledger
from core.onboarding import UnknownTokenError, authenticate_token

NEW_PASSWORD = "Zq4-cli-password"


def _add(relay, sandbox, *extra, password=NEW_PASSWORD):
    return relay("connections", "add", "--url", sandbox.url, "--login", "admin", "--name", "plant", "--json", *extra,
                 env={"ODOO_RELAY_PASSWORD": password})


@pytest.fixture
def server(sandbox):
    # A password unlike any other value, so a leak into output is found.
    sandbox.faults.change_password("admin", NEW_PASSWORD)
    return sandbox


@pytest.mark.slow
def test_add_test_sync_and_token(relay, server, ledger_path):
    added = _add(relay, server)
    assert added.code == 0, added.stderr
    record = added.json()
    assert record["status"] == "pending"
    assert record["protocol"] == "jsonrpc"
    assert set(record["streams"].values()) == {"ok"}
    assert NEW_PASSWORD not in added.stdout + added.stderr

    tested = relay("connections", "test", "plant", "--json")
    assert tested.code == 0
    assert tested.json()["ok"] is True

    synced = relay("sync", "plant", "--json")
    assert synced.code == 0, synced.stderr
    assert synced.json()["status"] == "succeeded"
    assert synced.json()["created"] > 0
    assert "pending_deliveries" not in synced.json()
    full = relay("sync", "plant", "--full", "--json")
    assert full.code == 0, full.stderr
    assert full.json()["created"] == 0
    assert full.json()["unchanged"] == synced.json()["created"]

    with Ledger.open(ledger_path) as ledger:
        assert authenticate_token(ledger, record["token"]).name == "plant"
    stored = b"".join(path.read_bytes() for path in ledger_path.parent.iterdir() if path.is_file())
    assert record["token"].encode() not in stored


def test_wrong_password_explains_two_factor(relay, server):
    result = _add(relay, server, password="wrong")
    assert result.code == 1
    assert "Odoo rejected login 'admin' with this password" in result.stderr
    assert "two-factor" in result.stderr
    assert "wrong" not in result.stderr.replace("wrong_", "")


def test_missing_password_is_usage_error(relay, server):
    result = relay("connections", "add", "--url", server.url, "--login", "admin")
    assert result.code == 2
    assert "ODOO_RELAY_PASSWORD" in result.stderr


@pytest.mark.slow
def test_edit_after_password_change_issues_new_token(relay, server, ledger_path):
    old = _add(relay, server).json()["token"]
    server.faults.change_password("admin", "Other-pw-77")

    failing = relay("connections", "test", "plant", "--json")
    assert failing.code == 1
    assert failing.json()["cause"] == "two_factor"

    rejected = relay("connections", "edit", "plant", "--json", env={"ODOO_RELAY_PASSWORD": "still-wrong"})
    assert rejected.code == 1
    edited = relay("connections", "edit", "plant", "--json", env={"ODOO_RELAY_PASSWORD": "Other-pw-77"})
    assert edited.code == 0, edited.stderr
    new = edited.json()["token"]

    with Ledger.open(ledger_path) as ledger:
        with pytest.raises(UnknownTokenError):
            authenticate_token(ledger, old)
        assert authenticate_token(ledger, new).name == "plant"


def test_api_key_on_19_uses_json2(relay, sandbox_factory):
    server = sandbox_factory(version="19.0")
    result = relay("connections", "add", "--url", server.url, "--login", "admin", "--json",
                   env={"ODOO_RELAY_API_KEY": server.api_key.reveal()})
    assert result.code == 0, result.stderr
    assert result.json()["protocol"] == "json2"
    assert server.api_key.reveal() not in result.stdout


def test_endpoint_test_event(relay, recording_receiver):
    added = relay("endpoints", "add", f"{recording_receiver.url}/ok", "--json").json()
    recording_receiver.secrets.append(added["secret"])
    result = relay("endpoints", "test", str(added["id"]), "--json")
    assert result.code == 0
    assert result.json()["status_code"] == 200
    assert recording_receiver.requests[0].signature_valid
    failing = relay("endpoints", "add", f"{recording_receiver.url}/status/500", "--json").json()
    recording_receiver.secrets.append(failing["secret"])
    assert relay("endpoints", "test", str(failing["id"])).code == 1


@pytest.mark.slow
def test_sync_without_engine_reports_pending(relay, server, ledger_path):
    assert _add(relay, server, "--endpoint", "http://127.0.0.1:9/hook").code == 0
    synced = relay("sync", "plant", "--json")
    assert synced.code == 0, synced.stderr
    with Ledger.open(ledger_path) as ledger:
        pending = ledger.totals().deliveries_by_state[DeliveryState.PENDING]
    assert pending > 0
    assert synced.json()["pending_deliveries"] == pending
    assert "odoo-relay serve" in synced.json()["note"]

    as_table = relay("sync", "plant")
    assert as_table.code == 0, as_table.stderr
    assert "deliveries are pending and no engine runs" in as_table.stdout
    assert "odoo-relay serve" in as_table.stdout


@pytest.mark.slow
def test_sync_goes_through_running_engine(relay, server, ledger_path):
    assert _add(relay, server).code == 0
    engine = Engine(ledger_path, kind="serve")
    stop = threading.Event()

    async def run_engine():
        stopped = asyncio.Event()
        task = asyncio.create_task(engine.run(stopped))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        stopped.set()
        await task

    thread = threading.Thread(target=asyncio.run, args=(run_engine(),))
    thread.start()
    try:
        assert engine.started.wait(10)
        result = relay("sync", "plant", "--json")
    finally:
        stop.set()
        thread.join(15)
    assert result.code == 0, result.stderr
    assert result.json()["trigger"] == "manual"
    assert result.json()["status"] == "succeeded"
    assert "pending_deliveries" not in result.json()
