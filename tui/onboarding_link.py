"""Open the onboarding wizard (``tui/onboarding``) from the monitor's ``n`` key."""

from __future__ import annotations

import logging
from collections.abc import Callable

from textual.app import App

log = logging.getLogger(__name__)

MISSING_TEXT = "The onboarding wizard is not available in this build. Add a connection with: odoo-relay connections add"


def open_wizard(app: App, on_finished: Callable[[], None]) -> None:
    """Push the onboarding wizard; ``on_finished`` runs when it closes.

    If the wizard package cannot be imported, the user gets a notification
    naming the command-line way instead.
    """
    try:
        from tui.onboarding import open_wizard as push_wizard
    except ImportError:
        log.exception("the onboarding wizard cannot be imported")
        app.notify(MISSING_TEXT, severity="warning", timeout=8)
        return
    push_wizard(app, callback=lambda _result: on_finished())
