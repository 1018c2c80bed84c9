"""The HTTP API: per-connection bearer tokens, status, events, records, deliveries.

The names below load on first use (PEP 562). The CLI imports
``core.api.ratelimit`` for option defaults on every start, and this way that
import does not pull in Starlette and the engine.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "ApiSettings": "core.api.context",
    "RateLimit": "core.api.ratelimit",
    "create_api_app": "core.api.app",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core.api' has no attribute {name!r}")
    return getattr(import_module(module), name)
