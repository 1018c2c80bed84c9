"""Command palette entries (ctrl+p) for every action of the monitor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from core.ledger.models import DeliveryState


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    """One palette entry: its name, help text and the main-screen action it runs."""

    name: str
    help: str
    action: str
    argument: object = None


PALETTE_COMMANDS = (
    PaletteCommand("Retry selected delivery", "r · send the delivery under the cursor again", "retry_selected"),
    PaletteCommand("Retry failed deliveries", "R · tagged rows, or every failed delivery in the filter (asks first)", "retry_failed"),
    PaletteCommand("Sync selected connection now", "s · queue a sync of the highlighted connection", "sync_selected"),
    PaletteCommand("Show details", "enter · details of the row under the cursor", "details"),
    PaletteCommand("Filter webhook log", "/ · by state, event type, endpoint or text", "filter"),
    PaletteCommand("Clear filter and tags", "esc · show every delivery", "clear_filter"),
    PaletteCommand("Show only failed deliveries", "filter the webhook log to state=failed", "filter_state", DeliveryState.FAILED),
    PaletteCommand("Show only pending deliveries", "filter the webhook log to state=pending", "filter_state", DeliveryState.PENDING),
    PaletteCommand("Pause or resume live updates", "p · freeze the panes while you read", "toggle_pause"),
    PaletteCommand("Add a connection", "n · open the onboarding wizard", "new_connection"),
    PaletteCommand("Edit connection credentials", "e · new login or password for the selected connection; issues a new token", "edit_credentials"),
    PaletteCommand("Focus connections", "move the cursor to the Connections pane", "focus_pane", "connections"),
    PaletteCommand("Focus sync history", "move the cursor to the Sync history pane", "focus_pane", "sync-history"),
    PaletteCommand("Focus webhook log", "move the cursor to the Webhook log pane", "focus_pane", "webhook-log"),
    PaletteCommand("Show keys", "? · every key and what it does", "help"),
    PaletteCommand("Quit", "q · stop the monitor (and its in-process engine)", "quit"),
)


class RelayCommands(Provider):
    """Offers every monitor action by name."""

    def _run(self, command: PaletteCommand) -> Callable[[], None]:
        return partial(self.app.run_palette_command, command.action, command.argument)

    async def discover(self) -> Hits:
        for command in PALETTE_COMMANDS:
            yield DiscoveryHit(command.name, self._run(command), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in PALETTE_COMMANDS:
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), self._run(command), help=command.help)
