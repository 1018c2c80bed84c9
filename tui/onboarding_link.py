"""Open the onboarding wizard (``tui/onboarding``) from the monitor's ``n`` key."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from textual.app import App

log = logging.getLogger(__name__)

MISSING_TEXT = "The onboarding wizard is not available in this build. Add a connection with: odoo-relay connections add"


def open_wizard(app: App, on_finished: Callable[[], None]) -> None:
    """Push the onboarding wizard; ``on_finished`` runs when it closes.

    The wizard is built separately; if its package is missing or does not
    offer a screen yet, the user gets a notification naming the CLI way.
    """
    screen_class = _wizard_class()
    if screen_class is None:
        app.notify(MISSING_TEXT, severity="warning", timeout=8)
        return
    screen = screen_class(app.ledger_path, clock=app.clock)
    app.push_screen(screen, lambda _result: on_finished())


def _wizard_class():
    try:
        module = importlib.import_module("tui.onboarding")
    except ImportError:
        log.warning("tui.onboarding cannot be imported; the n key shows a notification instead")
        return None
    return getattr(module, "OnboardingWizard", None)
