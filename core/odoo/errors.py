"""Typed errors raised by the Odoo client.

Every error carries where it happened (``url``, ``model``, ``method``) and
Odoo's exception class when the server sent one (``odoo_exception``). The
message states what failed, where, and what to do. No error contains a
password or an API key, because the client builds messages from the
call's location and Odoo's reply only.
"""

from __future__ import annotations


class OdooError(Exception):
    """Base class of every error the Odoo client raises."""

    #: What the user can do about it; subclasses override.
    hint = "check the Odoo server log for details"

    def __init__(
        self,
        detail: str,
        *,
        url: str | None = None,
        model: str | None = None,
        method: str | None = None,
        odoo_exception: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.detail = detail
        self.url = url
        self.model = model
        self.method = method
        self.odoo_exception = odoo_exception
        if hint is not None:
            self.hint = hint
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = self.url or "the Odoo server"
        if self.model and self.method:
            where = f"{self.model}.{self.method} on {where}"
        elif self.method:
            where = f"{self.method} on {where}"
        text = f"{self.detail} ({where})"
        if self.hint:
            text = f"{text}: {self.hint}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.args[0]!r})"


class AuthenticationError(OdooError):
    """The login, password or API key was rejected (Odoo's AccessDenied)."""

    hint = "check the login and the password or API key, then connect again"


class AccessError(OdooError):
    """The user may not perform this operation on ``model`` (Odoo's AccessError)."""

    hint = "give the Odoo user the access rights this model needs, or use another user"


class MissingRecordError(OdooError):
    """The record was deleted or never existed (Odoo's MissingError)."""

    hint = "the record is gone; reload the ids before writing"


class UnknownModelError(OdooError):
    """The model does not exist on this database (module not installed or typo)."""

    hint = "install the Odoo module that provides this model, or fix the model name"


class UnknownMethodError(OdooError):
    """The model has no public method of that name."""

    hint = "check the method name and the Odoo version"


class UserError(OdooError):
    """Odoo refused the operation with a business message (UserError, ValidationError)."""

    hint = "fix the values according to Odoo's message"


class DatabaseNotFoundError(OdooError):
    """The database named in the connection does not exist on the server."""

    hint = "check the database name (odoo-relay can list the databases when the server allows it)"


class DatabaseUnavailableError(OdooError):
    """Odoo responds but cannot reach PostgreSQL."""

    hint = "PostgreSQL behind Odoo is down or refusing connections; retry later or ask the Odoo administrator"


class ServerUnreachableError(OdooError):
    """No usable answer: connection refused, DNS failure, timeout, 502/503/504, or an HTML page."""

    hint = "check that the URL is right and the server is up; odoo-relay retries reads on its own"


class UnexpectedHtmlError(ServerUnreachableError):
    """An HTML page came back where XML or JSON was expected (a proxy or maintenance page)."""


class RateLimitedError(OdooError):
    """The server or a proxy responded 429 Too Many Requests."""

    hint = "wait before calling again"

    def __init__(self, detail: str, *, retry_after: float | None = None, **location) -> None:
        self.retry_after = retry_after
        super().__init__(detail, **location)


class ProtocolError(OdooError):
    """The reply could not be understood (unparseable body, 405, 415)."""

    hint = "check that the URL points at an Odoo server and that the protocol is supported by its version"


class NotOdooError(ProtocolError):
    """The URL responds, but not as an Odoo server (an HTML page or 404 on the RPC path)."""

    hint = "check the base URL: it must be the address you open Odoo at in a browser, without /web or /odoo"


class RedirectError(OdooError):
    """The server responded with a redirect, which the client never follows."""

    def __init__(self, detail: str, *, location: str | None = None, **fields) -> None:
        self.location = location
        fields.setdefault("hint", _redirect_hint(location))
        super().__init__(detail, **fields)


def _redirect_hint(location: str | None) -> str:
    # Following a redirect would turn the POST into a GET and drop the body,
    # so the only safe fix is a corrected base URL.
    if not location:
        return "fix the base URL so that the server answers without redirecting"
    return f"fix the base URL (the server redirects to {location}, often http:// to https://)"


class ResultNotMarshallableError(OdooError):
    """The call ran and committed, but its None result cannot travel over XML-RPC.

    Never retry it: the change is already in the database.
    """

    hint = "the change was committed; do not repeat the call (use JSON-RPC for methods that return nothing)"


class ServerError(OdooError):
    """Any other server-side exception, with its class and last traceback line."""

    def __init__(self, detail: str, *, exception_name: str | None = None, last_line: str | None = None, **fields) -> None:
        self.exception_name = exception_name
        self.last_line = last_line
        fields.setdefault("odoo_exception", exception_name)
        super().__init__(detail, **fields)


class InvalidValueError(OdooError, ValueError):
    """A value the client refuses to send (naive datetime, integer too big for XML-RPC)."""

    hint = "fix the value before sending it"


def is_connectivity(error: BaseException) -> bool:
    """Return True for errors that mean 'try again later' rather than 'fix something'."""
    return isinstance(error, ServerUnreachableError | DatabaseUnavailableError | RateLimitedError)


def is_credentials(error: BaseException) -> bool:
    """Return True when the login, password or API key was rejected."""
    return isinstance(error, AuthenticationError)
