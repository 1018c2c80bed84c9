"""Settings of the API and the shared objects its handlers use."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from core.api.cursors import CursorCodec
from core.api.ledger_pool import LedgerPool
from core.api.params import DEFAULT_LIMIT, MAX_LIMIT
from core.api.ratelimit import RateLimit, TokenBuckets
from core.clock import Clock
from core.engine import STALE_AFTER_SECONDS


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Tunable limits of the API."""

    rate_limit: RateLimit = field(default_factory=RateLimit)
    default_page_size: int = DEFAULT_LIMIT
    max_page_size: int = MAX_LIMIT
    ledger_connections: int = 4
    # An engine whose heartbeat is older than this counts as gone.
    engine_stale_after_seconds: float = STALE_AFTER_SECONDS


@dataclass(slots=True)
class ApiContext:
    """Shared state for every handler: the ledger pool, the cursor codec and the clock."""

    settings: ApiSettings
    clock: Clock
    pool: LedgerPool
    cursors: CursorCodec
    buckets: TokenBuckets


def api_context(request: Request) -> ApiContext:
    return request.app.state.api
