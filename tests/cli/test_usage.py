"""Exit codes and messages of commands that need no Odoo server."""

from core.clock import FakeClock
from core.ledger import Ledger, NewEvent
from core.ledger.models import CredentialKind, Protocol
from core.onboarding import ConnectionDraft, ConnectionTest, StreamCheck, authenticate_token, finish_onboarding
from core.secrets import Secret
from core.sync.streams import DEFAULT_STREAMS


def _saved_connection(ledger_path, name="plant"):
    # A connection saved the way onboarding saves it, without a server:
    # these commands only read and write the ledger.
    test = ConnectionTest("18.0", Protocol.XMLRPC, 2, [StreamCheck(spec, True, 1) for spec in DEFAULT_STREAMS])
    draft = ConnectionDraft(name, "http://127.0.0.1:8069", "sandbox", "admin", Secret("admin"),
                            CredentialKind.PASSWORD, streams=list(DEFAULT_STREAMS))
    with Ledger.open(ledger_path) as ledger:
        return finish_onboarding(ledger, draft, test, FakeClock())


def test_unknown_option_exits_2(relay):
    result = relay("connections", "list", "--colour")
    assert result.code == 2
    assert "--colour" in result.stderr


def test_password_option_is_not_an_argument(relay):
    result = relay("connections", "add", "--url", "http://127.0.0.1:1", "--login", "a", "--password", "secret")
    assert result.code == 2


def test_unknown_connection_names_value_and_fix(relay, ledger_path):
    Ledger.open(ledger_path).close()
    result = relay("connections", "show", "nowhere")
    assert result.code == 1
    assert "'nowhere' not found" in result.stderr
    assert "odoo-relay connections add" in result.stderr


def test_invalid_url_exits_2(relay):
    result = relay("connections", "add", "--url", "odoo.example.com", "--login", "admin",
                   env={"ODOO_RELAY_PASSWORD": "x"})
    assert result.code == 2
    assert "https://odoo.example.com" in result.stderr


def test_unreachable_server_exits_1_with_fix(relay):
    result = relay("connections", "add", "--url", "http://127.0.0.1:1", "--database", "x", "--login", "admin",
                   env={"ODOO_RELAY_PASSWORD": "x"})
    assert result.code == 1
    assert "cannot reach http://127.0.0.1:1" in result.stderr
    assert "Fix:" in result.stderr


def test_list_and_show_as_json(relay, ledger_path):
    _saved_connection(ledger_path)
    listed = relay("connections", "list", "--json")
    assert listed.code == 0
    assert [row["name"] for row in listed.json()] == ["plant"]
    assert "admin" not in [row.get("credential") for row in listed.json()]
    shown = relay("connections", "show", "plant", "--json").json()
    assert shown["status"] == "pending"
    assert len(shown["streams"]) == len(DEFAULT_STREAMS)
    assert shown["tokens"][0]["revoked_at"] is None


def test_list_table_has_header(relay, ledger_path):
    _saved_connection(ledger_path)
    result = relay("connections", "list")
    assert result.code == 0
    assert result.stdout.splitlines()[0].split()[:3] == ["ID", "NAME", "STATUS"]
    assert "plant" in result.stdout


def test_tokens_rotate_prints_new_token_once(relay, ledger_path):
    old = _saved_connection(ledger_path)
    result = relay("tokens", "rotate", "plant", "--json")
    assert result.code == 0
    new_token = result.json()["token"]
    with Ledger.open(ledger_path) as ledger:
        assert authenticate_token(ledger, new_token).name == "plant"
        assert ledger.find_token(old.token.hash) is None
    assert relay("connections", "show", "plant").stdout.count(new_token) == 0


def test_disable_enable_and_remove(relay, ledger_path):
    _saved_connection(ledger_path)
    assert relay("connections", "disable", "plant").stdout.strip() == "connection plant is disabled"
    assert relay("connections", "enable", "plant").stdout.strip() == "connection plant is pending"
    assert relay("connections", "remove", "plant", stdin="n\n").code == 1
    removed = relay("connections", "remove", "plant", "--yes")
    assert removed.code == 0
    assert relay("connections", "list", "--json").json() == []


def test_endpoints_add_list_rotate_remove(relay):
    added = relay("endpoints", "add", "http://127.0.0.1:9/hook", "--events", "record.*,sync.failed", "--json")
    assert added.code == 0
    endpoint = added.json()
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["event_types"] == ["record.*", "sync.failed"]
    listed = relay("endpoints", "list", "--json")
    assert endpoint["secret"] not in listed.stdout
    rotated = relay("endpoints", "rotate-secret", str(endpoint["id"]), "--json").json()
    assert rotated["secret"] != endpoint["secret"]
    assert relay("endpoints", "remove", str(endpoint["id"])).code == 0
    assert relay("endpoints", "remove", str(endpoint["id"])).code == 1


def test_endpoint_url_checked(relay):
    result = relay("endpoints", "add", "receiver.example.com/hook")
    assert result.code == 2
    assert "https://receiver.example.com/path" in result.stderr


def test_deliveries_list_and_retry(relay, ledger_path):
    endpoint = relay("endpoints", "add", "http://127.0.0.1:9/hook", "--json").json()
    with Ledger.open(ledger_path) as ledger:
        ledger.append_events([NewEvent("record.created", None, {"odoo_id": 1})], FakeClock().now())
    listed = relay("deliveries", "list", "--json").json()
    assert len(listed) == 1
    assert listed[0]["endpoint_id"] == endpoint["id"]
    assert listed[0]["state"] == "pending"
    retried = relay("deliveries", "retry", str(listed[0]["id"]), "--json")
    assert retried.code == 0
    assert retried.json()["retried"] is True
    assert "no engine runs" in retried.json()["note"]
    assert relay("deliveries", "retry", "--failed", "--json").json()["retried"] == 0


def test_retry_needs_id_or_failed(relay):
    assert relay("deliveries", "retry").code == 2
    assert relay("deliveries", "retry", "1", "--failed").code == 2
    assert relay("deliveries", "retry", "1", "--since", "2026-01-01").code == 2


def test_edit_interval_only(relay, ledger_path):
    _saved_connection(ledger_path)
    edited = relay("connections", "edit", "plant", "--interval", "600", "--json")
    assert edited.code == 0, edited.stderr
    assert edited.json() == {"connection": "plant", "interval_seconds": 600}
    too_short = relay("connections", "edit", "plant", "--interval", "29")
    assert too_short.code == 2
    assert "at least 30 s" in too_short.stderr
