"""``SandboxServer``: the Starlette app and its uvicorn server on a loopback port."""

from __future__ import annotations

import logging
import random
import threading

from starlette.applications import Starlette
from starlette.routing import Route

from core.http_server import ServerHandle, start_in_thread
from core.sandbox import json2, jsonrpc, xmlrpc
from core.sandbox.control import make_faults_endpoint, make_store_endpoint
from core.sandbox.data import fill
from core.sandbox.faults import CONTROL_PREFIX, FaultMiddleware, Faults
from core.sandbox.pages import not_found
from core.sandbox.services import DATABASE, Backend
from core.sandbox.store import Store
from core.sandbox.trickle import Trickle
from core.sandbox.users import Users
from core.sandbox.versions import version_info
from core.secrets import Secret

log = logging.getLogger(__name__)

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def generate_api_key(seed: int) -> str:
    """Return a 40-hex-digit key like Odoo's, the same for the same seed."""
    return f"{random.Random(f'api-key:{seed}').getrandbits(160):040x}"


class SandboxServer:
    """A loopback Odoo look-alike with demo data, users and switchable faults.

    ``start()`` serves it from a background thread; ``url``, ``database``,
    the admin login and ``api_key`` are what a client connects with.
    ``scale`` grows models to a record count, e.g. ``{"product.product": 100_000}``.
    """

    admin_login = "admin"
    admin_password = "admin"

    def __init__(
        self,
        version: str = "18.0",
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        scale: dict[str, int] | None = None,
    ) -> None:
        self.version = version_info(version)
        self.host = host
        self.port = port
        self.seed = seed
        self.scale = dict(scale or {})
        self.database = DATABASE
        self.api_key = Secret(generate_api_key(seed))
        self.store = Store()
        fill(self.store, seed, self.scale)
        self.users = Users(self.api_key.reveal())
        self.backend = Backend(self.store, self.users, self.version)
        self.trickle = Trickle(self.store, seed)
        self.faults = Faults(self)
        self.app = FaultMiddleware(self._build_app(), self.faults)
        self._handle: ServerHandle | None = None
        self._listen_lock = threading.Lock()
        self._started = False

    def _build_app(self) -> Starlette:
        backend = self.backend
        routes = [
            Route("/xmlrpc/2/{service}", xmlrpc.make_endpoint(backend, legacy=False), methods=ALL_METHODS),
            Route("/xmlrpc/{service}", xmlrpc.make_endpoint(backend, legacy=True), methods=ALL_METHODS),
            Route("/jsonrpc", jsonrpc.make_endpoint(backend), methods=ALL_METHODS),
            Route("/json/2/{model}/{method}", json2.make_endpoint(backend), methods=ALL_METHODS),
            Route("/web/version", json2.make_version_endpoint(backend), methods=["GET", "HEAD"]),
            Route(f"{CONTROL_PREFIX}/faults", make_faults_endpoint(self), methods=["GET", "POST"]),
            Route(f"{CONTROL_PREFIX}/store", make_store_endpoint(self), methods=["POST"]),
        ]

        async def fallback(request, exc):
            return not_found()

        return Starlette(routes=routes, exception_handlers={404: fallback})

    # -- lifecycle ----------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def listening(self) -> bool:
        return self._handle is not None

    def start(self) -> "SandboxServer":
        """Listen on ``host:port`` (a free port when 0) from a background thread."""
        self.start_listening()
        self._started = True
        log.info("sandbox Odoo %s listening on %s, database %s", self.version.server_version, self.url, self.database)
        return self

    def stop(self) -> None:
        """Stop the trickle and the server; safe to call twice."""
        self.trickle.stop()
        self._started = False
        self.stop_listening()

    def reset(self) -> None:
        """Restore the starting data, users and fault switches without restarting.

        The store and users objects stay the same, so references to
        ``server.store`` remain valid. A server that went down listens again.
        """
        self.faults.clear()
        self.store.clear()
        fill(self.store, self.seed, self.scale)
        self.users.reset(self.api_key.reveal())
        if self._started:
            self.start_listening()
        self._started = True
        log.info("sandbox on %s reset to seed %d", self.url, self.seed)

    def start_listening(self) -> None:
        with self._listen_lock:
            if self._handle is not None:
                return
            self._handle = start_in_thread(self.app, self.host, self.port)
            # Keep the port, so come_up() listens on the same one.
            self.port = self._handle.port

    def stop_listening(self) -> None:
        # The handle is dropped only once the socket is closed, so
        # ``listening`` never reports down while connections still succeed.
        with self._listen_lock:
            if self._handle is not None:
                self._handle.stop()
            self._handle = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SandboxServer(version={self.version.serie!r}, url={self.url!r}, database={self.database!r})"
