"""Turn any failure while reaching Odoo into a cause and a fix a person can act on."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from enum import StrEnum

import httpx

from core.ledger.models import CredentialKind
from core.odoo import errors

_API_KEY_HOWTO = "in Odoo open your avatar > My Preferences > Account Security > New API Key"


class Cause(StrEnum):
    UNREACHABLE = "unreachable"
    TLS_ERROR = "tls_error"
    NOT_ODOO = "not_odoo"
    REDIRECT = "redirect"
    DATABASE_NOT_FOUND = "database_not_found"
    DATABASE_UNAVAILABLE = "database_unavailable"
    WRONG_CREDENTIALS = "wrong_credentials"  # an API key was rejected
    TWO_FACTOR = "two_factor"  # a password was rejected; 2FA logins need an API key
    RATE_LIMITED = "rate_limited"
    ACCESS_DENIED = "access_denied"
    MODEL_MISSING = "model_missing"
    SERVER_ERROR = "server_error"


CAUSE_TITLES = {
    Cause.UNREACHABLE: "Server unreachable",
    Cause.TLS_ERROR: "TLS error",
    Cause.NOT_ODOO: "Not an Odoo server",
    Cause.REDIRECT: "Redirect to another URL",
    Cause.DATABASE_NOT_FOUND: "Database not found",
    Cause.DATABASE_UNAVAILABLE: "Database server down",
    Cause.WRONG_CREDENTIALS: "Wrong login or API key",
    Cause.TWO_FACTOR: "Password rejected (two-factor logins need an API key)",
    Cause.RATE_LIMITED: "Rate limited",
    Cause.ACCESS_DENIED: "Access denied",
    Cause.MODEL_MISSING: "Model not installed",
    Cause.SERVER_ERROR: "Odoo server error",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """A classified failure: the ``message`` naming what failed and the ``fix``."""

    cause: Cause
    message: str
    fix: str

    @property
    def title(self) -> str:
        """A short heading for the cause, e.g. ``Database not found``."""
        return CAUSE_TITLES[self.cause]

    def __str__(self) -> str:
        return f"{self.message}. Fix: {self.fix}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """The values in play when the failure happened; none of them is secret."""

    url: str
    database: str | None = None
    login: str | None = None
    credential_kind: CredentialKind = CredentialKind.PASSWORD


def classify(error: BaseException, attempt: Attempt) -> Failure:
    """Map an exception from probing or connecting to its cause and fix.

    Errors from the Odoo client are mapped by class; anything else (an
    httpx or ssl error that escaped) by what it wraps. Unknown errors keep
    their class name, so the log line and the message can be matched.
    """
    if _find_in_chain(error, ssl.SSLError) is not None:
        return _tls_error(error, attempt)
    for error_class, build in _BUILDERS:
        if isinstance(error, error_class):
            return build(error, attempt)
    if isinstance(error, (httpx.TransportError, OSError)):
        return _unreachable(error, attempt)
    return Failure(
        Cause.SERVER_ERROR,
        f"{type(error).__name__} while talking to {attempt.url}: {error}",
        "retry; if it happens again, send the log file to the Odoo administrator",
    )


def _unreachable(error: BaseException, attempt: Attempt) -> Failure:
    if _looks_like_html(error):
        return _not_odoo(error, attempt)
    return Failure(
        Cause.UNREACHABLE,
        f"cannot reach {attempt.url}: {_short(error)}",
        "check the host name and port, that the server is running, and that no firewall or VPN blocks it",
    )


def _tls_error(error: BaseException, attempt: Attempt) -> Failure:
    reason = _find_in_chain(error, ssl.SSLError)
    detail = getattr(reason, "reason", None) or _short(reason)
    return Failure(
        Cause.TLS_ERROR,
        f"TLS handshake with {attempt.url} failed ({detail})",
        "if the server does not serve HTTPS, use http://; if its certificate is self-signed or expired, "
        "install a valid certificate on the server",
    )


def _not_odoo(error: BaseException, attempt: Attempt) -> Failure:
    return Failure(
        Cause.NOT_ODOO,
        f"{attempt.url} is not an Odoo server: it answered the RPC path with {_what_came_back(error)}",
        "use the address you open Odoo at in a browser, without any path, and check the port",
    )


def _redirect(error: errors.RedirectError, attempt: Attempt) -> Failure:
    location = getattr(error, "location", None) or "another address"
    return Failure(
        Cause.REDIRECT,
        f"{attempt.url} redirects to {location}",
        f"use the address it redirects to ({_server_root(location)}) as the URL",
    )


def _database_not_found(error: BaseException, attempt: Attempt) -> Failure:
    return Failure(
        Cause.DATABASE_NOT_FOUND,
        f"database {attempt.database!r} not found on {attempt.url}",
        "check the database name (it is shown in the Odoo database selector, or ask the administrator)",
    )


def _database_unavailable(error: BaseException, attempt: Attempt) -> Failure:
    return Failure(
        Cause.DATABASE_UNAVAILABLE,
        f"Odoo at {attempt.url} answered but its database server is not available",
        "ask the Odoo administrator to start PostgreSQL, then test again",
    )


def _authentication(error: BaseException, attempt: Attempt) -> Failure:
    if attempt.credential_kind is CredentialKind.API_KEY:
        return Failure(
            Cause.WRONG_CREDENTIALS,
            f"Odoo rejected login {attempt.login!r} with this API key on database {attempt.database!r}",
            f"check the login (often the email address) and paste the key again, or create a new one: {_API_KEY_HOWTO}",
        )
    return Failure(
        Cause.TWO_FACTOR,
        f"Odoo rejected login {attempt.login!r} with this password on database {attempt.database!r}",
        "check the password; users with two-factor login cannot use their password here and need an API key: "
        + _API_KEY_HOWTO,
    )


def _rate_limited(error: errors.RateLimitedError, attempt: Attempt) -> Failure:
    wait = getattr(error, "retry_after", None)
    when = f"after {wait:.0f} s" if wait else "in a minute"
    return Failure(
        Cause.RATE_LIMITED,
        f"{attempt.url} is rate limiting requests (HTTP 429)",
        f"test again {when}",
    )


def _access(error: BaseException, attempt: Attempt) -> Failure:
    model = getattr(error, "model", None) or "this model"
    return Failure(
        Cause.ACCESS_DENIED,
        f"login {attempt.login!r} may not read {model}",
        f"give the user read access to {model} in Odoo (Settings > Users > Access Rights), or leave the stream out",
    )


def _unknown_model(error: BaseException, attempt: Attempt) -> Failure:
    model = getattr(error, "model", None) or "the model"
    return Failure(
        Cause.MODEL_MISSING,
        f"{model} is not installed on database {attempt.database!r}",
        "install the Odoo app that provides it (Apps menu), or leave the stream out",
    )


def _protocol(error: BaseException, attempt: Attempt) -> Failure:
    return _not_odoo(error, attempt)


def _server_error(error: BaseException, attempt: Attempt) -> Failure:
    name = getattr(error, "odoo_exception", None) or type(error).__name__
    return Failure(
        Cause.SERVER_ERROR,
        f"Odoo at {attempt.url} raised {name}: {_short(error)}",
        "retry; if it happens again, send the server log to the Odoo administrator",
    )


# Order matters: specific classes before the ones they may inherit from.
_BUILDERS = (
    (errors.RedirectError, _redirect),
    (errors.DatabaseNotFoundError, _database_not_found),
    (errors.DatabaseUnavailableError, _database_unavailable),
    (errors.AuthenticationError, _authentication),
    (errors.RateLimitedError, _rate_limited),
    (errors.AccessError, _access),
    (errors.UnknownModelError, _unknown_model),
    (errors.NotOdooError, _not_odoo),
    (errors.ProtocolError, _protocol),
    (errors.ServerUnreachableError, _unreachable),
    (errors.OdooError, _server_error),
)


def _find_in_chain(error: BaseException | None, wanted: type) -> BaseException | None:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, wanted):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _looks_like_html(error: BaseException) -> bool:
    text = _short(error).lower()
    return "html" in text or "404" in text


def _what_came_back(error: BaseException) -> str:
    text = _short(error).lower()
    if "404" in text:
        return "404 Not Found"
    if "html" in text:
        return "an HTML page"
    return f"a response it cannot parse ({_short(error)})"


def _server_root(location: str) -> str:
    parts = httpx.URL(location)
    if not parts.scheme or not parts.host:
        return location
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.host}{port}"


def _short(error: BaseException | None, limit: int = 160) -> str:
    # OdooError.detail is the message without the client's own hint, which
    # would repeat or contradict the fix given here.
    text = getattr(error, "detail", None) or str(error) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
