"""The onboarding wizard, opened from the live monitor with ``n``."""

from __future__ import annotations

from core.clock import Clock, SystemClock
from tui.onboarding.screen import OnboardingScreen
from tui.onboarding.state import WizardState

__all__ = ["OnboardingScreen", "WizardState", "open_wizard"]


def open_wizard(app, ledger=None, clock: Clock | None = None, callback=None) -> OnboardingScreen:
    """Push the wizard on ``app`` and return it.

    ``ledger`` defaults to the app's ``ledger`` attribute, else the ledger
    of its ``data`` (the monitor's LedgerData); ``clock`` to the app's
    ``clock``. ``callback`` receives the Onboarded result, or None when the
    person left before saving.
    """
    if ledger is None:
        ledger = getattr(app, "ledger", None) or app.data.ledger
    clock = clock if clock is not None else getattr(app, "clock", None) or SystemClock()
    screen = OnboardingScreen(ledger, clock)
    app.push_screen(screen, callback)
    return screen
