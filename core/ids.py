"""Sortable, prefixed identifiers for events and other public ids."""

from __future__ import annotations

import os
import time

# Crockford base32: no I, L, O or U, so ids read back unambiguously.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now_ms: int | None = None) -> str:
    """Return a 26-character ULID: 48-bit millisecond time, then 80 random bits."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_event_id(now_ms: int | None = None) -> str:
    """Return a new event id such as ``evt_01J...``; it is also the ``webhook-id``."""
    return "evt_" + new_ulid(now_ms)
