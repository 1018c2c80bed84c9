"""``odoo-relay sandbox``: run the loopback Odoo look-alike in the foreground."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

import click

from cli.main import cli
from core.sandbox.versions import BUILDS

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@cli.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it on loopback).")
@click.option("--port", default=8069, show_default=True, type=click.IntRange(0, 65535), help="TCP port; 0 picks a free one.")
@click.option(
    "--version",
    "odoo_version",
    default="18.0",
    show_default=True,
    type=click.Choice(sorted(BUILDS)),
    help="Odoo version to present; JSON-2 exists only on 19.0.",
)
@click.option("--seed", default=1, show_default=True, type=int, help="Seed of the demo data and the API key.")
@click.option(
    "--trickle",
    type=click.FloatRange(min=0.05),
    default=None,
    help="Seconds between automatic record changes (off unless given).",
)
def sandbox_command(host: str, port: int, odoo_version: str, seed: int, trickle: float | None) -> None:
    """Serve a sandbox Odoo with demo data until Ctrl-C or SIGTERM."""
    from core.sandbox import SandboxServer

    if host not in LOOPBACK_HOSTS:
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach it can log in as admin/admin", err=True)
    server = SandboxServer(version=odoo_version, host=host, port=port, seed=seed)
    try:
        server.start()
    except (OSError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    if trickle:
        server.faults.start_trickle(trickle)
    # The handlers go in before the banner: a caller that reads the banner
    # and sends SIGTERM at once must not find the default action, which
    # ends the process without stopping the server.
    with _stop_on_signals() as stop:
        _print_banner(server, trickle)
        while not stop.wait(0.5):
            pass
    click.echo("stopping the sandbox")
    server.stop()


def _print_banner(server, trickle: float | None) -> None:
    click.echo(f"Sandbox Odoo {server.version.server_version} on {server.url}")
    click.echo(f"  database:  {server.database}")
    for user in server.users.all():
        click.echo(f"  login:     {user.login} / {user.password}  (uid {user.uid}, {user.name})")
    # The sandbox's key is made up for local tests, so printing it is the point.
    click.echo(f"  API key:   {server.api_key.reveal()}  (admin)")
    click.echo(f"  faults:    POST {server.url}/__sandbox__/faults  (see core/sandbox/__init__.py)")
    if trickle:
        click.echo(f"  trickle:   one record change every {trickle:g} s")
    click.echo("Press Ctrl-C to stop.")


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """Yield an event that SIGINT or SIGTERM sets; restore the old handlers on exit."""
    stop = threading.Event()

    def request_stop(signum, frame) -> None:
        stop.set()

    previous = {number: signal.signal(number, request_stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
