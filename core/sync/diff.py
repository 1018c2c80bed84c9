"""Compare a page of fresh Odoo records with what the ledger stored, and build the changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from core.ledger.codec import dump_json, to_epoch
from core.ledger.models import NewEvent, SyncedRecord
from core.sync.hashing import UNHASHED_FIELDS, encode_record

RECORD_CREATED = "record.created"
RECORD_UPDATED = "record.updated"
RECORD_DELETED = "record.deleted"


@dataclass(frozen=True, slots=True)
class StreamRef:
    """The stream a record belongs to, as its events name it."""

    connection_id: int
    stream_id: int
    name: str
    model: str


# A changed record as the ledger stores it: (odoo_id, content_hash,
# write_date in epoch seconds or None, record JSON text).
EncodedRecord = tuple[int, str, float | None, str]
# An event of the page's connection: (event type, data JSON text).
EncodedEvent = tuple[str, str]


@dataclass(slots=True)
class PageChanges:
    """The encoded records and events one page produces, with its counts.

    Records and events come already encoded, in page order. Building
    RecordUpsert and NewEvent objects and converting them again in the
    ledger had made a 100,000-record sync 3.97 s instead of 3.59 s
    (medians of 3 paired runs of bench/sync.py's measurements).
    """

    records: list[EncodedRecord] = field(default_factory=list)
    events: list[EncodedEvent] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Return the sorted names of fields whose values differ, write_date excepted."""
    names = (old.keys() | new.keys()) - UNHASHED_FIELDS
    return sorted(name for name in names if old.get(name) != new.get(name))


def diff_page(stream: StreamRef, records: list[dict[str, Any]], stored: dict[int, SyncedRecord]) -> PageChanges:
    """Classify a page of client ``records`` against ``stored`` ones by content hash.

    A record the ledger never saw, or saw deleted, is created. One whose hash
    differs is updated with its changed fields. The rest are unchanged and
    produce nothing. Each record is encoded to JSON once: those bytes give
    the hash, the stored record's text and the record.created event's data
    text, so the ledger encodes none of them again.
    """
    changes = PageChanges()
    created_head = _created_event_head(stream)
    sha256 = hashlib.sha256
    for record in records:
        odoo_id = record["id"]
        hashed, full = encode_record(record)
        digest = sha256(hashed).hexdigest()
        previous = stored.get(odoo_id)
        if previous is not None and previous.deleted_at is None and previous.content_hash == digest:
            changes.unchanged += 1
            continue

        data_json = full.decode("utf-8")
        changes.records.append((odoo_id, digest, to_epoch(record.get("write_date")), data_json))
        if previous is None or previous.deleted_at is not None:
            changes.created += 1
            id_json = str(odoo_id) if type(odoo_id) is int else orjson.dumps(odoo_id).decode("utf-8")
            changes.events.append((RECORD_CREATED, f'{created_head}{id_json},"record":{data_json}}}'))
            continue

        # Stored data is JSON, so the new values are compared in that form.
        new = orjson.loads(data_json)
        names = changed_fields(previous.data, new)
        if names:
            changes.updated += 1
            changes.events.append((RECORD_UPDATED, dump_json(_updated_event_data(stream, previous.data, new, names))))
        else:
            # Only the set of keys moved (a field added to the stream with an
            # empty value), or the hash's encoding did: store the new hash,
            # but nothing changed for consumers.
            changes.unchanged += 1
    return changes


def deleted_event(stream: StreamRef, odoo_id: int) -> NewEvent:
    """Build the ``record.deleted`` event for one odoo id."""
    data = {"stream": stream.name, "model": stream.model, "odoo_id": odoo_id}
    return NewEvent(type=RECORD_DELETED, connection_id=stream.connection_id, data=data)


def _created_event_head(stream: StreamRef) -> str:
    """Return the record.created data JSON up to the odoo_id value, the same for a whole page."""
    name = orjson.dumps(stream.name).decode("utf-8")
    model = orjson.dumps(stream.model).decode("utf-8")
    return f'{{"stream":{name},"model":{model},"odoo_id":'


def _updated_event_data(
    stream: StreamRef, old: dict[str, Any], new: dict[str, Any], names: list[str]
) -> dict[str, Any]:
    return {
        "stream": stream.name,
        "model": stream.model,
        "odoo_id": new["id"],
        "changed_fields": names,
        "old": {name: old.get(name) for name in names},
        "new": {name: new.get(name) for name in names},
        "record": new,
    }
