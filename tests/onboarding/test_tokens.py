"""Saving an onboarded connection in one transaction, and its API token's life."""

import pytest

from core.clock import FakeClock
from core.ledger.models import CommandKind, ConnectionStatus, CredentialKind, Protocol
from core.onboarding import (
    ConnectionDisabledError,
    ConnectionDraft,
    ConnectionTest,
    EndpointDraft,
    ReconnectRequiredError,
    StreamCheck,
    UnknownTokenError,
    authenticate_token,
    finish_onboarding,
    rotate_token,
)
from core.onboarding.failures import Cause, Failure
from core.secrets import Secret
from core.sync.streams import DEFAULT_STREAMS
from core.webhooks.signing import generate_secret

PASSWORD = "s3cret-odoo-password"


def _test_result() -> ConnectionTest:
    # The shape test_connection returns after logging in; stock.quant is
    # closed to this user, as it is to the sandbox's portal user.
    checks = []
    for spec in DEFAULT_STREAMS:
        if spec.model == "stock.quant":
            failure = Failure(Cause.ACCESS_DENIED, "login 'admin' may not read stock.quant", "give read access")
            checks.append(StreamCheck(spec, False, failure=failure))
        else:
            checks.append(StreamCheck(spec, True, record_count=3))
    return ConnectionTest(version="18.0", protocol=Protocol.JSONRPC, uid=2, streams=checks)


def _draft(name: str = "sandbox", endpoint: EndpointDraft | None = None) -> ConnectionDraft:
    return ConnectionDraft(
        name=name,
        url="http://127.0.0.1:8069",
        database="sandbox",
        login="admin",
        credential=Secret(PASSWORD),
        credential_kind=CredentialKind.PASSWORD,
        streams=list(DEFAULT_STREAMS),
        endpoint=endpoint,
    )


@pytest.fixture
def clock():
    return FakeClock()


def test_finish_saves_everything_and_queues_sync(ledger, clock):
    endpoint = EndpointDraft("http://127.0.0.1:9000/hook", generate_secret(), ["record.*"])
    done = finish_onboarding(ledger, _draft(endpoint=endpoint), _test_result(), clock)

    connection = ledger.get_connection(done.connection.id)
    assert connection.status is ConnectionStatus.PENDING
    assert connection.server_version == "18.0"
    assert connection.detected_protocol is Protocol.JSONRPC
    streams = {stream.name: stream for stream in ledger.list_streams(connection.id)}
    assert len(streams) == len(DEFAULT_STREAMS)
    assert streams["stock_levels"].available is False
    assert streams["stock_levels"].enabled is False
    assert "stock.quant" in streams["stock_levels"].unavailable_reason
    assert streams["assets"].enabled is True
    assert ledger.get_endpoint(done.endpoint.id).connection_id == connection.id
    assert ledger.get_command(done.first_sync.id).kind is CommandKind.SYNC
    assert ledger.get_command(done.first_sync.id).args == {"connection_id": connection.id}


def test_failed_finish_leaves_nothing(ledger, clock):
    finish_onboarding(ledger, _draft(), _test_result(), clock)
    bad_endpoint = EndpointDraft("not a url", generate_secret())
    with pytest.raises(Exception):
        finish_onboarding(ledger, _draft(name="second", endpoint=bad_endpoint), _test_result(), clock)
    assert [c.name for c in ledger.list_connections()] == ["sandbox"]
    assert ledger.list_endpoints() == []


def test_token_authenticates_its_own_connection(ledger, clock):
    first = finish_onboarding(ledger, _draft("first"), _test_result(), clock)
    second = finish_onboarding(ledger, _draft("second"), _test_result(), clock)
    assert authenticate_token(ledger, first.token.value).id == first.connection.id
    assert authenticate_token(ledger, second.token.value).id == second.connection.id


def test_token_is_stored_only_as_hash(ledger, ledger_path, clock):
    done = finish_onboarding(ledger, _draft(), _test_result(), clock)
    ledger.close()
    stored = b"".join(path.read_bytes() for path in ledger_path.parent.iterdir() if path.is_file())
    assert done.token.value.encode() not in stored
    assert done.token.hash.encode() in stored


@pytest.mark.parametrize("token", ["", "Bearer x", "orl_" + "x" * 43])
def test_unknown_token_rejected(ledger, token):
    with pytest.raises(UnknownTokenError):
        authenticate_token(ledger, token)


def test_token_rejected_after_auth_failed(ledger, clock):
    done = finish_onboarding(ledger, _draft(), _test_result(), clock)
    ledger.set_status(done.connection.id, ConnectionStatus.AUTH_FAILED, "AccessDenied", clock.now())
    with pytest.raises(ReconnectRequiredError) as caught:
        authenticate_token(ledger, done.token.value)
    assert "odoo-relay connections edit sandbox" in str(caught.value)
    assert caught.value.http_status == 401


def test_token_rejected_while_disabled(ledger, clock):
    done = finish_onboarding(ledger, _draft(), _test_result(), clock)
    ledger.set_status(done.connection.id, ConnectionStatus.DISABLED, "operator", clock.now())
    with pytest.raises(ConnectionDisabledError):
        authenticate_token(ledger, done.token.value)
    ledger.set_status(done.connection.id, ConnectionStatus.PENDING, "operator", clock.now())
    assert authenticate_token(ledger, done.token.value).id == done.connection.id


def test_token_rejected_after_removal(ledger, clock):
    done = finish_onboarding(ledger, _draft(), _test_result(), clock)
    ledger.remove_connection(done.connection.id)
    with pytest.raises(UnknownTokenError):
        authenticate_token(ledger, done.token.value)


def test_rotation_revokes_old_token(ledger, clock):
    done = finish_onboarding(ledger, _draft(), _test_result(), clock)
    new = rotate_token(ledger, done.connection.id, clock)
    with pytest.raises(UnknownTokenError):
        authenticate_token(ledger, done.token.value)
    assert authenticate_token(ledger, new.value).id == done.connection.id
    assert new.value not in repr(new)


def test_token_accepted_while_unreachable(ledger, clock):
    # Unreachable is a network state: API clients still read cached records.
    done = finish_onboarding(ledger, _draft(), _test_result(), clock)
    ledger.set_status(done.connection.id, ConnectionStatus.UNREACHABLE, "connection refused", clock.now())
    assert authenticate_token(ledger, done.token.value).status is ConnectionStatus.UNREACHABLE
