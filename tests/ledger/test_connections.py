"""Connections, status transitions and API tokens."""

from __future__ import annotations

import dataclasses

import pytest

from core.ledger import (
    ConnectionStatus,
    CredentialKind,
    DeliveryState,
    DuplicateError,
    InvalidValueError,
    NewEvent,
    NotFoundError,
    Protocol,
    StreamSpec,
)
from core.secrets import Secret
from core.tokens import generate_token
from tests.ledger.helpers import T0, add_endpoint, at, new_connection


def test_credentials_stored_but_never_shown(ledger):
    connection = ledger.add_connection(new_connection(), T0)

    loaded = ledger.get_connection(connection.id)
    assert isinstance(loaded.credential, Secret)
    assert loaded.credential.reveal() == "s3cret-password"
    assert "s3cret-password" not in repr(loaded)
    assert "s3cret-password" not in repr(ledger.list_connections())
    assert loaded.status == ConnectionStatus.PENDING
    assert loaded.created_at == T0


def test_duplicate_name_is_rejected(ledger):
    ledger.add_connection(new_connection("acme"))

    with pytest.raises(DuplicateError, match="'acme' exists already"):
        ledger.add_connection(new_connection("acme"))


def test_invalid_url_is_rejected(ledger):
    bad = dataclasses.replace(new_connection(), url="odoo.example.test")

    with pytest.raises(InvalidValueError, match="invalid Odoo URL 'odoo.example.test'"):
        ledger.add_connection(bad)


def test_status_change_writes_one_event_per_transition(ledger):
    connection = ledger.add_connection(new_connection())
    add_endpoint(ledger, event_types=["connection.status_changed"])

    first = ledger.set_status(connection.id, ConnectionStatus.ACTIVE, "login ok", at(1))
    repeat = ledger.set_status(connection.id, ConnectionStatus.ACTIVE, "still ok", at(2))
    second = ledger.set_status(connection.id, ConnectionStatus.UNREACHABLE, "connection refused", at(3))

    assert (first.old, first.new) == (ConnectionStatus.PENDING, ConnectionStatus.ACTIVE)
    assert repeat is None
    assert (second.old, second.new, second.reason) == (ConnectionStatus.ACTIVE, ConnectionStatus.UNREACHABLE, "connection refused")
    events = ledger.list_events(connection_id=connection.id).items
    assert [event.data for event in events] == [
        {"old": "pending", "new": "active", "reason": "login ok"},
        {"old": "active", "new": "unreachable", "reason": "connection refused"},
    ]
    assert len(ledger.list_deliveries().items) == 2
    stored = ledger.get_connection(connection.id)
    assert stored.status == ConnectionStatus.UNREACHABLE
    assert stored.status_reason == "connection refused"
    assert stored.status_changed_at == at(3)


def test_set_status_on_missing_connection(ledger):
    with pytest.raises(NotFoundError, match="connection 42 not found"):
        ledger.set_status(42, ConnectionStatus.ACTIVE, None, T0)


def test_probe_schedule_interval_and_credentials(ledger):
    connection = ledger.add_connection(new_connection())

    ledger.record_probe(connection.id, "18.0", Protocol.JSON2, 2)
    ledger.schedule(connection.id, at(900), backoff_attempt=3)
    ledger.set_interval(connection.id, 300)
    ledger.update_credentials(connection.id, "bot", Secret("new-api-key"), CredentialKind.API_KEY)

    stored = ledger.get_connection(connection.id)
    assert (stored.server_version, stored.detected_protocol, stored.uid) == ("18.0", Protocol.JSON2, 2)
    assert (stored.next_sync_at, stored.backoff_attempt) == (at(900), 3)
    assert stored.interval_seconds == 300
    assert (stored.login, stored.credential.reveal(), stored.credential_kind) == ("bot", "new-api-key", CredentialKind.API_KEY)
    with pytest.raises(InvalidValueError, match="interval"):
        ledger.set_interval(connection.id, 0)


def test_remove_connection_keeps_history(ledger):
    connection = ledger.add_connection(new_connection())
    scoped = add_endpoint(ledger, connection_id=connection.id)
    ledger.upsert_streams(connection.id, [StreamSpec("assets", "maintenance.equipment")])
    ledger.issue_token(connection.id, generate_token().hash, "orl_abcd", T0)
    ledger.append_events([NewEvent("record.created", connection.id, {})], T0)

    ledger.remove_connection(connection.id)

    assert ledger.get_connection(connection.id) is None
    assert ledger.list_streams(connection.id) == []
    assert ledger.list_tokens(connection.id) == []
    [event] = ledger.list_events().items
    assert event.connection_id == connection.id
    [delivery] = ledger.list_deliveries().items
    assert delivery.connection_id == connection.id
    assert delivery.state == DeliveryState.PENDING
    assert ledger.get_endpoint(scoped.id).enabled is False


def test_new_token_revokes_earlier(ledger):
    connection = ledger.add_connection(new_connection())
    old, new = generate_token(), generate_token()

    ledger.issue_token(connection.id, old.hash, old.prefix, at(1))
    issued = ledger.issue_token(connection.id, new.hash, new.prefix, at(2))

    assert ledger.find_token(old.hash) is None
    token, owner = ledger.find_token(new.hash)
    assert token == issued
    assert owner.id == connection.id
    tokens = ledger.list_tokens(connection.id)
    assert [t.revoked_at for t in tokens] == [at(2), None]
    assert [t.prefix for t in tokens] == [old.prefix, new.prefix]
