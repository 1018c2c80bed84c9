"""Per-connection API tokens: ``orl_`` plus 32 random bytes, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "orl_"
_DISPLAY_CHARS = 8  # "orl_" plus four characters: enough to tell tokens apart


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly generated token; ``value`` is shown once and then dropped."""

    value: str
    hash: str
    prefix: str

    def __repr__(self) -> str:
        return f"IssuedToken(prefix={self.prefix!r}, value='********')"


def generate_token() -> IssuedToken:
    """Return a new token with its SHA-256 hash and display prefix."""
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return IssuedToken(value=value, hash=hash_token(value), prefix=value[:_DISPLAY_CHARS])


def hash_token(value: str) -> str:
    """Return the hex SHA-256 of a token.

    The token has 256 bits of entropy, so a fast hash is enough. Brute force is
    out of reach at that size, and lookups stay cheap on every API request.
    """
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def looks_like_token(value: str) -> bool:
    """Return True if ``value`` has the shape of an odoo-relay token."""
    return value.startswith(TOKEN_PREFIX) and 40 <= len(value) <= 64


def hashes_match(stored_hash: str, presented_token: str) -> bool:
    """Compare a presented token against a stored hash in constant time."""
    return hmac.compare_digest(stored_hash, hash_token(presented_token))
