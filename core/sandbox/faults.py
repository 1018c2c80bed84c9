"""Failure modes a test or the demo can switch on and off while the sandbox runs.

``Faults`` is the in-process switchboard (``server.faults``);
``FaultMiddleware`` applies the HTTP-level ones to every request except the
``/__sandbox__`` control routes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

from core.sandbox.pages import bad_gateway, too_many_requests

if TYPE_CHECKING:
    from core.sandbox.server import SandboxServer

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/__sandbox__"


class Faults:
    """Switches for down, slow, proxy 502, PostgreSQL down, password change, 429 and trickle."""

    def __init__(self, server: "SandboxServer") -> None:
        self._server = server
        self.delay: float | None = None
        self.bad_gateway = False
        self.retry_after: float | None = None

    def clear(self) -> None:
        """Switch every fault off and stop the trickle; the server listens again."""
        self.delay = None
        self.bad_gateway = False
        self.retry_after = None
        self._server.backend.database_down = False
        self._server.trickle.stop()

    def go_down(self) -> None:
        """Stop listening, so new connections are refused, until ``come_up()``."""
        self._server.stop_listening()

    def come_up(self) -> None:
        """Listen again on the same port."""
        self._server.start_listening()

    def slow(self, seconds: float | None) -> None:
        """Delay every response by ``seconds``; None turns the delay off."""
        if seconds is not None and seconds < 0:
            raise ValueError(f"slow() expects a delay in seconds >= 0 or None, got {seconds!r}")
        self.delay = seconds or None

    def proxy_502(self, on: bool = True) -> None:
        """Respond to every request with a proxy's HTML 502 Bad Gateway page."""
        self.bad_gateway = bool(on)

    def database_down(self, on: bool = True) -> None:
        """Act as if PostgreSQL stopped: version() still works, everything else fails."""
        self._server.backend.database_down = bool(on)

    def change_password(self, login: str, new_password: str) -> None:
        """Change a user's password; the old one then fails with AccessDenied."""
        self._server.users.change_password(login, new_password)

    def rate_limit(self, retry_after: float | None) -> None:
        """Respond to every request with 429 and ``Retry-After``; None turns it off."""
        if retry_after is not None and retry_after < 0:
            raise ValueError(f"rate_limit() expects Retry-After seconds >= 0 or None, got {retry_after!r}")
        self.retry_after = retry_after

    def start_trickle(self, interval_seconds: float) -> None:
        """Start a steady stream of record changes, one every ``interval_seconds``."""
        self._server.trickle.start(interval_seconds)

    def stop_trickle(self) -> None:
        self._server.trickle.stop()

    def down_for(self, seconds: float) -> None:
        """Go down shortly after this call returns and come back after ``seconds``."""
        if seconds <= 0:
            raise ValueError(f"down_for expects a positive number of seconds, got {seconds!r}")

        def cycle() -> None:
            self.go_down()
            threading.Timer(seconds, self.come_up).start()

        # A short delay lets the control request that asked for it get its response.
        threading.Timer(0.1, cycle).start()

    def state(self) -> dict:
        """Return the current switches, as the control route reports them."""
        trickle = self._server.trickle
        return {
            "down": not self._server.listening,
            "slow": self.delay,
            "proxy_502": self.bad_gateway,
            "database_down": self._server.backend.database_down,
            "rate_limit": self.retry_after,
            "trickle": trickle.interval if trickle.running else None,
            "trickle_changes": trickle.changes,
        }

    def apply(self, settings: dict) -> None:
        """Apply the switches of a control request (see ``core/sandbox/__init__.py``)."""
        unknown = set(settings) - set(SETTERS)
        if unknown:
            raise ValueError(f"unknown fault setting(s) {sorted(unknown)}; use: {', '.join(sorted(SETTERS))}")
        for name, value in settings.items():
            SETTERS[name](self, value)


def _set_trickle(faults: Faults, value) -> None:
    if value:
        faults.start_trickle(float(value))
    else:
        faults.stop_trickle()


def _set_password(faults: Faults, value) -> None:
    if not isinstance(value, dict) or set(value) != {"login", "password"}:
        raise ValueError('change_password expects {"login": ..., "password": ...}')
    faults.change_password(value["login"], value["password"])


SETTERS = {
    "slow": lambda faults, value: faults.slow(None if value is None else float(value)),
    "proxy_502": lambda faults, value: faults.proxy_502(bool(value)),
    "database_down": lambda faults, value: faults.database_down(bool(value)),
    "rate_limit": lambda faults, value: faults.rate_limit(None if value is None else float(value)),
    "trickle": _set_trickle,
    "change_password": _set_password,
    "down_for": lambda faults, value: faults.down_for(float(value)),
}


class FaultMiddleware:
    """ASGI middleware that applies the slow, 502 and 429 faults."""

    def __init__(self, app, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        faults = self.faults
        if faults.delay:
            await asyncio.sleep(faults.delay)
        if faults.bad_gateway:
            await bad_gateway()(scope, receive, send)
            return
        if faults.retry_after is not None:
            await too_many_requests(faults.retry_after)(scope, receive, send)
            return
        await self.app(scope, receive, send)
