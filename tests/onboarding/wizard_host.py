"""A minimal app that opens the wizard with ``n``, as the live monitor does."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from core.clock import Clock
from tui.onboarding import OnboardingScreen, WizardState, open_wizard


class WizardHost(App):
    """Hosts the onboarding wizard on a real ledger; ``results`` collects what it dismissed with."""

    BINDINGS = [Binding("n", "new_connection", "New")]

    def __init__(self, ledger, clock: Clock, state: WizardState | None = None, step: int | None = None) -> None:
        super().__init__()
        self.ledger = ledger
        self.clock = clock
        self.results: list = []
        self._initial = (state, step)

    def on_mount(self) -> None:
        state, step = self._initial
        if step is not None:
            self.push_screen(OnboardingScreen(self.ledger, self.clock, state=state, step=step), self.results.append)

    def check_action(self, action: str, parameters) -> bool | None:
        # The monitor binds n on its connections pane only, so n typed into
        # the wizard never opens a second one; here the wizard hides it.
        if action == "new_connection" and isinstance(self.screen, OnboardingScreen):
            return False
        return True

    def action_new_connection(self) -> None:
        open_wizard(self, callback=self.results.append)


class KeyCounter:
    """Presses keys through a Pilot and counts every keystroke a person would type."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        """Press ``keys`` one by one."""
        self.count += len(keys)
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        """Type ``text``, one keystroke per character."""
        await self.press(*text)
