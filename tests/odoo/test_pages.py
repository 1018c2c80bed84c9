"""iter_pages yields every record once, also while Odoo is written to."""

from datetime import UTC, datetime

import pytest

from core.odoo import Protocol
from core.odoo.pages import order_terms
from tests.odoo.conftest import connect


async def _collect(client, model, domain=(), order="write_date asc, id asc", page_size=7, after_first_page=None):
    seen = []
    async for page in client.iter_pages(model, list(domain), ["name"], order=order, page_size=page_size):
        seen.extend(record["id"] for record in page)
        if after_first_page is not None:
            after_first_page(seen)
            after_first_page = None
    return seen


async def test_one_second_bigger_than_a_page(sandbox):
    store = sandbox.store
    with store.transaction():
        bulk = [store.create("maintenance.request", {"name": f"Bulk {index}"}) for index in range(30)]
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        seen = await _collect(client, "maintenance.request")
        count = await client.search_count("maintenance.request", [])
    assert len(seen) == count
    assert len(set(seen)) == count
    assert set(bulk) <= set(seen)


async def test_writes_during_the_read(sandbox):
    store = sandbox.store
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        all_ids = await client.search("res.partner", [], order="write_date asc, id asc")
        not_yet_read = all_ids[-1]

        def write_between_pages(seen):
            # One record already read and one not yet read are saved now,
            # which moves both to the end of the write_date order.
            store.write("res.partner", [seen[0]], {"name": "Saved again"})
            store.write("res.partner", [not_yet_read], {"name": "Saved while reading"})

        seen = await _collect(client, "res.partner", after_first_page=write_between_pages)
    assert set(seen) == set(all_ids)
    assert seen.count(all_ids[0]) == 2
    assert seen.count(not_yet_read) == 1


async def test_record_created_during_the_read(sandbox):
    store = sandbox.store
    created = []
    async with await connect(sandbox, Protocol.XMLRPC) as client:
        seen = await _collect(client, "res.partner", after_first_page=lambda _: created.append(store.create("res.partner", {"name": "New"})))
    assert created[0] in seen


@pytest.mark.parametrize("order", ["id asc", "name asc, id asc"])
async def test_other_orders(sandbox, order):
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        seen = await _collect(client, "res.partner", order=order)
        expected = await client.search("res.partner", [], order=order)
    assert seen == expected


async def test_domain_and_context_kept(sandbox):
    store = sandbox.store
    archived = store.create("res.partner", {"name": "Archived vendor", "is_company": True})
    store.archive("res.partner", [archived])
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        seen = []
        async for page in client.iter_pages("res.partner", [("is_company", "=", True)], ["name"], page_size=5, context={"active_test": False}):
            seen.extend(record["id"] for record in page)
        expected = await client.search("res.partner", [("is_company", "=", True)], context={"active_test": False})
    assert archived in seen
    assert sorted(seen) == sorted(expected)


async def test_rows_without_write_date_read_last(sandbox):
    # Rows written by SQL can lack write_date; the store is edited directly
    # because no RPC call can produce one.
    unstamped = sorted(sandbox.store.tables["res.partner"])[:3]
    with sandbox.store.lock:
        for partner_id in unstamped:
            sandbox.store.tables["res.partner"][partner_id]["write_date"] = None
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        seen = await _collect(client, "res.partner")
        count = await client.search_count("res.partner", [])
    assert len(seen) == count
    assert len(set(seen)) == count
    assert sorted(seen[-3:]) == unstamped


async def test_since_reads_only_recent_rows(sandbox):
    # The store is edited directly, because no RPC call can choose a
    # write_date. The store keeps naive UTC values, as PostgreSQL does.
    table = sandbox.store.tables["res.partner"]
    partner_ids = sorted(table)
    recent, unstamped = partner_ids[:4], partner_ids[4]
    since = datetime(2026, 2, 1, 9, 0, 0, 500_000, tzinfo=UTC)
    with sandbox.store.lock:
        for partner_id in partner_ids:
            table[partner_id]["write_date"] = datetime(2026, 1, 1, 9, 0, 0)
        for offset, partner_id in enumerate(recent):
            # The first one is older than since but inside its second.
            table[partner_id]["write_date"] = datetime(2026, 2, 1, 9, 0, offset, 100_000)
        table[unstamped]["write_date"] = None
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        seen = []
        async for page in client.iter_pages("res.partner", [], ["name"], page_size=2, since=since):
            seen.extend(record["id"] for record in page)
    assert seen == recent


async def test_since_with_other_order_raises(sandbox):
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        with pytest.raises(ValueError, match="only valid with order 'write_date asc, id asc', got 'id asc'"):
            client.iter_pages("res.partner", [], ["name"], order="id asc", since=datetime.now(UTC))


@pytest.mark.parametrize("decode", [True, False])
async def test_stopping_early_leaves_client_usable(sandbox, decode):
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        pages = client.iter_pages("res.partner", [], ["name"], page_size=5, decode=decode)
        async for page in pages:
            first = page if decode else page[0]  # undecoded pages are (records, decoder)
            break
        await pages.aclose()
        count = await client.search_count("res.partner", [])
    assert len(first) == 5
    assert count > 5


def test_order_terms_normalised():
    assert order_terms("write_date, id") == ("write_date asc", "id asc")
    assert order_terms(" Write_Date ASC ,  id  asc ") == ("write_date asc", "id asc")
    assert order_terms("name desc") == ("name desc",)


async def test_undecoded_pages_convert_like_decoded_ones(sandbox):
    fields = ["name", "stage_id", "write_date"]
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        decoded = [page async for page in client.iter_pages("maintenance.request", [], fields, page_size=6)]
        raw = [page async for page in client.iter_pages("maintenance.request", [], fields, page_size=6, decode=False)]

    records, decoder = raw[0]
    assert isinstance(records[0]["write_date"], str)  # as Odoo sent it
    assert isinstance(records[0]["stage_id"], list)
    assert [decoder.decode(records) for records, decoder in raw] == decoded
