"""Process-wide settings for the long-running odoo-relay processes.

Only the entry points (``odoo-relay serve``, the monitor, the benchmarks)
call these: a library that changed the garbage collector of whatever
process imported it would surprise its host.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

# A young collection runs once allocations minus deallocations of tracked
# objects pass the first threshold. CPython's default of 700 runs one every
# few webhook attempts, since each attempt allocates aiohttp's request and
# response objects, the signed headers and the attempt record, and each
# young collection walks every young object that is still alive. The
# engine's objects die by reference counting: after 5,000 deliveries with
# the collector off, gc.collect() found 448 unreachable objects, all from
# the connections closed at shutdown. Odoo replies do too, because the
# transport breaks the cycle httpx builds around each one.
# NOTE: tenacity's retry state still forms a small cycle per Odoo read
# (roughly 50 objects, by one count), which waits for these rarer collections.
YOUNG_THRESHOLD = 5_000
# Young collections between collections of the middle generation, and
# middle ones between full collections (CPython's default: 10 and 10).
OLDER_THRESHOLD = 100

_tuned = False


def tune_garbage_collector() -> bool:
    """Freeze the objects alive now and collect young objects less often; True on the first call.

    Frozen objects (modules, classes, the app built at start-up) are left
    out of every later collection, so a full collection no longer walks
    them. Call it once the process has finished starting. The garbage
    that a process builds in reference cycles is still collected, only
    in larger batches.
    """
    global _tuned
    if _tuned:
        return False
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)
    _tuned = True
    log.debug("garbage collector tuned: %d objects frozen, thresholds %s", gc.get_freeze_count(), gc.get_threshold())
    return True
