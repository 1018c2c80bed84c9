"""Async Odoo client over httpx: XML-RPC, JSON-RPC and JSON-2.

``OdooClient.connect(...)`` detects the server, picks the protocol and logs
in; ``probe_server(url)`` inspects a server before any login. Errors are
the typed classes of :mod:`core.odoo.errors`.
"""

from core.ledger.models import CredentialKind, Protocol
from core.odoo import errors
from core.odoo.client import OdooClient
from core.odoo.probe import ServerInfo, probe_server
from core.odoo.retry import NO_RETRY, RetryPolicy
from core.odoo.values import Many2one, json_default

__all__ = [
    "NO_RETRY",
    "CredentialKind",
    "Many2one",
    "OdooClient",
    "Protocol",
    "RetryPolicy",
    "ServerInfo",
    "errors",
    "json_default",
    "probe_server",
]
