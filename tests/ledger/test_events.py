"""Events and the outbox: fan-out by type pattern and connection, all or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from core.ledger import DuplicateError, InvalidValueError, Ledger, NewEvent
from tests.ledger.helpers import T0, add_endpoint, at, new_connection


def _deliveries_by_endpoint(ledger) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for delivery in reversed(ledger.list_deliveries(limit=1000).items):
        found.setdefault(delivery.endpoint_id, []).append(delivery.event_type)
    return found


def test_fan_out_follows_patterns_and_scope(ledger):
    acme = ledger.add_connection(new_connection("acme"))
    other = ledger.add_connection(new_connection("other"))
    everything = add_endpoint(ledger)
    records = add_endpoint(ledger, event_types=["record.*"])
    status = add_endpoint(ledger, event_types=["connection.status_changed"])
    acme_only = add_endpoint(ledger, event_types=["*"], connection_id=acme.id)

    ledger.append_events(
        [
            NewEvent("record.created", acme.id, {}),
            NewEvent("record.deleted", other.id, {}),
            NewEvent("connection.status_changed", other.id, {}),
            NewEvent("sync.completed", acme.id, {}),
            NewEvent("recordless.thing", None, {}),
        ],
        T0,
    )

    assert _deliveries_by_endpoint(ledger) == {
        everything.id: ["record.created", "record.deleted", "connection.status_changed", "sync.completed", "recordless.thing"],
        records.id: ["record.created", "record.deleted"],
        status.id: ["connection.status_changed"],
        acme_only.id: ["record.created", "sync.completed"],
    }


def test_new_deliveries_are_pending_and_due(ledger):
    add_endpoint(ledger)
    [event] = ledger.append_events([NewEvent("record.created", None, {"odoo_id": 7})], at(5))

    [delivery] = ledger.list_deliveries().items
    assert delivery.state == "pending"
    assert delivery.next_attempt_at == at(5)
    assert delivery.event_id == event.id
    assert delivery.attempts == 0
    assert ledger.next_due_at() == at(5)


def test_disabled_endpoint_gets_no_new_deliveries(ledger):
    endpoint = add_endpoint(ledger)
    ledger.set_endpoint_enabled(endpoint.id, False, "paused", T0)
    ledger.append_events([NewEvent("record.created", None, {})], T0)

    assert ledger.list_deliveries().items == []


def test_failed_batch_writes_nothing(ledger):
    add_endpoint(ledger)
    [existing] = ledger.append_events([NewEvent("record.created", None, {})], T0)
    batch = [
        NewEvent("record.updated", None, {}),
        NewEvent("record.updated", None, {}, id=existing.id),  # duplicate id: the batch fails
    ]

    with pytest.raises(DuplicateError, match=f"event ids exist already: {existing.id}"):
        ledger.append_events(batch, at(1))

    assert len(ledger.list_events().items) == 1
    assert len(ledger.list_deliveries().items) == 1


def test_unstorable_data_writes_nothing(ledger):
    add_endpoint(ledger)
    batch = [NewEvent("record.updated", None, {"ok": 1}), NewEvent("record.updated", None, {"bad": object()})]

    with pytest.raises(TypeError, match="cannot store object"):
        ledger.append_events(batch, T0)

    assert ledger.list_events().items == []
    assert ledger.list_deliveries().items == []


def test_event_seq_and_ids(ledger):
    events = ledger.append_events([NewEvent("record.created", None, {}) for _ in range(3)], T0)
    more = ledger.append_events([NewEvent("record.created", None, {}, id="evt_given")], T0)

    seqs = [event.seq for event in events + more]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 4
    assert all(event.id.startswith("evt_") and len(event.id) == 30 for event in events)
    assert more[0].id == "evt_given"
    assert ledger.get_event("evt_given") == more[0]
    assert ledger.get_event("evt_missing") is None


def test_list_events_per_connection(ledger):
    acme = ledger.add_connection(new_connection("acme"))
    ledger.append_events([NewEvent("record.created", acme.id, {"n": n}) for n in range(3)], T0)
    ledger.append_events([NewEvent("record.created", None, {})], T0)

    page = ledger.list_events(connection_id=acme.id, limit=2)
    assert [e.data["n"] for e in page.items] == [0, 1]
    rest = ledger.list_events(connection_id=acme.id, after_seq=page.next_key, limit=2)
    assert [e.data["n"] for e in rest.items] == [2]
    assert rest.next_key is None


@pytest.mark.parametrize("bad", [[], "*", ["Record.*"], ["record.**"], ["*.created"], [""]])
def test_invalid_event_type_patterns(ledger, bad):
    with pytest.raises(InvalidValueError, match="event"):
        add_endpoint(ledger, event_types=bad)


@pytest.mark.parametrize("url", ["ftp://example.test/x", "127.0.0.1:9/hook", "http:///nohost"])
def test_invalid_endpoint_url(ledger, url):
    from core.ledger import NewEndpoint
    from core.secrets import Secret

    with pytest.raises(InvalidValueError, match="invalid endpoint URL"):
        ledger.add_endpoint(NewEndpoint(url, Secret("whsec_x")), T0)


def test_invalid_event_type(ledger):
    with pytest.raises(InvalidValueError, match="invalid event type 'Bad Type'"):
        ledger.append_events([NewEvent("Bad Type", None, {})], T0)


@pytest.mark.slow
def test_killed_writer_leaves_whole_batches(ledger, ledger_path):
    first = add_endpoint(ledger)
    second = add_endpoint(ledger, event_types=["record.*"])
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.append_worker", str(ledger_path)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        deadline = time.monotonic() + 30
        while ledger.totals().events < 2000 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        writer.send_signal(signal.SIGKILL)  # mid-batch, most likely
        writer.wait(timeout=10)

    with Ledger.open(ledger_path) as reopened:
        events = reopened.totals().events
        per_endpoint = Counter(d.endpoint_id for d in _all_deliveries(reopened))
        counted = reopened._db.conn.execute("SELECT count(*) FROM events").fetchone()[0]

    assert events >= 2000
    assert events % 500 == 0
    assert counted == events
    assert per_endpoint == {first.id: events, second.id: events}


def _all_deliveries(ledger):
    key = None
    while True:
        page = ledger.list_deliveries(before=key, limit=5000)
        yield from page.items
        if page.next_key is None:
            return
        key = page.next_key


def test_repeated_id_in_one_batch(ledger):
    batch = [NewEvent("record.updated", None, {}, id="evt_twice"), NewEvent("record.updated", None, {}, id="evt_twice")]

    with pytest.raises(DuplicateError, match="event ids exist already: evt_twice"):
        ledger.append_events(batch, T0)

    assert ledger.list_events().items == []


def test_rotate_endpoint_secret(ledger):
    from core.secrets import Secret

    endpoint = add_endpoint(ledger)

    rotated = ledger.rotate_endpoint_secret(endpoint.id, Secret("whsec_bmV3"), at(3600), at(0))

    assert rotated.secret.reveal() == "whsec_bmV3"
    assert rotated.previous_secret.reveal() == "whsec_dGVzdA=="
    assert rotated.previous_secret_expires_at == at(3600)
    assert "whsec_bmV3" not in repr(rotated)
    with pytest.raises(InvalidValueError, match="non-empty Secret"):
        ledger.rotate_endpoint_secret(endpoint.id, Secret(""), None, at(0))


def test_removed_endpoint_leaves_lists(ledger):
    from core.ledger import NotFoundError

    kept = add_endpoint(ledger)
    removed = add_endpoint(ledger)

    ledger.remove_endpoint(removed.id, at(1))

    assert [endpoint.id for endpoint in ledger.list_endpoints()] == [kept.id]
    assert ledger.get_endpoint(removed.id) is None
    with pytest.raises(NotFoundError, match=f"endpoint {removed.id} not found"):
        ledger.set_endpoint_enabled(removed.id, True, None, at(2))
    ledger.append_events([NewEvent("record.created", None, {})], at(3))
    assert [d.endpoint_id for d in ledger.list_deliveries().items] == [kept.id]
