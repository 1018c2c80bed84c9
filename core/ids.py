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

# A batch of ids shares its first 22 characters and counts up in the last
# four (20 bits), as ULID's monotonic mode counts up the random part.
_LOW_BITS = 20
_LOW_SIZE = 1 << _LOW_BITS
_HEAD_SHIFTS = _SHIFTS[:-2]


def _encode(value: int, shifts: tuple[int, ...]) -> str:
    pairs = _PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in shifts])


def new_ulid(now_ms: int | None = None) -> str:
    """Return a 26-character ULID: 48-bit millisecond time, then 80 random bits.

    Event ids are public and need uniqueness, not secrecy, so they use the
    ``random`` module's generator, which is about three times cheaper than
    ``os.urandom`` per call. Python reseeds that generator in a forked child,
    so two processes do not share a random sequence.
    """
    millis = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    return _encode((millis << 80) | random.getrandbits(80), _SHIFTS)


def new_ulids(count: int, now_ms: int | None = None) -> list[str]:
    """Return ``count`` ULIDs of one millisecond in ascending order.

    The first has a random 80-bit part, and each next one adds 1 to it, as
    ULID's monotonic mode does within a millisecond. So only the last four
    characters are encoded per id, except when the count carries past them.
    A batch of N ids collides with another batch of the same millisecond
    only if their random starts lie within N of each other.
    """
    millis = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (millis << 80) | random.getrandbits(80)
    if value + count > (millis + 1) << 80:
        value -= count  # keep the whole batch inside this millisecond's range
    pairs = _PAIRS
    ids = []
    while len(ids) < count:
        head = _encode(value >> _LOW_BITS << _LOW_BITS, _HEAD_SHIFTS)
        low = value & (_LOW_SIZE - 1)
        take = min(count - len(ids), _LOW_SIZE - low)
        ids.extend([head + pairs[n >> 10] + pairs[n & 1023] for n in range(low, low + take)])
        value += take
    return ids


def new_event_id(now_ms: int | None = None) -> str:
    """Return a new event id such as ``evt_01J...``; it is also the ``webhook-id``."""
    return "evt_" + new_ulid(now_ms)


def new_event_ids(count: int, now_ms: int | None = None) -> list[str]:
    """Return ``count`` new event ids in ascending order, as ``new_ulids`` makes them."""
    return ["evt_" + ulid for ulid in new_ulids(count, now_ms)]
