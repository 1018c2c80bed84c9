"""The cursor key is stored in the ledger: stable per file, different between files."""

from __future__ import annotations

from core.api.keys import cursor_key
from core.ledger import Ledger


def test_cursor_key_survives_reopen(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with Ledger.open(path) as ledger:
        first = cursor_key(ledger)
    with Ledger.open(path) as ledger:
        again = cursor_key(ledger)
    assert first == again
    assert len(first) == 32


def test_cursor_key_differs_between_ledgers(tmp_path):
    with Ledger.open(tmp_path / "one.sqlite3") as one, Ledger.open(tmp_path / "two.sqlite3") as two:
        assert cursor_key(one) != cursor_key(two)


def test_cursor_valid_after_api_restart(world):
    from tests.api.conftest import serve_api
    import httpx

    world.append("north", 3)
    first = serve_api(world)
    with httpx.Client(base_url=first.url) as client:
        cursor = client.get("/v1/events", params={"limit": 1}, headers=world.headers("north")).json()["next_cursor"]
    first.stop()

    second = serve_api(world)
    with httpx.Client(base_url=second.url) as client:
        response = client.get("/v1/events", params={"after": cursor}, headers=world.headers("north"))
    second.stop()
    assert response.status_code == 200
    assert len(response.json()["data"]) == 2
