"""Open the onboarding screens (``tui/onboarding``) from the monitor.

``n`` opens the wizard for a new connection, and ``e`` opens the
credentials editor for an existing one, the way out of ``auth_failed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from textual.app import App

log = logging.getLogger(__name__)

MISSING_TEXT = "The onboarding wizard is not available in this build. Add a connection with: odoo-relay connections add"
MISSING_EDITOR_TEXT = ("The credentials editor is not available in this build. "
                       "Change them with: odoo-relay connections edit {name}")


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


def edit_credentials(app: App, connection_id: int, name: str, on_finished: Callable[[], None]) -> None:
    """Push the credentials editor for one connection; ``on_finished`` runs when it closes.

    The editor tests the new login before it saves anything, then issues a
    new API token and revokes the old one. The connection goes back to
    pending, so the engine syncs it again at once.
    """
    try:
        from tui.onboarding import open_credentials_editor
    except ImportError:
        log.exception("the credentials editor cannot be imported")
        app.notify(MISSING_EDITOR_TEXT.format(name=name), severity="warning", timeout=8)
        return

    def closed(changed) -> None:
        if changed is not None:
            app.notify(f"New credentials saved for {name}; it syncs again now.")
        on_finished()

    open_credentials_editor(app, connection_id, callback=closed)
