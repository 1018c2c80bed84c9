"""Sortable, prefixed identifiers for events and other public ids."""

from __future__ import annotations

import random
import time

# Crockford base32: no I, L, O or U, so ids read back unambiguously.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Two characters per lookup: a ULID's 130 bits (two leading zero bits, then
# 48 bits of time and 80 random bits) are 13 groups of 10 bits.
_PAIRS = tuple(first + second for first in _ALPHABET for second in _ALPHABET)
_SHIFTS = tuple(range(120, -10, -10))


def new_ulid(now_ms: int | None = None) -> str:
    """Return a 26-character ULID: 48-bit millisecond time, then 80 random bits.

    Event ids are public and need uniqueness, not secrecy, so they use the
    ``random`` module's generator, which is about three times cheaper than
    ``os.urandom`` per call. Python reseeds that generator in a forked child,
    so two processes do not share a random sequence.
    """
    millis = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (millis << 80) | random.getrandbits(80)
    pairs = _PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in _SHIFTS])


def new_event_id(now_ms: int | None = None) -> str:
    """Return a new event id such as ``evt_01J...``; it is also the ``webhook-id``."""
    return "evt_" + new_ulid(now_ms)
