"""The store API other tests use: transactions, direct changes, seeds and scale."""

from __future__ import annotations

import pytest

from core.sandbox import SandboxServer
from core.sandbox.data import grow
from core.sandbox.errors import MissingError, ValidationError
from core.sandbox.store import Store
from tests.sandbox.wire import execute_kw_xml, parse_xmlrpc


def test_transaction_shares_write_date(sandbox):
    store = sandbox.store

    with store.transaction() as now:
        created = store.create("maintenance.request", {"name": "Shared stamp"})
        store.write("product.product", [1], {"list_price": 12.5})
        store.archive("res.partner", [2])

    assert store.get("maintenance.request", created)["write_date"] == now
    assert store.get("maintenance.request", created)["create_date"] == now
    assert store.get("product.product", 1)["write_date"] == now
    assert store.get("res.partner", 2)["write_date"] == now


def test_writes_outside_transaction_differ(sandbox):
    store = sandbox.store

    store.write("product.product", [1], {"list_price": 1.0})
    first = store.get("product.product", 1)["write_date"]
    store.write("product.product", [2], {"list_price": 2.0})
    second = store.get("product.product", 2)["write_date"]

    assert second > first


def test_direct_changes_visible_over_rpc(sandbox):
    store = sandbox.store
    created = store.create("maintenance.request", {"name": "Created by the test", "priority": "2"})

    rows = parse_xmlrpc(execute_kw_xml(sandbox.url, "maintenance.request", "read", [[created]], {"fields": ["name", "priority", "owner_user_id"]}))
    store.unlink("maintenance.request", [created])
    after = parse_xmlrpc(execute_kw_xml(sandbox.url, "maintenance.request", "read", [[created]], {"fields": ["name"]}))

    assert rows == [{"id": created, "name": "Created by the test", "priority": "2", "owner_user_id": [2, "Mitchell Admin"]}]
    assert after == []


def test_store_raises_odoo_errors(sandbox):
    with pytest.raises(ValidationError, match="Field: Subjects \\(name\\)"):
        sandbox.store.create("maintenance.request", {})
    with pytest.raises(MissingError, match="res.partner\\(999999,\\)"):
        sandbox.store.write("res.partner", [999999], {"name": "x"})


def test_unarchive_restores_visibility(sandbox):
    sandbox.store.archive("product.product", [1])
    hidden = parse_xmlrpc(execute_kw_xml(sandbox.url, "product.product", "search", [[["id", "=", 1]]]))
    sandbox.store.unarchive("product.product", [1])
    shown = parse_xmlrpc(execute_kw_xml(sandbox.url, "product.product", "search", [[["id", "=", 1]]]))

    assert hidden == []
    assert shown == [1]


def test_same_seed_same_data():
    first, second, other = Store(), Store(), Store()
    from core.sandbox.data import fill

    fill(first, 7)
    fill(second, 7)
    fill(other, 8)

    def names(store: Store) -> list[str]:
        return [record["name"] for record in store.tables["product.product"].values()]

    assert names(first) == names(second)
    assert names(first) != names(other)


def test_same_seed_same_api_key():
    assert SandboxServer(seed=3).api_key == SandboxServer(seed=3).api_key
    assert SandboxServer(seed=3).api_key != SandboxServer(seed=4).api_key
    assert len(SandboxServer(seed=3).api_key.reveal()) == 40
    assert "Secret('********')" == repr(SandboxServer(seed=3).api_key)


def test_scale_grows_model():
    server = SandboxServer(scale={"product.product": 2500, "maintenance.request": 300})

    assert len(server.store.tables["product.product"]) == 2500
    assert len(server.store.tables["maintenance.request"]) == 300


def test_grow_rejects_unknown_model():
    with pytest.raises(ValueError, match="cannot scale unknown model 'sale.order'"):
        grow(Store(), "sale.order", 10)


def test_offset_search_cache_is_bounded(sandbox):
    from core.sandbox.store import SEARCH_CACHE_SIZE

    for price in range(SEARCH_CACHE_SIZE + 8):
        execute_kw_xml(sandbox.url, "product.product", "search", [[["list_price", ">", price]]], {"offset": 1, "limit": 2})

    cached_searches = [key for key in sandbox.store._caches if key[0] == "search"]
    assert len(cached_searches) == SEARCH_CACHE_SIZE
