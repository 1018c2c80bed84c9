"""Every failure while reaching Odoo maps to a cause and a fix."""

from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.http_server import start_in_thread
from core.ledger.models import CredentialKind
from core.odoo import errors
from core.onboarding.failures import Attempt, Cause, classify

URL = "https://odoo.example.com"
PASSWORD_ATTEMPT = Attempt(URL, "prod", "ops@example.com", CredentialKind.PASSWORD)
KEY_ATTEMPT = Attempt(URL, "prod", "ops@example.com", CredentialKind.API_KEY)


@pytest.mark.parametrize(
    ("error", "cause", "in_message", "in_fix"),
    [
        (errors.ServerUnreachableError("connection refused", url=URL), Cause.UNREACHABLE, "cannot reach", "port"),
        (errors.NotOdooError("HTML page where XML-RPC was expected", url=URL), Cause.NOT_ODOO, "an HTML page", "without any path"),
        (errors.NotOdooError("HTTP 404 on /xmlrpc/2/common", url=URL), Cause.NOT_ODOO, "404 Not Found", "without any path"),
        (errors.RedirectError("HTTP 301", url=URL, location="https://erp.example.com/web/login"), Cause.REDIRECT,
         "redirects to https://erp.example.com/web/login", "https://erp.example.com"),
        (errors.DatabaseNotFoundError("database prod does not exist", url=URL), Cause.DATABASE_NOT_FOUND, "'prod' not found", "database name"),
        (errors.DatabaseUnavailableError("could not connect to PostgreSQL", url=URL), Cause.DATABASE_UNAVAILABLE, "database server", "PostgreSQL"),
        (errors.RateLimitedError("HTTP 429", url=URL, retry_after=30.0), Cause.RATE_LIMITED, "429", "after 30 s"),
        (errors.AccessError("not allowed", url=URL, model="stock.quant"), Cause.ACCESS_DENIED, "stock.quant", "Access Rights"),
        (errors.UnknownModelError("no model", url=URL, model="maintenance.request"), Cause.MODEL_MISSING, "maintenance.request", "install"),
        (errors.ServerError("boom", url=URL, exception_name="KeyError"), Cause.SERVER_ERROR, "KeyError", "retry"),
    ],
)
def test_client_errors_map_to_cause(error, cause, in_message, in_fix):
    failure = classify(error, PASSWORD_ATTEMPT)
    assert failure.cause is cause
    assert in_message in failure.message
    assert in_fix in failure.fix


def test_rejected_password_explains_two_factor():
    failure = classify(errors.AuthenticationError("AccessDenied", url=URL), PASSWORD_ATTEMPT)
    assert failure.cause is Cause.TWO_FACTOR
    assert "'ops@example.com'" in failure.message
    assert "two-factor" in failure.fix
    assert "API key" in failure.fix


def test_rejected_api_key_is_wrong_credentials():
    failure = classify(errors.AuthenticationError("AccessDenied", url=URL), KEY_ATTEMPT)
    assert failure.cause is Cause.WRONG_CREDENTIALS
    assert "API key" in failure.message
    assert "New API Key" in failure.fix


def test_unknown_error_keeps_its_class_name():
    failure = classify(RuntimeError("odd"), PASSWORD_ATTEMPT)
    assert failure.cause is Cause.SERVER_ERROR
    assert "RuntimeError" in failure.message


def test_every_cause_has_title():
    for cause in Cause:
        failure = classify(RuntimeError("x"), PASSWORD_ATTEMPT)
        assert replace(failure, cause=cause).title


def test_failure_text_has_message_and_fix():
    failure = classify(errors.DatabaseNotFoundError("gone", url=URL), PASSWORD_ATTEMPT)
    assert str(failure) == f"{failure.message}. Fix: {failure.fix}"


def test_https_to_plain_http_server_is_tls_error():
    # A real TLS handshake against a plain-HTTP loopback server fails the
    # way a wrong scheme or a broken certificate does in the field.
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("plain"))])
    with start_in_thread(app) as server:
        https_url = server.url.replace("http://", "https://")
        with pytest.raises(httpx.ConnectError) as caught:
            httpx.get(https_url, timeout=5)
    failure = classify(caught.value, Attempt(https_url))
    assert failure.cause is Cause.TLS_ERROR
    assert https_url in failure.message
    assert "http://" in failure.fix


def test_refused_connection_is_unreachable(refused_url):
    url = refused_url
    with pytest.raises(httpx.ConnectError) as caught:
        httpx.get(url, timeout=5)
    failure = classify(caught.value, Attempt(url))
    assert failure.cause is Cause.UNREACHABLE
    assert url in failure.message
