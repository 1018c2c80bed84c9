"""The default way a sync opens its Odoo client: from the connection stored in the ledger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.ledger import Connection
from core.odoo import OdooClient, RetryPolicy

# Seconds for one Odoo call; a page of 500 records from a busy server can
# take several seconds, so this is generous.
DEFAULT_TIMEOUT_SECONDS = 60.0


def client_factory(
    timeout: float = DEFAULT_TIMEOUT_SECONDS, retry: RetryPolicy | None = None
) -> Callable[[Connection], Awaitable[OdooClient]]:
    """Return a factory that logs in with a connection's stored URL, credentials and protocol.

    ``retry`` is the client's own retry of single reads; outages longer
    than its few attempts are left to the scheduler's backoff.
    """

    async def open_client(connection: Connection) -> OdooClient:
        return await OdooClient.connect(
            connection.url,
            connection.database,
            connection.login,
            connection.credential,
            connection.credential_kind,
            protocol=connection.protocol,
            timeout=timeout,
            retry=retry,
        )

    return open_client


open_client = client_factory()
