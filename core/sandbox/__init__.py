"""A loopback Odoo look-alike for the demo and the tests.

``SandboxServer`` speaks Odoo's XML-RPC (``/xmlrpc/2/common``, ``object``,
``db`` and the legacy ``/xmlrpc/<service>``), JSON-RPC (``/jsonrpc``) and,
when presenting as 19.0, JSON-2 (``/json/2/<model>/<method>``) and
``GET /web/version``. It responds like a real Odoo 18.0 server: the same
fault codes, fault strings, ``error.data.name`` values, status codes and
content types.

    from core.sandbox import SandboxServer
    with SandboxServer(version="18.0", port=0, seed=1) as server:
        server.url, server.database          # "http://127.0.0.1:<port>", "sandbox"
        server.admin_login, server.admin_password, server.api_key.reveal()
        server.store.create("maintenance.request", {"name": "Leak"})
        with server.store.transaction():     # one write_date for both writes
            server.store.write("product.product", [1], {"list_price": 12.0})
            server.store.archive("res.partner", [5])
        server.faults.database_down(True)

Models: res.partner, product.product, stock.location, stock.quant,
maintenance.equipment, maintenance.request (archived through its ``archive``
field, as in Odoo) and purchase.order. Users and their rights are listed in
``core/sandbox/users.py`` (admin, demo, nostock, portaluser).

Control routes, for a sandbox in another process (never slowed or failed
by the faults they switch):

``GET /__sandbox__/faults``
    The current switches as JSON.
``POST /__sandbox__/faults`` with a JSON object of any of
    ``{"slow": 2.5 | null, "proxy_502": true, "database_down": true,
    "rate_limit": 30 | null, "trickle": 1.0 | null, "down_for": 3,
    "change_password": {"login": "admin", "password": "new"}}``.
    ``down_for`` stops listening for that many seconds, then listens again.
``POST /__sandbox__/store`` with ``{"op": "create", "model": ..., "values": {...}}``,
    ``{"op": "write", "model": ..., "ids": [...], "values": {...}}``, or
    ``"unlink"``, ``"archive"``, ``"unarchive"`` with ``ids``.
"""

from core.sandbox.server import SandboxServer

__all__ = ["SandboxServer"]
