"""``odoo-relay demo``: a sandbox Odoo, a flaky receiver and the monitor, in one command."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click

from cli.main import cli
from core.clock import SystemClock
from core.ledger import Ledger
from core.ledger.models import CredentialKind, NewConnection, NewEndpoint, Protocol, StreamSpec
from core.secrets import Secret
from core.sync.streams import DEFAULT_STREAMS

log = logging.getLogger(__name__)

DEMO_CONNECTION = "sandbox-plant"
DEMO_INTERVAL_SECONDS = 30
# The receiver delays some responses past the dispatcher's attempt timeout
# (15 s by default), so the log shows a timeout now and then.
DEMO_TIMEOUT_SECONDS = 20.0


@cli.command()
@click.option("--trickle-seconds", type=click.FloatRange(0.5), default=4.0, show_default=True,
              help="Seconds between record changes in the sandbox Odoo.")
@click.option("--failure-rate", type=click.FloatRange(0, 1), default=0.25, show_default=True,
              help="Fraction of webhooks the demo receiver rejects with HTTP 500.")
@click.option("--timeout-rate", type=click.FloatRange(0, 1), default=0.04, show_default=True,
              help=f"Fraction of webhooks whose response the receiver delays by {DEMO_TIMEOUT_SECONDS:.0f} s (a timeout).")
@click.option("--odoo-version", default="18.0", show_default=True, help="Odoo version the sandbox imitates.")
def demo(trickle_seconds: float, failure_rate: float, timeout_rate: float, odoo_version: str) -> None:
    """Watch odoo-relay work on a sandbox Odoo, with no setup.

    Starts a sandbox Odoo on loopback whose records change every few
    seconds, a webhook receiver that verifies signatures and fails about a
    quarter of the requests, a temporary ledger with one connection and one
    endpoint, and the live monitor. Everything is removed on exit.
    """
    from cli.run_tui import run_monitor

    with DemoServices(trickle_seconds, failure_rate, timeout_rate, odoo_version) as services:
        with tempfile.TemporaryDirectory(prefix="odoo-relay-demo-") as directory:
            ledger_path = Path(directory) / "ledger.sqlite3"
            prepare_demo_ledger(ledger_path, services.sandbox, services.receiver_url, services.secret, SystemClock().now())
            raise SystemExit(run_monitor(ledger_path))


class DemoServices:
    """The sandbox Odoo and the demo receiver, started on free loopback ports."""

    def __init__(self, trickle_seconds: float, failure_rate: float, timeout_rate: float, odoo_version: str) -> None:
        self.trickle_seconds = trickle_seconds
        self.failure_rate = failure_rate
        self.timeout_rate = timeout_rate
        self.odoo_version = odoo_version
        self.sandbox = None
        self.receiver = None
        self.secret: Secret | None = None

    @property
    def receiver_url(self) -> str:
        """URL the demo endpoint posts to."""
        return f"{self.receiver.url}/webhooks"

    def __enter__(self) -> DemoServices:
        from core.http_server import start_in_thread
        from core.sandbox import SandboxServer
        from core.webhooks.receiver import create_receiver_app
        from core.webhooks.signing import generate_secret

        self.sandbox = SandboxServer(version=self.odoo_version, host="127.0.0.1", port=0).start()
        self.sandbox.faults.start_trickle(self.trickle_seconds)
        self.secret = generate_secret()
        app = create_receiver_app(self.secret, failure_rate=self.failure_rate, timeout_rate=self.timeout_rate,
                                  timeout_seconds=DEMO_TIMEOUT_SECONDS)
        self.receiver = start_in_thread(app, "127.0.0.1", 0)
        log.info("demo: sandbox Odoo on %s, receiver on %s", self.sandbox.url, self.receiver.url)
        return self

    def __exit__(self, *exc_info) -> None:
        # The receiver may hold delayed responses open for a few seconds.
        click.echo("Stopping the sandbox Odoo and the demo receiver…", err=True)
        if self.receiver is not None:
            self.receiver.stop(timeout=5)
        if self.sandbox is not None:
            self.sandbox.stop()


def prepare_demo_ledger(ledger_path: Path, sandbox, receiver_url: str, secret: Secret, now: datetime,
                        interval_seconds: int = DEMO_INTERVAL_SECONDS,
                        streams: Sequence[StreamSpec] = tuple(DEFAULT_STREAMS)) -> int:
    """Write one connection to ``sandbox`` (first sync due now) and one endpoint; return the connection id."""
    with Ledger.open(ledger_path) as ledger:
        connection = ledger.add_connection(
            NewConnection(
                name=DEMO_CONNECTION,
                url=sandbox.url,
                database=sandbox.database,
                login=sandbox.admin_login,
                credential=sandbox.api_key,
                credential_kind=CredentialKind.API_KEY,
                protocol=Protocol.AUTO,
                interval_seconds=interval_seconds,
            ),
            at=now,
        )
        ledger.upsert_streams(connection.id, list(streams))
        ledger.schedule(connection.id, now, 0)
        ledger.add_endpoint(NewEndpoint(url=receiver_url, secret=secret, description="odoo-relay demo receiver"), now)
    return connection.id
