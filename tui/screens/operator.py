"""Operator commands of the main screen: retry, bulk retry, sync now and edit credentials.

Each command goes into the ledger's command queue from a thread worker.
Whichever engine runs on the ledger carries it out, and the worker waits a
while for the result to show it as a notification.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from textual import on, work
from textual.screen import Screen

from core.ledger.models import DeliveryFilter, DeliveryState, SyncRun
from tui.commands_text import command_outcome
from tui.data import BULK_RETRY_LIMIT, RetryRefused, connection_name, retry_refusal
from tui.messages import FailedDeliveriesCounted, OperatorNotice
from tui.widgets import webhook_log as log_pane
from tui.widgets.status_line import describe_filter

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a worker waits for an engine to finish a command before saying
# it is still queued.
COMMAND_WAIT_SECONDS = 20.0


class OperatorCommands(Screen):
    """Base of the main screen with its commands.

    Uses the main screen's ``data``, ``log_table``, ``overview``,
    ``delivery_filter``, ``connection_id`` and its row helpers.
    """

    # --- operator commands -------------------------------------------------------

    def action_retry_selected(self) -> None:
        """Queue a retry of the delivery under the webhook log's cursor."""
        key = self.log_table.selected_key
        if key is None:
            self.notify("Select a delivery in the webhook log first.", severity="warning")
            return
        self.retry_delivery(int(key))

    def retry_delivery(self, delivery_id: int) -> None:
        """Queue a retry of one delivery; refuse at once when the row shows it in flight."""
        delivery = self._deliveries.get(delivery_id)
        refusal = retry_refusal(delivery) if delivery is not None else None
        if refusal is not None:
            self.notify(f"Not retried: {refusal}.", severity="warning")
            return
        self._send_retry(delivery_id)

    @work(thread=True, group="commands", exit_on_error=False)
    def _send_retry(self, delivery_id: int) -> None:
        what = f"Retry of delivery #{delivery_id}"
        outcome = self._queue_command(
            what, lambda: self.data.request_retry(delivery_id), "queueing a retry of delivery %s failed", delivery_id
        )
        if outcome is None:
            return
        if isinstance(outcome, RetryRefused):
            self.post_message(OperatorNotice(f"Not retried: {outcome.reason}.", "warning"))
            return
        self.post_message(OperatorNotice(f"{what} queued.", refresh=True))
        self._report_command(outcome.id, what)

    def _queue_command(self, what: str, request: Callable[[], T], failure: str, *failure_args: object) -> T | None:
        """Call ``request`` on the worker's thread and return its result.

        On an error it logs ``failure`` (a format string for ``failure_args``),
        tells the operator that ``what`` could not be queued and returns None.
        """
        try:
            return request()
        except Exception as error:  # noqa: BLE001 - shown as a notification
            log.exception(failure, *failure_args)
            self.post_message(OperatorNotice(f"{what} could not be queued: {error}", "error"))
            return None

    def _report_command(self, command_id: int, what: str) -> None:
        # Runs on the worker's thread: waits for the engine to finish the command.
        command = self.data.wait_for_command(command_id, COMMAND_WAIT_SECONDS)
        run = self._run_of(command)
        text, severity = command_outcome(command, what, run)
        self.post_message(OperatorNotice(text, severity, refresh=True))

    def _run_of(self, command) -> SyncRun | None:
        run_id = (command.result or {}).get("run_id") if command is not None else None
        if run_id is None:
            return None
        try:
            return self.data.load_run(int(run_id))
        except LookupError:
            return None

    def action_retry_failed(self) -> None:
        """Retry the tagged deliveries, or every failed one in the filter, after a confirmation."""
        tagged = sorted(self.log_table.tagged)
        if tagged:
            self._confirm_tagged_retry(tagged)
            return
        self._count_failed(self.delivery_filter)

    def _confirm_tagged_retry(self, ids: list[int]) -> None:
        question = f"Retry {_deliveries_noun(len(ids), 'tagged ')}?"
        skipped = self._tagged_refusals(ids)
        if skipped:
            question += f" Not retried: {skipped}."
        self._confirm_bulk_retry(ids, question, send=self._send_tagged_retry)

    def _tagged_refusals(self, ids: list[int]) -> str:
        """Count the tagged rows the engine will refuse, as their rows show them now."""
        in_flight = succeeded = 0
        for delivery_id in ids:
            delivery = self._deliveries.get(delivery_id)
            if delivery is not None and delivery.state is DeliveryState.IN_FLIGHT:
                in_flight += 1
            elif delivery is not None and delivery.state is DeliveryState.SUCCEEDED:
                succeeded += 1
        parts = [f"{in_flight} in flight"] if in_flight else []
        parts += [f"{succeeded} already succeeded"] if succeeded else []
        return ", ".join(parts)

    @work(thread=True, group="commands", exit_on_error=False)
    def _count_failed(self, delivery_filter: DeliveryFilter) -> None:
        try:
            ids = self.data.failed_ids(delivery_filter)
        except Exception as error:  # noqa: BLE001 - shown as a notification
            log.exception("counting failed deliveries failed")
            self.post_message(OperatorNotice(f"Could not count failed deliveries: {error}", "error"))
            return
        self.post_message(FailedDeliveriesCounted(ids, delivery_filter))

    @on(FailedDeliveriesCounted)
    def ask_bulk_retry(self, message: FailedDeliveriesCounted) -> None:
        ids = message.delivery_ids
        if not ids:
            self.notify("No failed delivery matches the current filter.", severity="warning")
            return
        described = describe_filter(message.delivery_filter)
        scope = f" matching {described}" if described else ", every endpoint"
        limit = f" (the newest {BULK_RETRY_LIMIT:,})" if len(ids) >= BULK_RETRY_LIMIT else ""
        noun = "delivery" if len(ids) == 1 else "deliveries"
        self._confirm_bulk_retry(ids, f"Retry {len(ids):,} failed {noun}{limit}{scope}?")

    def _confirm_bulk_retry(self, ids: list[int], question: str, send=None) -> None:
        from tui.screens.confirm import ConfirmScreen

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.log_table.tagged.clear()
                self._redraw_tags()
                (send or self._send_bulk_retry)(ids)

        self.app.push_screen(ConfirmScreen(question, confirm_label="Retry"), answered)

    @work(thread=True, group="commands", exit_on_error=False)
    def _send_bulk_retry(self, ids: list[int]) -> None:
        what = f"Retry of {len(ids):,} deliver{'y' if len(ids) == 1 else 'ies'}"
        command = self._queue_command(what, lambda: self.data.request_bulk_retry(ids), "queueing a bulk retry failed")
        if command is None:
            return
        self.post_message(OperatorNotice(f"{what} queued.", refresh=True))
        self._report_command(command.id, what)

    @work(thread=True, group="commands", exit_on_error=False)
    def _send_tagged_retry(self, ids: list[int]) -> None:
        what = f"Retry of {_deliveries_noun(len(ids), 'tagged ')}"
        command = self._queue_command(
            what, lambda: self.data.request_tagged_retry(ids), "queueing a retry of tagged deliveries %s failed", ids
        )
        if command is None:
            return
        self.post_message(OperatorNotice(f"{what} sent to the engine.", refresh=True))
        self._report_command(command.id, what)

    @on(log_pane.WebhookLogTable.TagsChanged)
    def redraw_tagged_row(self, message: log_pane.WebhookLogTable.TagsChanged) -> None:
        delivery = self._deliveries.get(message.delivery_id)
        if delivery is not None:
            self.log_table.refresh_cells([self._delivery_row(delivery)])
        self._update_log_note()

    def _redraw_tags(self) -> None:
        self.log_table.refresh_cells(self._delivery_row(item) for item in self._deliveries.values())
        self._update_log_note()

    def action_sync_selected(self) -> None:
        """Queue a sync of the selected connection now."""
        if self.connection_id is None:
            self.notify("No connection to sync. Press n to add one.", severity="warning")
            return
        self.sync_connection(self.connection_id)

    def action_edit_credentials(self) -> None:
        """Open the credentials editor for the selected connection (the way out of auth_failed)."""
        if self.connection_id is None:
            self.notify("No connection selected. Press n to add one.", severity="warning")
            return
        self.edit_credentials(self.connection_id)

    def edit_credentials(self, connection_id: int) -> None:
        """Open the credentials editor for one connection and read the ledger again when it closes."""
        from tui.onboarding_link import edit_credentials

        name = connection_name(self.overview, connection_id) or f"#{connection_id}"
        edit_credentials(self.app, connection_id, name, on_finished=self.request_refresh)

    def sync_connection(self, connection_id: int) -> None:
        """Queue a sync of one connection and report how it ended."""
        name = connection_name(self.overview, connection_id) or f"#{connection_id}"
        self._send_sync(connection_id, name)

    @work(thread=True, group="commands", exit_on_error=False)
    def _send_sync(self, connection_id: int, name: str) -> None:
        what = f"Sync of {name}"
        command = self._queue_command(
            what, lambda: self.data.request_sync(connection_id), "queueing a sync of connection %s failed", connection_id
        )
        if command is None:
            return
        self.post_message(OperatorNotice(f"{what} queued.", refresh=True))
        self._report_command(command.id, what)

    @on(OperatorNotice)
    def notify_operator(self, message: OperatorNotice) -> None:
        self.notify(message.text, severity=message.severity)  # type: ignore[arg-type]
        if message.refresh and self.overview is not None:
            self.request_refresh()


def _deliveries_noun(count: int, adjective: str = "") -> str:
    return f"{count:,} {adjective}deliver{'y' if count == 1 else 'ies'}"
