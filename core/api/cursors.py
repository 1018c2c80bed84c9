"""Opaque, tamper-evident page cursors bound to one connection.

A cursor is ``<payload>.<mac>``, both base64url without padding. The payload
is JSON with the connection id, the list it pages (``kind``) and the keyset
position; the MAC is HMAC-SHA256 over the payload with a per-ledger key,
truncated to 128 bits. A changed byte, a cursor from another list or one
issued to another connection's token is rejected with 400 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from core.api.errors import ApiError

MAX_CURSOR_LENGTH = 1024
_MAC_BYTES = 16


class CursorCodec:
    """Sign keyset positions into cursors and verify them on the way back."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError(f"cursor key must be at least 16 bytes, got {len(key)}")
        self._key = key

    def encode(self, connection_id: int, kind: str, position: Any) -> str:
        """Return a cursor for ``position`` (any JSON value) in list ``kind``."""
        payload = json.dumps({"c": connection_id, "k": kind, "p": position}, separators=(",", ":"))
        payload_bytes = payload.encode("utf-8")
        return _b64encode(payload_bytes) + "." + _b64encode(self._mac(payload_bytes))

    def decode(self, cursor: str, connection_id: int, kind: str) -> Any:
        """Return the position inside ``cursor``, or raise 400 ``invalid_cursor``."""
        payload_bytes = self._verified_payload(cursor)
        try:
            payload = json.loads(payload_bytes)
        except ValueError:
            raise _invalid("the cursor is damaged") from None
        if not isinstance(payload, dict) or payload.get("k") != kind:
            raise _invalid(f"this cursor does not page {kind}")
        if payload.get("c") != connection_id:
            raise _invalid("this cursor was issued for another connection")
        return payload.get("p")

    def _verified_payload(self, cursor: str) -> bytes:
        if len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
            raise _invalid("the cursor is damaged")
        payload_part, mac_part = cursor.split(".")
        try:
            payload_bytes = _b64decode(payload_part)
            mac = _b64decode(mac_part)
        except (binascii.Error, ValueError):
            raise _invalid("the cursor is damaged") from None
        if not hmac.compare_digest(mac, self._mac(payload_bytes)):
            raise _invalid("the cursor signature does not match")
        return payload_bytes

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _invalid(reason: str) -> ApiError:
    return ApiError(400, "invalid_cursor", f"invalid cursor: {reason}; pass a cursor exactly as returned, or omit it to start from the beginning")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("cursor is not ASCII")
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))
