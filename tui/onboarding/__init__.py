"""The onboarding wizard, opened from the live monitor with ``n``, and the credentials editor."""

from __future__ import annotations

from core.clock import Clock, SystemClock
from tui.onboarding.edit_credentials import EditCredentialsScreen, open_credentials_editor
from tui.onboarding.screen import OnboardingScreen
from tui.onboarding.state import WizardState

__all__ = ["EditCredentialsScreen", "OnboardingScreen", "WizardState", "open_credentials_editor", "open_wizard"]


def open_wizard(app, ledger=None, clock: Clock | None = None, callback=None) -> OnboardingScreen:
    """Push the wizard on ``app`` and return it.

    ``ledger`` defaults to the app's ``ledger`` attribute, else the ledger
    of its ``data`` (the monitor's LedgerData); ``clock`` to the app's
    ``clock``. ``callback`` receives the Onboarded result, or None when the
    person left before saving.
    """
    screen = OnboardingScreen(_app_ledger(app, ledger), _app_clock(app, clock))
    app.push_screen(screen, callback)
    return screen


def _app_ledger(app, ledger):
    if ledger is not None:
        return ledger
    return getattr(app, "ledger", None) or app.data.ledger


def _app_clock(app, clock: Clock | None) -> Clock:
    return clock or getattr(app, "clock", None) or SystemClock()
