"""Run a Starlette (ASGI) app on uvicorn: the one server stack of odoo-relay.

The sandbox Odoo, the demo webhook receiver and the HTTP API all start
through here, in the current event loop or in a background thread.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from dataclasses import dataclass, field

import uvicorn

log = logging.getLogger(__name__)


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind a listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only
    # when proto is TCP, and without it small responses wait ~40 ms for the
    # peer's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror}; pick another --port") from error
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def url_for(sock: socket.socket) -> str:
    """Return the http:// base URL of a bound socket."""
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def make_server(app, *, access_log: bool = False, timeout_graceful_shutdown: float | None = 5) -> uvicorn.Server:
    """Build a uvicorn server for ``app`` that leaves signals and logging to us."""
    config = uvicorn.Config(
        app,
        access_log=access_log,
        log_config=None,
        lifespan="auto",
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    # The caller owns the process's signals (the TUI, `serve`, pytest).
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    return server


@dataclass
class ServerHandle:
    """A server running in a background thread; ``stop()`` shuts it down."""

    url: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread
    _stopped: bool = field(default=False, repr=False)

    def stop(self, timeout: float = 10) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():
            log.warning("server %s did not stop within %.0f s", self.url, timeout)

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_in_thread(app, host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 10) -> ServerHandle:
    """Serve ``app`` from a daemon thread and return once it accepts connections."""
    sock = bind_socket(host, port)
    server = make_server(app)
    bound_port = sock.getsockname()[1]
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as error:  # noqa: BLE001 - reported to the starting thread
            failure.append(error)

    thread = threading.Thread(target=run, name=f"uvicorn:{bound_port}", daemon=True)
    thread.start()
    _wait_started(server, thread, failure, startup_timeout, bound_port)
    return ServerHandle(url=url_for(sock), port=bound_port, server=server, thread=thread)


def _wait_started(server, thread, failure, timeout: float, port: int) -> None:
    deadline = threading.Event()
    waited = 0.0
    while not server.started:
        if failure:
            raise RuntimeError(f"server on port {port} failed to start: {failure[0]!r}") from failure[0]
        if not thread.is_alive() or waited >= timeout:
            raise RuntimeError(f"server on port {port} did not start within {timeout:.0f} s")
        deadline.wait(0.01)
        waited += 0.01


async def serve_until_stopped(app, sock: socket.socket, stop: asyncio.Event) -> None:
    """Serve ``app`` in the running event loop until ``stop`` is set."""
    server = make_server(app)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopper.cancel()
    await task
