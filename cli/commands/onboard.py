"""The work behind ``connections add``, ``test`` and ``edit``: core onboarding, printed for scripts."""

from __future__ import annotations

from typing import Any

import click

from cli.commands.output import clock, run_async, running_engine
from core.ledger.models import Protocol, StreamSpec
from core.onboarding import (
    ConnectionDraft,
    ConnectionTest,
    Credentials,
    EndpointDraft,
    InvalidUrlError,
    OnboardingError,
    ServerFacts,
    change_credentials,
    check_interval,
    check_url,
    default_name,
    discover_server,
    finish_onboarding,
    parse_event_filter,
    test_connection,
)
from core.sync.streams import DEFAULT_STREAMS, default_stream
from core.webhooks.signing import generate_secret


def add_from_options(ledger, options: dict[str, Any]) -> dict[str, Any]:
    """Run the onboarding steps without a screen and return what to print."""
    from cli.commands.connections import read_credential

    url = _checked_url(options["url"])
    interval = _checked(check_interval, options["interval"], "--interval")
    streams = _chosen_streams(options["streams"])
    event_types = _checked(parse_event_filter, options["events"], "--events")
    database = options["database"] or _single_database(url)
    credential, kind = read_credential(options["use_api_key"])

    credentials = Credentials(url, database, options["login"], credential, kind, Protocol(options["protocol"]))
    test = _run_step(test_connection(credentials, streams))
    name = options["name"] or default_name(database, {c.name for c in ledger.list_connections()})
    if ledger.get_connection_by_name(name) is not None:
        raise click.UsageError(f"connection name {name!r} is taken; choose another with --name")

    endpoint = None
    if options["endpoint_url"]:
        endpoint = EndpointDraft(url=options["endpoint_url"], secret=generate_secret(), event_types=event_types)
    draft = ConnectionDraft(name=name, url=url, database=database, login=options["login"], credential=credential,
                            credential_kind=kind, protocol=Protocol(options["protocol"]), interval_seconds=interval,
                            streams=streams, endpoint=endpoint)
    done = finish_onboarding(ledger, draft, test, clock())
    record = _added(done, test, endpoint)
    if running_engine(ledger) is None:
        record["first_sync_note"] = (f"queued for the next engine on this ledger; run `odoo-relay sync {name}` "
                                     "to sync now, or start `odoo-relay serve`")
    return record


def retest(ledger, connection) -> dict[str, Any]:
    """Test a saved connection and record what the server reported."""
    specs = [StreamSpec(s.name, s.model, s.domain, s.fields, s.enabled) for s in ledger.list_streams(connection.id)]
    credentials = Credentials(connection.url, connection.database, connection.login, connection.credential,
                              connection.credential_kind, connection.protocol)
    try:
        test = run_async(test_connection(credentials, specs))
    except OnboardingError as error:
        return {"ok": False, "connection": connection.name, "cause": error.failure.cause,
                "error": error.failure.message, "fix": error.failure.fix}
    ledger.record_probe(connection.id, test.version, test.protocol, test.uid)
    by_name = {stream.name: stream for stream in ledger.list_streams(connection.id)}
    for check in test.streams:
        ledger.set_stream_availability(by_name[check.spec.name].id, check.available, check.reason)
    return {"ok": True, "connection": connection.name, **_test_summary(test)}


def edit(ledger, connection, login: str | None, use_api_key: bool | None, change_login: bool,
         interval: int | None) -> dict[str, Any]:
    """Apply ``connections edit``: a new interval, new credentials, or both."""
    from cli.commands.connections import read_credential

    record: dict[str, Any] = {"connection": connection.name}
    if interval is not None:
        ledger.set_interval(connection.id, _checked(check_interval, interval, "--interval"))
        record["interval_seconds"] = interval
    if change_login:
        credential, kind = read_credential(use_api_key)
        changed = _run_step(change_credentials(ledger, connection.id, login or connection.login, credential, kind,
                                               clock()))
        record.update(status=changed.connection.status, login=changed.connection.login,
                      token=changed.token.value, token_note="shown once: store it now, it cannot be shown again")
    return record


def _added(done, test: ConnectionTest, endpoint: EndpointDraft | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": done.connection.id,
        "name": done.connection.name,
        "status": done.connection.status,
        **_test_summary(test),
        "token": done.token.value,
        "token_note": "shown once: store it now, it cannot be shown again",
        "first_sync_command": done.first_sync.id,
    }
    if endpoint is not None and done.endpoint is not None:
        record["endpoint_id"] = done.endpoint.id
        record["endpoint_secret"] = endpoint.secret.reveal()
    return record


def _test_summary(test: ConnectionTest) -> dict[str, Any]:
    return {
        "server_version": test.version,
        "protocol": test.protocol,
        "uid": test.uid,
        "streams": {check.spec.name: ("ok" if check.available else check.reason) for check in test.streams},
    }


def _single_database(url: str) -> str:
    facts: ServerFacts = _run_step(discover_server(url))
    if facts.suggested_database:
        return facts.suggested_database
    if facts.databases:
        raise click.UsageError(f"{url} has several databases ({', '.join(facts.databases)}); pick one with --database")
    raise click.UsageError(f"{url} does not list its databases; pass --database")


def _chosen_streams(names: tuple[str, ...]) -> list[StreamSpec]:
    if not names:
        return list(DEFAULT_STREAMS)
    return [_checked(default_stream, name, "--stream") for name in names]


def _checked_url(text: str) -> str:
    try:
        checked = check_url(text)
    except InvalidUrlError as error:
        raise click.BadParameter(str(error), param_hint="--url") from None
    for warning in checked.warnings:
        click.echo(f"warning: {warning}", err=True)
    return checked.url


def _checked(check, value, option: str):
    try:
        return check(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


def _run_step(coroutine):
    try:
        return run_async(coroutine)
    except OnboardingError as error:
        raise click.ClickException(str(error.failure)) from None
