"""``odoo-relay listen``: run the demo webhook receiver and print what arrives."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import click

from cli.main import EXIT_USAGE, cli
from core.secrets import Secret

SECRET_ENV = "ODOO_RELAY_WEBHOOK_SECRET"
DATA_PREVIEW_CHARS = 80


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port to listen on (0 picks a free one).")
@click.option(
    "--secret",
    "prompt_secret",
    is_flag=True,
    help=f"Prompt for the endpoint's signing secret (input hidden). Without it, the secret is read from ${SECRET_ENV}.",
)
@click.option("--secret-env", metavar="VAR", help="Name of the environment variable that contains the signing secret.")
@click.option("--failure-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Fraction of requests that get a 500 response.")
@click.option("--timeout-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Fraction of requests whose response is delayed by --timeout-seconds.")
@click.option("--timeout-seconds", type=click.FloatRange(0), default=30.0, show_default=True, help="Delay in seconds for --timeout-rate requests.")
@click.argument("extra", nargs=-1, required=False, metavar="")
def listen(
    host: str,
    port: int,
    prompt_secret: bool,
    secret_env: str | None,
    failure_rate: float,
    timeout_rate: float,
    timeout_seconds: float,
    extra: tuple[str, ...],
) -> None:
    """Receive signed webhooks, verify them and print each event.

    The secret never goes on the command line, where shell history and
    process lists would keep it: pass --secret to type it at a hidden
    prompt, --secret-env VAR to read it from $VAR, or set $ODOO_RELAY_WEBHOOK_SECRET.
    """
    if extra:
        # Likely `--secret whsec_...`; the value is not echoed back.
        raise click.UsageError(
            "listen takes no arguments: --secret takes no value because a secret on the command line "
            f"lands in shell history. Run with --secret to type it at a prompt, or set ${SECRET_ENV}."
        )
    secret = _read_secret(prompt_secret, secret_env)
    code = asyncio.run(_serve(host, port, secret, failure_rate, timeout_rate, timeout_seconds))
    sys.exit(code)


def _read_secret(prompt_secret: bool, secret_env: str | None) -> Secret:
    from core.webhooks.signing import decode_secret

    if prompt_secret:
        value = click.prompt("Webhook signing secret", hide_input=True)
    else:
        variable = secret_env or SECRET_ENV
        value = os.environ.get(variable, "")
        if not value:
            raise click.UsageError(f"${variable} is not set; export the endpoint's signing secret there or pass --secret to type it.")

    secret = Secret(value.strip())
    try:
        decode_secret(secret)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    return secret


async def _serve(host: str, port: int, secret: Secret, failure_rate: float, timeout_rate: float, timeout_seconds: float) -> int:
    from core.http_server import bind_socket, serve_until_stopped, url_for
    from core.webhooks.receiver import create_receiver_app

    app = create_receiver_app(
        secret,
        failure_rate=failure_rate,
        timeout_rate=timeout_rate,
        timeout_seconds=timeout_seconds,
        on_event=_print_event,
    )
    try:
        sock = bind_socket(host, port)
    except OSError as error:
        click.echo(f"Error: {error}", err=True)
        return EXIT_USAGE

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    click.echo(f"Listening on {url_for(sock)} (Ctrl+C to stop)", err=True)
    await serve_until_stopped(app, sock, stop)
    return 0


def _print_event(event) -> None:
    """Print one verified event as ``time id type data`` on a single line."""
    data = json.dumps(event.data, separators=(",", ":"), default=str)
    if len(data) > DATA_PREVIEW_CHARS:
        data = data[: DATA_PREVIEW_CHARS - 1] + "…"
    marker = " (duplicate)" if event.duplicate else ""
    when = event.received_at.strftime("%H:%M:%S")
    click.echo(f"{when} {event.webhook_id} {event.type}{marker} {data}")
