"""Snapshots of every wizard step and every failure message, at a fixed size with fixed data.

The data is what the sandbox returns, written in by hand with a fixed URL,
because a real server's free port would change every picture.
"""

import ssl
from dataclasses import replace

import httpx
import pytest
from textual.widgets import Input

from core.clock import FakeClock
from core.ledger.models import CredentialKind, Protocol
from core.odoo import errors
from core.onboarding import (
    Attempt,
    ConnectionTest,
    EndpointDraft,
    ServerFacts,
    StreamCheck,
    TestEventResult,
    classify,
    finish_onboarding,
)
from core.secrets import Secret
from core.sync.streams import DEFAULT_STREAMS
from core.tokens import IssuedToken, hash_token
from tests.onboarding.wizard_host import WizardHost
from tui.onboarding import WizardState

SIZE = (100, 44)
URL = "https://odoo.example.com"
ATTEMPT = Attempt(URL, "prod", "ops@example.com", CredentialKind.PASSWORD)
KEY_ATTEMPT = Attempt(URL, "prod", "ops@example.com", CredentialKind.API_KEY)
FIXED_SECRET = Secret("whsec_MfKQ9r8GKYqrTQJ5gqoKu4ybmJ6BxGmmYfuQ9QmPKz0=")
FIXED_TOKEN_VALUE = "orl_" + "Q7x" * 14 + "A"


def _test_result() -> ConnectionTest:
    checks = []
    for spec in DEFAULT_STREAMS:
        if spec.model == "stock.quant":
            error = errors.AccessError("not allowed", url=URL, model="stock.quant")
            checks.append(StreamCheck(spec, False, failure=classify(error, ATTEMPT)))
        else:
            checks.append(StreamCheck(spec, True, record_count=40))
    return ConnectionTest("18.0", Protocol.JSONRPC, 2, checks)


def _state(**changes) -> WizardState:
    state = WizardState(
        url=URL,
        facts=ServerFacts(URL, "18.0", False, ["prod", "staging"]),
        database="prod",
        login="ops@example.com",
        credential=Secret("not-shown"),
        test=_test_result(),
        stream_names=[spec.name for spec in DEFAULT_STREAMS if spec.model != "stock.quant"],
        endpoint_secret=FIXED_SECRET,
        name="prod",
    )
    for key, value in changes.items():
        setattr(state, key, value)
    return state


def _still(pilot):
    # A blinking cursor would make two runs differ.
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


def _host(ledger, step: int, **changes) -> WizardHost:
    return WizardHost(ledger, FakeClock(), state=_state(**changes), step=step)


def test_step_url(snap_compare, ledger):
    assert snap_compare(WizardHost(ledger, FakeClock(), state=WizardState(), step=0), terminal_size=SIZE,
                        run_before=_still)


def test_step_url_cleartext_warning(snap_compare, ledger):
    async def type_http(pilot):
        _still(pilot)
        await pilot.press(*"http://odoo.example.com:8069", "enter")

    assert snap_compare(WizardHost(ledger, FakeClock(), state=WizardState(), step=0), terminal_size=SIZE,
                        run_before=type_http)


def test_step_url_invalid(snap_compare, ledger):
    async def type_ftp(pilot):
        _still(pilot)
        await pilot.press(*"ftp://odoo.example.com", "enter")

    assert snap_compare(WizardHost(ledger, FakeClock(), state=WizardState(), step=0), terminal_size=SIZE,
                        run_before=type_ftp)


def test_step_database_list(snap_compare, ledger):
    assert snap_compare(_host(ledger, 1), terminal_size=SIZE, run_before=_still)


def test_step_database_single(snap_compare, ledger):
    facts = ServerFacts(URL, "18.0", False, ["prod"])
    assert snap_compare(_host(ledger, 1, facts=facts, database=""), terminal_size=SIZE, run_before=_still)


def test_step_database_hidden(snap_compare, ledger):
    facts = ServerFacts(URL, "18.0", False, None)
    assert snap_compare(_host(ledger, 1, facts=facts, database=""), terminal_size=SIZE, run_before=_still)


def test_step_login(snap_compare, ledger):
    async def type_login(pilot):
        _still(pilot)
        await pilot.press(*"ops@example.com", "enter", *"hunter2")

    assert snap_compare(_host(ledger, 2, login=""), terminal_size=SIZE, run_before=type_login)


def test_step_test_results(snap_compare, ledger):
    def show(pilot):
        _still(pilot)
        pilot.app.screen.query_one("#step-test").show_test(_test_result())

    assert snap_compare(_host(ledger, 3), terminal_size=SIZE, run_before=show)


def test_step_streams(snap_compare, ledger):
    assert snap_compare(_host(ledger, 4), terminal_size=SIZE, run_before=_still)


def test_step_endpoint(snap_compare, ledger):
    assert snap_compare(_host(ledger, 5), terminal_size=SIZE, run_before=_still)


def test_step_finish_summary(snap_compare, ledger):
    endpoint = EndpointDraft("https://hooks.example.com/odoo", FIXED_SECRET, ["record.*"])
    assert snap_compare(_host(ledger, 6, endpoint=endpoint), terminal_size=SIZE, run_before=_still)


def test_step_finish_failed_test_event(snap_compare, ledger):
    url = "https://hooks.example.com/odoo"
    endpoint = EndpointDraft(url, FIXED_SECRET, ["record.*"])
    failed = TestEventResult("evt_01JTESTEVENT0000000000000", False, 401, "no matching signature", None)
    host = _host(ledger, 6, endpoint=endpoint, test_event=failed, test_event_url=url)
    assert snap_compare(host, terminal_size=SIZE, run_before=_still)


def test_step_finish_token_shown_once(snap_compare, ledger):
    clock = FakeClock()
    saved = finish_onboarding(ledger, _state().draft(), _test_result(), clock)
    fixed = IssuedToken(FIXED_TOKEN_VALUE, hash_token(FIXED_TOKEN_VALUE), FIXED_TOKEN_VALUE[:8])
    shown = replace(saved, token=fixed)

    def show(pilot):
        _still(pilot)
        step = pilot.app.screen.query_one("#step-finish")
        step.show_saved(shown)
        step.show_first_sync("✓ first sync succeeded (run 1): 273 records created")

    assert snap_compare(_host(ledger, 6, name="prod-2"), terminal_size=SIZE, run_before=show)


def _tls_error() -> Exception:
    error = httpx.ConnectError("TLS handshake failed")
    error.__cause__ = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate")
    return error


FAILURES = {
    "unreachable": (0, errors.ServerUnreachableError("connection refused", url=URL), ATTEMPT),
    "tls": (0, _tls_error(), ATTEMPT),
    "not_odoo_html": (0, errors.NotOdooError("an HTML page where XML-RPC was expected", url=URL), ATTEMPT),
    "not_odoo_404": (0, errors.NotOdooError("HTTP 404 on /xmlrpc/2/common", url=URL), ATTEMPT),
    "redirect": (0, errors.RedirectError("HTTP 301", url=URL, location="https://erp.example.com/web/login"), ATTEMPT),
    "database_not_found": (3, errors.DatabaseNotFoundError("database prod does not exist", url=URL), ATTEMPT),
    "wrong_credentials": (3, errors.AuthenticationError("AccessDenied", url=URL), KEY_ATTEMPT),
    "two_factor": (3, errors.AuthenticationError("AccessDenied", url=URL), ATTEMPT),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_failure_message(snap_compare, ledger, name):
    step, error, attempt = FAILURES[name]

    def show(pilot):
        _still(pilot)
        pilot.app.screen.current_step.failure.show(classify(error, attempt))

    assert snap_compare(_host(ledger, step), terminal_size=SIZE, run_before=show)


def test_edit_credentials_rejected(snap_compare, ledger):
    from tui.onboarding import EditCredentialsScreen

    saved = finish_onboarding(ledger, _state().draft(), _test_result(), FakeClock())
    error = errors.AuthenticationError("AccessDenied", url=URL)

    def show(pilot):
        _still(pilot)
        pilot.app.push_screen(EditCredentialsScreen(ledger, FakeClock(), saved.connection))

    async def fail(pilot):
        show(pilot)
        await pilot.pause()
        _still(pilot)
        pilot.app.screen.query_one(".failure").show(classify(error, ATTEMPT))

    assert snap_compare(WizardHost(ledger, FakeClock()), terminal_size=SIZE, run_before=fail)
