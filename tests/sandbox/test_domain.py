"""Domain operators, prefix logic, active_test and dotted paths, checked over XML-RPC."""

from __future__ import annotations

import pytest

from tests.sandbox.wire import execute_kw_xml, fault_of, last_line, parse_xmlrpc


def _search(server, model: str, domain, **kwargs) -> list[int]:
    return parse_xmlrpc(execute_kw_xml(server.url, model, "search", [domain], {"order": "id asc", **kwargs}))


def _expected(server, model: str, keep) -> list[int]:
    """Return the stored ids that ``keep`` selects, skipping archived records."""
    table = server.store.tables[model]
    return sorted(record_id for record_id, record in table.items() if record.get("active", True) and keep(record))


@pytest.mark.parametrize(
    ("domain", "keep"),
    [
        ([["list_price", "=", 95.0]], lambda record: record["list_price"] == 95.0),
        ([["list_price", "!=", 95.0]], lambda record: record["list_price"] != 95.0),
        ([["list_price", "<", 20]], lambda record: record["list_price"] < 20),
        ([["list_price", "<=", 20]], lambda record: record["list_price"] <= 20),
        ([["list_price", ">", 500]], lambda record: record["list_price"] > 500),
        ([["list_price", ">=", 500]], lambda record: record["list_price"] >= 500),
        ([["id", "in", [1, 2, 3, 999]]], lambda record: record["id"] in (1, 2, 3)),
        ([["id", "not in", [1, 2, 3]]], lambda record: record["id"] not in (1, 2, 3)),
        ([["name", "like", "Belt"]], lambda record: "Belt" in record["name"]),
        ([["name", "ilike", "belt"]], lambda record: "belt" in record["name"].lower()),
        ([["name", "not ilike", "belt"]], lambda record: "belt" not in record["name"].lower()),
        ([["default_code", "=like", "BLT-%"]], lambda record: (record["default_code"] or "").startswith("BLT-")),
        ([["default_code", "=ilike", "blt-0000_"]], lambda record: (record["default_code"] or "").upper().startswith("BLT-0000") and len(record["default_code"]) == 9),
        ([["barcode", "=", False]], lambda record: record["barcode"] is None),
        ([["barcode", "!=", False]], lambda record: record["barcode"] is not None),
    ],
)
def test_leaf_operators(shared_sandbox, domain, keep):
    assert _search(shared_sandbox, "product.product", domain) == _expected(shared_sandbox, "product.product", keep)


def test_prefix_or_and_not(shared_sandbox):
    domain = ["|", ["list_price", "<", 20], "!", ["type", "=", "consu"]]
    implicit_and = [["list_price", "<", 20], ["name", "ilike", "belt"]]

    either = _search(shared_sandbox, "product.product", domain)
    both = _search(shared_sandbox, "product.product", implicit_and)

    assert either == _expected(shared_sandbox, "product.product", lambda record: record["list_price"] < 20 or record["type"] != "consu")
    assert both == _expected(shared_sandbox, "product.product", lambda record: record["list_price"] < 20 and "belt" in record["name"].lower())


def test_many2one_by_id_and_name(shared_sandbox):
    by_id = _search(shared_sandbox, "stock.quant", [["location_id", "=", 7]])
    by_name = _search(shared_sandbox, "stock.quant", [["location_id", "ilike", "WH/Stock"]])

    quants = shared_sandbox.store.tables["stock.quant"]
    locations = shared_sandbox.store.tables["stock.location"]
    assert by_id == sorted(record_id for record_id, record in quants.items() if record["location_id"] == 7)
    assert by_name == sorted(record_id for record_id, record in quants.items() if "WH/Stock" in locations[record["location_id"]]["complete_name"])
    assert by_id


def test_dotted_path(shared_sandbox):
    found = _search(shared_sandbox, "stock.quant", [["product_id.default_code", "=like", "MOT-%"]])

    products = shared_sandbox.store.tables["product.product"]
    quants = shared_sandbox.store.tables["stock.quant"]
    expected = sorted(record_id for record_id, record in quants.items() if products[record["product_id"]]["default_code"].startswith("MOT-"))
    assert found == expected


def test_active_test_context(shared_sandbox):
    default = _search(shared_sandbox, "product.product", [])
    everything = _search(shared_sandbox, "product.product", [], context={"active_test": False})
    archived = _search(shared_sandbox, "product.product", [["active", "=", False]])

    assert len(everything) == len(shared_sandbox.store.tables["product.product"])
    assert sorted(default + archived) == everything
    assert archived


def test_malformed_domain_errors(shared_sandbox):
    short_leaf = fault_of(execute_kw_xml(shared_sandbox.url, "product.product", "search", [[["name", "="]]]))
    dangling_or = fault_of(execute_kw_xml(shared_sandbox.url, "product.product", "search", [["|", ["id", "=", 1]]]))

    assert short_leaf.faultCode == 1
    assert last_line(short_leaf.faultString) == "ValueError: Invalid leaf ('name', '=')"
    assert dangling_or.faultCode == 1
    assert last_line(dangling_or.faultString) == "ValueError: Domain ['|', ('id', '=', 1)] is syntactically not correct."


def test_keyset_paging_reads_every_record_once(sandbox_factory):
    server = sandbox_factory(scale={"product.product": 3000})
    seen: list[int] = []
    last = 0

    while True:
        page = _search(server, "product.product", [["id", ">", last]], limit=500, context={"active_test": False})
        seen.extend(page)
        if len(page) < 500:
            break
        last = page[-1]

    assert seen == sorted(server.store.tables["product.product"])
    assert len(seen) == 3000


def test_name_search_pairs(shared_sandbox):
    pairs = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "product.product", "name_search", ["belt"], {"limit": 3}))

    assert len(pairs) == 3
    for record_id, label in pairs:
        assert isinstance(record_id, int)
        assert "belt" in label.lower()
        assert label.startswith("[BLT-")


def test_like_keeps_sql_wildcards(shared_sandbox):
    found = _search(shared_sandbox, "product.product", [["default_code", "ilike", "blt-0000_"]])

    expected = _expected(shared_sandbox, "product.product", lambda record: (record["default_code"] or "").startswith("BLT-0000"))
    assert found == expected
    assert found
