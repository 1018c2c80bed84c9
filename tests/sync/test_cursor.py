"""The stream cursor a committed page moves to: the latest (write second, id) of the page."""

from datetime import UTC, datetime

from core.sync.syncer import _advance_cursor

SECOND = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
NEXT = datetime(2026, 3, 1, 9, 0, 1, tzinfo=UTC)


def _record(odoo_id: int, write_date: datetime | None) -> dict:
    return {"id": odoo_id, "write_date": write_date}


def test_cursor_takes_highest_id_of_last_second():
    # The database orders one second by microseconds, so ids need not ascend there.
    page = [_record(1, SECOND), _record(9, NEXT.replace(microsecond=700)), _record(4, NEXT), _record(6, NEXT)]

    assert _advance_cursor(None, page) == (NEXT, 9)


def test_cursor_skips_trailing_empty_write_dates():
    page = [_record(2, SECOND), _record(3, SECOND), _record(8, None), _record(9, None)]

    assert _advance_cursor(None, page) == (SECOND, 3)


def test_cursor_never_moves_back():
    assert _advance_cursor((NEXT, 5), [_record(7, SECOND)]) == (NEXT, 5)
    assert _advance_cursor((NEXT, 5), [_record(3, NEXT)]) == (NEXT, 5)
    assert _advance_cursor((NEXT, 5), [_record(6, NEXT)]) == (NEXT, 6)


def test_cursor_kept_for_unstamped_page():
    assert _advance_cursor((SECOND, 1), [_record(8, None), _record(9, None)]) == (SECOND, 1)
    assert _advance_cursor(None, []) is None
