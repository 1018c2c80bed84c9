"""Whether a stream's model can be synced on a server, and which of its fields exist there."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from core.ledger import Stream
from core.odoo import errors
from core.sync.streams import REQUIRED_FIELDS

log = logging.getLogger(__name__)

# The stream is missing on this server or closed to this user: an operator
# fixes that in Odoo, so the stream is skipped until the next connection test.
UNAVAILABLE_ERRORS = (errors.UnknownModelError, errors.AccessError)

NO_ARCHIVE_FILTER = {"active_test": False}


class MissingCursorFieldsError(ValueError):
    """The model lacks ``id`` or ``write_date`` on this server, so it cannot be synced incrementally."""


@dataclass(frozen=True, slots=True)
class Availability:
    available: bool
    reason: str | None = None


def unavailable_reason(stream: Stream, error: BaseException) -> str:
    """Return the operator-facing reason a stream is unavailable because of ``error``."""
    if isinstance(error, errors.UnknownModelError):
        return f"model {stream.model} is not installed on this Odoo server"
    return f"the Odoo user may not read {stream.model}: {error}"


def select_fields(stream: Stream, server_fields: dict[str, Any]) -> list[str]:
    """Return the stream's fields that exist on the server, in the stream's order.

    Raises MissingCursorFieldsError when the model lacks a field the cursor needs.
    """
    missing_required = [name for name in REQUIRED_FIELDS if name not in server_fields]
    if missing_required:
        raise MissingCursorFieldsError(
            f"model {stream.model} has no {', '.join(missing_required)} field, "
            f"so stream {stream.name} cannot be synced incrementally"
        )
    chosen = [name for name in stream.fields if name in server_fields]
    dropped = [name for name in stream.fields if name not in server_fields]
    if dropped:
        log.info("stream %s (%s): server has no field %s; syncing without it",
                 stream.name, stream.model, ", ".join(dropped))
    return chosen


async def check_stream(client: Any, stream: Stream) -> Availability:
    """Check that the model exists, has the cursor fields and is readable by the user.

    Connectivity and credential errors are raised, because they are not about the stream.
    """
    try:
        server_fields = await client.fields_get(stream.model, attributes=["type"])
        select_fields(stream, server_fields)
        await client.search(stream.model, list(stream.domain), limit=1, context=NO_ARCHIVE_FILTER)
    except UNAVAILABLE_ERRORS as error:
        return Availability(False, unavailable_reason(stream, error))
    except MissingCursorFieldsError as error:
        return Availability(False, str(error))
    return Availability(True)
