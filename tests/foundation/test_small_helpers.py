import logging
import os
import re
import stat
import json

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core import ids, logs, paths, tokens
from core.http_server import bind_socket, start_in_thread
from core.secrets import Secret, mask


def test_secret_never_prints_its_value():
    secret = Secret("hunter2-password")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret} {secret!r} {[secret]} {dict(password=secret)}"
    assert secret.reveal() == "hunter2-password"


def test_secret_equality_and_type_check():
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    try:
        Secret(b"bytes")  # type: ignore[arg-type]
    except TypeError as error:
        assert "str" in str(error)
    else:
        raise AssertionError("Secret accepted bytes")


def test_mask_keeps_only_prefix():
    assert mask("orl_abcdefghijkl") == "orl_…****"
    assert mask("abc") == "***"


def test_ulid_is_sortable_and_prefixed():
    first = ids.new_event_id(now_ms=1_000)
    second = ids.new_event_id(now_ms=2_000)
    assert re.fullmatch(r"evt_[0-9A-HJKMNP-TV-Z]{26}", first)
    assert first < second
    assert len({ids.new_ulid() for _ in range(1000)}) == 1000


def _ulid_value(ulid: str) -> int:
    return int("".join(f"{ids._ALPHABET.index(char):05b}" for char in ulid), 2)


def test_ulid_batch_counts_up_by_one():
    batch = ids.new_event_ids(3000, now_ms=1_700_000_000_000)
    values = [_ulid_value(event_id.removeprefix("evt_")) for event_id in batch]

    assert all(re.fullmatch(r"evt_[0-9A-HJKMNP-TV-Z]{26}", event_id) for event_id in batch)
    assert batch == sorted(batch)
    assert values == list(range(values[0], values[0] + 3000))
    assert {value >> 80 for value in values} == {1_700_000_000_000}


def test_ulid_batch_carries_past_the_low_characters(monkeypatch):
    # A random start three below a multiple of 2**20 makes the batch carry
    # into the characters shared by the batch.
    monkeypatch.setattr(ids.random, "getrandbits", lambda bits: (1 << 20) - 3)
    batch = ids.new_ulids(6, now_ms=5)

    assert [_ulid_value(ulid) for ulid in batch] == [(5 << 80) + (1 << 20) - 3 + n for n in range(6)]
    assert batch[2][:22] != batch[3][:22]


def test_ulid_batch_stays_inside_its_millisecond(monkeypatch):
    monkeypatch.setattr(ids.random, "getrandbits", lambda bits: (1 << 80) - 2)
    batch = ids.new_ulids(10, now_ms=7)

    assert {_ulid_value(ulid) >> 80 for ulid in batch} == {7}
    assert len(set(batch)) == 10


def test_token_shape_hash_and_compare():
    issued = tokens.generate_token()
    assert issued.value.startswith("orl_")
    assert tokens.looks_like_token(issued.value)
    assert issued.prefix == issued.value[:8]
    assert issued.hash == tokens.hash_token(issued.value)
    assert tokens.hashes_match(issued.hash, issued.value)
    assert not tokens.hashes_match(issued.hash, issued.value + "x")
    assert issued.value not in repr(issued)


def test_ledger_path_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.LEDGER_ENV, str(tmp_path / "custom.sqlite3"))
    assert paths.default_ledger_path() == tmp_path / "custom.sqlite3"
    monkeypatch.delenv(paths.LEDGER_ENV)
    assert paths.default_ledger_path().name == paths.LEDGER_FILENAME


def test_private_dir_is_owner_only(tmp_path):
    target = paths.ensure_private_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700


def test_json_log_lines_carry_extras(tmp_path, capsys):
    logs.configure_stdout_logging()
    try:
        logging.getLogger("relay.test").info("delivery %s sent", 42, extra={"delivery_id": 42})
        line = capsys.readouterr().out.strip().splitlines()[-1]
    finally:
        logging.getLogger().handlers.clear()
    entry = json.loads(line)
    assert entry["message"] == "delivery 42 sent"
    assert entry["delivery_id"] == 42
    assert entry["level"] == "info"


def test_file_logging_goes_to_private_dir(tmp_path):
    path = logs.configure_file_logging(tmp_path / "logs")
    try:
        logging.getLogger("relay.test").warning("sync failed for connection 7")
        for handler in logging.getLogger().handlers:
            handler.flush()
    finally:
        logging.getLogger().handlers.clear()
    assert "connection 7" in path.read_text()
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_server_runner_serves_and_stops():
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("pong"))])
    handle = start_in_thread(app)
    try:
        assert httpx.get(handle.url + "/").text == "pong"
    finally:
        handle.stop()
    try:
        httpx.get(handle.url + "/", timeout=1)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("server still answering after stop()")


def test_bind_socket_reports_busy_port():
    first = bind_socket()
    port = first.getsockname()[1]
    try:
        bind_socket(port=port)
    except OSError as error:
        assert str(port) in str(error)
        assert "--port" in str(error)
    else:
        raise AssertionError("second bind on a busy port succeeded")
    finally:
        first.close()
