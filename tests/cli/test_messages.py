"""Error messages that name the value, the flag and the fix."""

from core.clock import FakeClock
from core.ledger import Ledger, NewEvent
from core.ledger.models import AttemptRecord, DeliveryOutcome, DeliveryState


def _endpoint_with_delivery(relay, ledger_path):
    endpoint = relay("endpoints", "add", "http://127.0.0.1:9/hook", "--json").json()
    with Ledger.open(ledger_path) as ledger:
        ledger.append_events([NewEvent("record.created", None, {"odoo_id": 1})], FakeClock().now())
        delivery = ledger.list_deliveries(limit=1).items[0]
    return endpoint, delivery


def test_retry_succeeded_names_force_flag(relay, ledger_path):
    _, delivery = _endpoint_with_delivery(relay, ledger_path)
    clock = FakeClock()
    with Ledger.open(ledger_path) as ledger:
        claimed = ledger.claim_due("test-owner", clock.now())[0]
        ledger.complete(claimed.delivery_id, claimed.lease_token, _succeeded_attempt(clock),
                        DeliveryOutcome(DeliveryState.SUCCEEDED), clock.now())

    result = relay("deliveries", "retry", str(delivery.id), "--json")
    assert result.code == 1
    assert result.json()["reason"] == "already succeeded; pass --force to send it again"
    assert "use force" not in result.stdout


def test_retry_unknown_endpoint_lists_ids(relay, ledger_path):
    endpoint, _ = _endpoint_with_delivery(relay, ledger_path)
    result = relay("deliveries", "retry", "--failed", "--endpoint", "42")
    assert result.code == 1
    assert "endpoint 42 not found" in result.stderr
    assert f"existing endpoint ids: {endpoint['id']}" in result.stderr
    assert result.stdout == ""


def test_retry_known_endpoint_still_works(relay, ledger_path):
    endpoint, _ = _endpoint_with_delivery(relay, ledger_path)
    result = relay("deliveries", "retry", "--failed", "--endpoint", str(endpoint["id"]), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["retried"] == 0


def test_api_key_without_terminal_names_variable(relay):
    # stdin is an empty pipe, as with `</dev/null`: there is no prompt to type at.
    result = relay("connections", "add", "--url", "http://127.0.0.1:9", "--database", "x", "--login", "admin",
                   "--api-key")
    assert result.code == 2
    assert "missing API key" in result.stderr
    assert "$ODOO_RELAY_API_KEY" in result.stderr
    assert "no terminal" in result.stderr
    assert "type it at the prompt" not in result.stderr


def test_empty_password_variable_named(relay):
    result = relay("connections", "add", "--url", "http://127.0.0.1:9", "--database", "x", "--login", "admin",
                   "--password", env={"ODOO_RELAY_PASSWORD": ""})
    assert result.code == 2
    assert "missing password: $ODOO_RELAY_PASSWORD is set but empty" in result.stderr


def test_url_with_spaces_says_so(relay):
    result = relay("connections", "add", "--url", "not a url", "--login", "admin", env={"ODOO_RELAY_PASSWORD": "x"})
    assert result.code == 2
    assert "contains spaces" in result.stderr
    assert "https://not a url" not in result.stderr


def test_url_suggestion_only_when_valid(relay):
    suggested = relay("connections", "add", "--url", "odoo.example.com", "--login", "admin",
                      env={"ODOO_RELAY_PASSWORD": "x"})
    assert "write https://odoo.example.com" in suggested.stderr
    not_suggested = relay("connections", "add", "--url", "odoo.example.com:99999", "--login", "admin",
                          env={"ODOO_RELAY_PASSWORD": "x"})
    assert not_suggested.code == 2
    assert "write https://" not in not_suggested.stderr
    assert "port is not a number" in not_suggested.stderr


def test_endpoint_url_with_spaces_says_so(relay):
    result = relay("endpoints", "add", "https://hooks.example.com/odoo hook")
    assert result.code == 2
    assert "contains spaces" in result.stderr


def _succeeded_attempt(clock):
    return AttemptRecord(started_at=clock.now(), duration_ms=5, status_code=200, error_class=None,
                         error_message=None, response_excerpt="ok", request_headers={},
                         webhook_timestamp=int(clock.now().timestamp()))
