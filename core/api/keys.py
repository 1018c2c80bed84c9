"""The per-ledger key that signs API cursors.

The key lives in the ledger, so cursors stay valid across restarts and
across several API processes on the same file, and a copied cursor means
nothing to another ledger.
"""

from __future__ import annotations

import logging
import secrets

from core.ledger import Ledger

log = logging.getLogger(__name__)

CURSOR_KEY_SETTING = "api.cursor_key"


def cursor_key(ledger: Ledger) -> bytes:
    """Return the cursor signing key, creating a random 256-bit one on first use."""
    get_or_create = getattr(ledger, "get_or_create_setting", None)
    if get_or_create is None:
        # NOTE: until the ledger stores settings, the key lives only in this
        # process, so cursors stop working when the API restarts.
        log.warning("ledger %s cannot store settings; API cursors are valid until this process stops", ledger.path)
        return secrets.token_bytes(32)
    return bytes.fromhex(get_or_create(CURSOR_KEY_SETTING, lambda: secrets.token_hex(32)))
