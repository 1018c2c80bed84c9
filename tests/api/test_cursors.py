import base64

import pytest

from core.api.cursors import MAX_CURSOR_LENGTH, CursorCodec
from core.api.errors import ApiError

KEY = bytes(range(32))


def _flip_char(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def test_cursor_round_trips_position():
    codec = CursorCodec(KEY)
    cursor = codec.encode(7, "events", 1234)
    assert codec.decode(cursor, 7, "events") == 1234


def test_cursor_round_trips_list_position():
    codec = CursorCodec(KEY)
    cursor = codec.encode(7, "records:assets", [1700000000.5, 42])
    assert codec.decode(cursor, 7, "records:assets") == [1700000000.5, 42]


def test_cursor_is_opaque_text():
    cursor = CursorCodec(KEY).encode(7, "events", 1234)
    assert "1234" not in cursor
    assert cursor.isascii()
    assert "=" not in cursor


@pytest.mark.parametrize("index", [0, 5, 20, -3])
def test_cursor_with_changed_character_rejected(index):
    codec = CursorCodec(KEY)
    cursor = codec.encode(7, "events", 1234)
    with pytest.raises(ApiError) as raised:
        codec.decode(_flip_char(cursor, index), 7, "events")
    assert raised.value.status == 400
    assert raised.value.code == "invalid_cursor"


def test_cursor_with_forged_payload_rejected():
    codec = CursorCodec(KEY)
    payload, mac = codec.encode(7, "events", 10).split(".")
    forged = base64.urlsafe_b64encode(b'{"c":7,"k":"events","p":0}').rstrip(b"=").decode()
    with pytest.raises(ApiError) as raised:
        codec.decode(f"{forged}.{mac}", 7, "events")
    assert raised.value.code == "invalid_cursor"
    assert "signature" in raised.value.message


def test_cursor_of_other_connection_rejected():
    codec = CursorCodec(KEY)
    cursor = codec.encode(7, "events", 1234)
    with pytest.raises(ApiError) as raised:
        codec.decode(cursor, 8, "events")
    assert raised.value.code == "invalid_cursor"
    assert "another connection" in raised.value.message


def test_cursor_of_other_list_rejected():
    codec = CursorCodec(KEY)
    cursor = codec.encode(7, "sync-runs", 3)
    with pytest.raises(ApiError) as raised:
        codec.decode(cursor, 7, "events")
    assert raised.value.code == "invalid_cursor"


def test_cursor_signed_with_other_key_rejected():
    cursor = CursorCodec(KEY).encode(7, "events", 1234)
    with pytest.raises(ApiError):
        CursorCodec(bytes(32)).decode(cursor, 7, "events")


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "abc", "a.b.c", "!!!.???", "é.é", "x" * (MAX_CURSOR_LENGTH + 1), "e30.AAAA"],
)
def test_cursor_garbage_rejected(garbage):
    with pytest.raises(ApiError) as raised:
        CursorCodec(KEY).decode(garbage, 7, "events")
    assert raised.value.status == 400


def test_cursor_key_too_short_rejected():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        CursorCodec(b"short")
