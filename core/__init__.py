"""The odoo-relay engine: ledger, Odoo client, sync, webhooks and API.

Nothing under ``core`` imports Textual or the ``tui`` package, so the engine
runs headless (``odoo-relay serve``) and the TUI is only a view on it.
"""
