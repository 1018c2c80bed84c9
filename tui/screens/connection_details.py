"""Details of one connection: status history, streams, and its API token."""

from __future__ import annotations

import logging

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from core.ledger.models import ApiToken, Connection, ConnectionStatus, Stream, StreamResult
from tui import format as fmt
from tui.data import ConnectionDetails, LedgerData, StatusHistoryEntry
from tui.screens.details import DetailsScreen, facts, section
from tui.widgets.connections import AUTH_FAILED_HINT

log = logging.getLogger(__name__)

STATUS_TONES = {"active": "success", "pending": "warning", "disabled": "muted"}


class ConnectionDetailsScreen(DetailsScreen):
    """A connection's settings, status history, streams and token actions."""

    BINDINGS = [
        Binding("t", "rotate_token", "Rotate token", tooltip="Issue a new API token; the old one stops working"),
        Binding("s", "sync", "Sync now", tooltip="Sync this connection now"),
        Binding("e", "edit_credentials", "Edit credentials",
                tooltip="Test and save a new login or password (the way out of auth failed); issues a new API token"),
    ]

    class TokenRotated(Message):
        """A new API token was issued; ``value`` is shown once and dropped."""

        def __init__(self, token: ApiToken, value: str) -> None:
            super().__init__()
            self.token = token
            self.value = value

    class TokenRotationFailed(Message):
        """Issuing a new token failed."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, data: LedgerData, connection_id: int) -> None:
        super().__init__(data)
        self.connection_id = connection_id
        self.title = f"Connection #{connection_id}"

    def read(self, data: LedgerData) -> ConnectionDetails:
        return data.load_connection_details(self.connection_id)

    def build(self, details: ConnectionDetails) -> list[Widget]:
        self.query_one("#details").border_title = f"Connection #{self.connection_id} · {details.connection.name}"
        return [
            section("Summary", self._summary(details.connection)),
            section("Status history", self._history(details.history)),
            section(f"Streams ({len(details.streams)})", self._streams(details.streams, details.last_results)),
            section("API token", self._tokens(details.tokens), id="token-section"),
        ]

    def _summary(self, connection: Connection) -> Table:
        now = self.app.clock.now()
        status = self.palette.badge(connection.status.value.replace("_", " "), fmt.CONNECTION_TONE.get(connection.status, "muted"))
        if connection.status_reason:
            status.append(f"  {connection.status_reason}")
        if connection.status is ConnectionStatus.AUTH_FAILED:
            status.append("\n")
            status.append_text(self.palette.text(AUTH_FAILED_HINT, "error", bold=True))
        protocol = connection.detected_protocol.value if connection.detected_protocol else connection.protocol.value
        return facts([
            ("Status", status),
            ("URL", connection.url),
            ("Database", connection.database),
            ("Login", f"{connection.login} ({connection.credential_kind.value.replace('_', ' ')} {connection.credential})"),
            ("Odoo", f"{connection.server_version or 'not probed yet'} over {protocol}" + (f", uid {connection.uid}" if connection.uid else "")),
            ("Interval", f"every {fmt.span(connection.interval_seconds)}"),
            ("Last sync", f"{fmt.full_time(connection.last_sync_at)} ({fmt.age(connection.last_sync_at, now)})"),
            ("Last success", fmt.full_time(connection.last_success_at)),
            ("Next sync", f"{fmt.full_time(connection.next_sync_at)} ({fmt.until(connection.next_sync_at, now)})"),
        ])

    def _history(self, history: list[StatusHistoryEntry]) -> Table | str:
        if not history:
            return "No status change recorded yet."
        table = Table(expand=True, box=None, header_style="bold", pad_edge=False)
        for heading in ("When", "From", "To", "Reason"):
            table.add_column(heading, no_wrap=heading != "Reason")
        for entry in history:
            tone = STATUS_TONES.get(entry.new, "error")
            table.add_row(fmt.full_time(entry.at), entry.old.replace("_", " "), self.palette.text(entry.new.replace("_", " "), tone), entry.reason or fmt.DASH)
        return table

    def _streams(self, streams: list[Stream], last_results: dict[str, StreamResult]) -> Table | str:
        if not streams:
            return "No streams yet; they are set up by the first connection test."
        table = Table(expand=True, box=None, header_style="bold", pad_edge=False)
        for heading in ("Stream", "Odoo model", "Available", "Last synced", "Cursor"):
            table.add_column(heading, no_wrap=heading != "Available")
        for stream in streams:
            availability = self._availability(stream, last_results.get(stream.name))
            table.add_row(stream.name, stream.model, availability, fmt.full_time(stream.last_synced_at), _cursor(stream))
        return table

    def _availability(self, stream: Stream, last_result: StreamResult | None) -> Text:
        if not stream.enabled:
            return self.palette.text("disabled", "muted")
        if stream.available is None:
            return self._unchecked_availability(last_result)
        if stream.available:
            return self.palette.text("✓ yes", "success")
        return self.palette.text(f"✗ {stream.unavailable_reason or 'no'}", "error")

    def _unchecked_availability(self, last_result: StreamResult | None) -> Text:
        # No connection test checked this stream, so the last sync shows whether it can be read.
        if last_result is None:
            return self.palette.text("not checked yet", "muted")
        if last_result.error_class:
            return self.palette.text(f"✗ last sync failed: {last_result.error_class}", "error")
        return self.palette.text("✓ read by the last sync", "success")

    def _tokens(self, tokens: list[ApiToken]) -> Table | str:
        active = [token for token in tokens if token.revoked_at is None]
        if not active:
            return "No active API token. Press t to issue one; it is shown once."
        token = active[-1]
        return facts([
            ("Token", f"{token.prefix}… (the full token was shown once, when it was issued)"),
            ("Issued", fmt.full_time(token.created_at)),
            ("Revoked earlier", str(len(tokens) - len(active))),
            ("Rotate", "press t: a new token is shown once and this one stops working at once"),
        ])

    def action_rotate_token(self) -> None:
        """Ask, then issue a new token and show it once."""
        from tui.screens.confirm import ConfirmScreen

        if self._has_active_token():
            question = "Rotate the API token? Clients using the current token are rejected from now on."
            label = "Rotate"
        else:
            question = "Issue a first API token for this connection? It is shown once."
            label = "Issue"

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._rotate()

        self.app.push_screen(ConfirmScreen(question, confirm_label=label), answered)

    def _has_active_token(self) -> bool:
        # Before the details are read, assume a token exists so the warning is shown.
        if self.details is None:
            return True
        return any(token.revoked_at is None for token in self.details.tokens)

    @work(thread=True, group="token", exit_on_error=False)
    def _rotate(self) -> None:
        try:
            token, value = self.data.rotate_token(self.connection_id)
        except Exception as error:  # noqa: BLE001 - shown as a notification
            log.exception("rotating the token of connection %s failed", self.connection_id)
            self.post_message(self.TokenRotationFailed(f"{type(error).__name__}: {error}"))
            return
        self.post_message(self.TokenRotated(token, value))

    @on(TokenRotated)
    def show_new_token(self, message: TokenRotated) -> None:
        from tui.screens.token import TokenScreen

        self.app.push_screen(TokenScreen(message.value, message.token.prefix))
        self.reload()

    @on(TokenRotationFailed)
    def report_rotation_failure(self, message: TokenRotationFailed) -> None:
        self.notify(f"Could not rotate the token: {message.error}", severity="error")

    def action_edit_credentials(self) -> None:
        """Open the credentials editor; the details are read again when it closes."""
        from tui.onboarding_link import edit_credentials

        name = self.details.connection.name if self.details is not None else f"#{self.connection_id}"
        edit_credentials(self.app, self.connection_id, name, on_finished=self.reload)

    def action_sync(self) -> None:
        """Queue a sync of this connection; the view stays open and shows the result when the ledger changes."""
        self.app.sync_connection(self.connection_id)


def _cursor(stream: Stream) -> str:
    if stream.cursor_write_date is None:
        return "from the start"
    return f"{fmt.full_time(stream.cursor_write_date)} id {stream.cursor_id}"
