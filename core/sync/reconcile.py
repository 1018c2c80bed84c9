"""Deletion reconciliation: ids the ledger stores that Odoo no longer has become record.deleted.

Odoo leaves no trace of a deleted record that a ``write_date`` query could
find, so deletions are found by comparing the full id lists: one ``search``
(archived records included) against the ledger's live ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.ledger import Ledger, Stream
from core.sync.availability import NO_ARCHIVE_FILTER
from core.sync.diff import StreamRef, deleted_event


async def find_deleted_ids(ledger: Ledger, client: Any, stream: Stream) -> list[int]:
    """Return the live ledger ids of ``stream`` that the stream's Odoo search no longer returns.

    A record that left the stream's domain (a vendor whose supplier_rank
    dropped to 0) counts as deleted from the stream.
    """
    odoo_ids = set(await client.search(stream.model, list(stream.domain), context=NO_ARCHIVE_FILTER))
    return [odoo_id for odoo_id in ledger.list_live_ids(stream.id) if odoo_id not in odoo_ids]


def commit_deletions(
    ledger: Ledger,
    run_id: int,
    stream: StreamRef,
    odoo_ids: list[int],
    page_size: int,
    now: datetime,
) -> int:
    """Mark ``odoo_ids`` deleted and append their events, one page per transaction; return the count."""
    for start in range(0, len(odoo_ids), page_size):
        chunk = odoo_ids[start : start + page_size]
        events = [deleted_event(stream, odoo_id) for odoo_id in chunk]
        counts = {"deleted": len(chunk), "pages": 1}
        ledger.commit_page(run_id, stream.stream_id, [], chunk, events, None, counts, at=now)
    return len(odoo_ids)
