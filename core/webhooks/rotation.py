"""Endpoint secret rotation with a grace period for the previous secret."""

from __future__ import annotations

from datetime import timedelta

from core.clock import Clock
from core.ledger import Ledger
from core.ledger.models import Endpoint
from core.secrets import Secret
from core.webhooks.signing import generate_secret

PREVIOUS_SECRET_GRACE = timedelta(hours=24)


def rotate_secret(ledger: Ledger, endpoint_id: int, clock: Clock, grace: timedelta = PREVIOUS_SECRET_GRACE) -> tuple[Endpoint, Secret]:
    """Give an endpoint a new signing secret and return it with the updated endpoint.

    Deliveries are signed with both secrets until ``grace`` has passed, so
    the receiver can switch to the new secret at its own pace. Show the new
    secret to the user once; the ledger keeps it for signing.
    """
    now = clock.now()
    secret = generate_secret()
    endpoint = ledger.rotate_endpoint_secret(endpoint_id, secret, now + grace, now)
    return endpoint, secret
