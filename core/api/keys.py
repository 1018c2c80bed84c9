"""The per-ledger key that signs API cursors.

The key lives in the ledger, so cursors stay valid across restarts and
across several API processes on the same file, and a copied cursor means
nothing to another ledger.
"""

from __future__ import annotations

import secrets

from core.ledger import Ledger

CURSOR_KEY_SETTING = "api.cursor_key"


def cursor_key(ledger: Ledger) -> bytes:
    """Return the cursor signing key, creating a random 256-bit one on first use."""
    value = ledger.get_or_create_setting(CURSOR_KEY_SETTING, lambda: secrets.token_hex(32))
    return bytes.fromhex(value)
