"""Check the Odoo URL a person typed before anything is sent to it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Paths of Odoo's web client. A URL copied from the browser's address bar
# often carries one; the RPC endpoints live at the root of the server.
_WEB_CLIENT_PATHS = ("/web", "/odoo")


class InvalidUrlError(ValueError):
    """The URL cannot be used; the message names the value and the fix."""


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    """A usable server URL and the warnings a person should read before going on."""

    url: str
    host: str
    warnings: list[str] = field(default_factory=list)


def check_url(text: str) -> CheckedUrl:
    """Validate and normalise an Odoo server URL.

    Raises InvalidUrlError when the scheme is not http or https or the host
    is missing. Plain http to a host other than this machine is accepted
    with a warning, because the login and password would cross the network
    unencrypted.
    """
    raw = text.strip()
    if not raw:
        raise InvalidUrlError("missing URL: type the address of the Odoo server, e.g. https://odoo.example.com")
    _check_no_spaces(raw, "invalid URL", "https://odoo.example.com")
    if "://" not in raw:
        raise InvalidUrlError(_missing_scheme_message(raw))

    parts = urlsplit(raw)
    _check_scheme(raw, parts.scheme)
    host = _check_host(raw, parts)

    warnings: list[str] = []
    path = parts.path.rstrip("/")
    if path.startswith(_WEB_CLIENT_PATHS):
        warnings.append(f"dropped the web client path {parts.path!r}: Odoo answers RPC at the server root")
        path = ""
    if parts.scheme == "http" and not is_loopback_host(host):
        warnings.append(
            f"http:// sends the login and password to {host} unencrypted; use https:// unless the network is trusted"
        )
    return CheckedUrl(url=f"{parts.scheme.lower()}://{parts.netloc}{path}", host=host, warnings=warnings)


def is_loopback_host(host: str) -> bool:
    """Return True for localhost names and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _missing_scheme_message(raw: str) -> str:
    # Suggest the URL with https:// only when that URL would pass the check,
    # so the fix offered is never itself rejected.
    candidate = f"https://{raw}"
    try:
        check_url(candidate)
    except InvalidUrlError as error:
        reason = str(error).removeprefix(f"invalid URL {candidate!r}: ")
        return f"invalid URL {raw!r}: missing scheme (such as https://), and {reason}"
    return f"invalid URL {raw!r}: missing scheme; write https://{raw} (or http:// on a local server)"


def _check_no_spaces(raw: str, prefix: str, example: str) -> None:
    # urlsplit accepts "odoo example.com" as a host name, so spaces are
    # rejected here, before any other check builds a suggestion from them.
    if any(character.isspace() for character in raw):
        raise InvalidUrlError(f"{prefix} {raw!r}: contains spaces; type the address without spaces, e.g. {example}")


def _check_scheme(raw: str, scheme: str) -> None:
    if scheme.lower() not in ("http", "https"):
        raise InvalidUrlError(f"invalid URL {raw!r}: scheme {scheme!r} is not supported; use https:// or http://")


def _check_host(raw: str, parts) -> str:
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise InvalidUrlError(f"invalid URL {raw!r}: the port is not a number between 0 and 65535") from None
    if not host:
        raise InvalidUrlError(f"invalid URL {raw!r}: missing host; write it as https://odoo.example.com")
    if parts.query or parts.fragment:
        raise InvalidUrlError(f"invalid URL {raw!r}: remove the part after ? or #; only the server address is needed")
    return host


def check_endpoint_url(text: str) -> CheckedUrl:
    """Validate a webhook receiver URL; unlike Odoo URLs, its path and query are kept."""
    raw = text.strip()
    _check_no_spaces(raw, "invalid endpoint URL", "https://receiver.example.com/path")
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidUrlError(f"invalid endpoint URL {raw!r}: write it as https://receiver.example.com/path")
    warnings = []
    if parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname):
        warnings.append(f"http:// sends signed events to {parts.hostname} unencrypted; use https:// unless the network is trusted")
    return CheckedUrl(url=raw, host=parts.hostname, warnings=warnings)
