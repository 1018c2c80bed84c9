"""Reads are retried on unreachable and rate-limited servers; writes never are."""

import asyncio

import pytest

from core.odoo import NO_RETRY, Protocol, RetryPolicy, errors
from tests.odoo.conftest import connect

PATIENT = RetryPolicy(attempts=8, initial_wait=0.05, max_wait=0.5)


def _switch_off_later(action, seconds: float) -> None:
    asyncio.get_running_loop().call_later(seconds, action)


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_read_retried_through_502(sandbox, protocol):
    async with await connect(sandbox, protocol, retry=PATIENT) as client:
        sandbox.faults.proxy_502(True)
        _switch_off_later(lambda: sandbox.faults.proxy_502(False), 0.3)
        records = await client.search_read("res.partner", [], ["name"], limit=2)
    assert len(records) == 2


async def test_read_waits_for_retry_after(sandbox):
    # Retry-After carries whole seconds, so the shortest real wait is 1 s.
    policy = RetryPolicy(attempts=4, initial_wait=0.01, max_wait=2.0)
    async with await connect(sandbox, Protocol.JSONRPC, retry=policy) as client:
        await client.field_types("res.partner")
        sandbox.faults.rate_limit(1)
        _switch_off_later(lambda: sandbox.faults.rate_limit(None), 0.2)
        loop = asyncio.get_running_loop()
        started = loop.time()
        count = await client.search_count("res.partner", [])
        waited = loop.time() - started
    assert count > 0
    assert waited >= 1.0


async def test_retry_after_beyond_max_wait_fails_at_once(sandbox):
    async with await connect(sandbox, Protocol.JSONRPC, retry=PATIENT) as client:
        sandbox.faults.rate_limit(60)
        with pytest.raises(errors.RateLimitedError) as caught:
            await client.search_count("res.partner", [])
    assert caught.value.retry_after == 60


async def test_read_retried_while_server_restarts(sandbox):
    async with await connect(sandbox, Protocol.JSONRPC, retry=PATIENT) as client:
        sandbox.faults.go_down()
        _switch_off_later(sandbox.faults.come_up, 0.3)
        ids = await client.search("res.partner", [], limit=1)
    assert len(ids) == 1


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_write_not_retried(sandbox, protocol):
    async with await connect(sandbox, protocol, retry=PATIENT) as client:
        await client.field_types("maintenance.request")
        sandbox.faults.proxy_502(True)
        _switch_off_later(lambda: sandbox.faults.proxy_502(False), 0.3)
        count_before = len(sandbox.store.tables["maintenance.request"])
        with pytest.raises(errors.ServerUnreachableError):
            await client.create("maintenance.request", {"name": "Sent once"})
    assert len(sandbox.store.tables["maintenance.request"]) == count_before


async def test_no_retry_policy_fails_first_time(sandbox):
    async with await connect(sandbox, Protocol.JSONRPC, retry=NO_RETRY) as client:
        sandbox.faults.proxy_502(True)
        _switch_off_later(lambda: sandbox.faults.proxy_502(False), 0.2)
        with pytest.raises(errors.ServerUnreachableError):
            await client.search("res.partner", [], limit=1)


def test_policy_rejects_zero_attempts():
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(attempts=0)
