"""Sandboxes for this folder: one server per module, reset to fresh data before each test.

Restarting uvicorn for every test costs a few tenths of a second each, so
``sandbox`` here resets a module-wide server instead (same seed, faults
off, listening again). ``shared_sandbox`` is that server without the reset,
for tests that only read.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from core.sandbox import SandboxServer


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[SandboxServer]:
    """A started 18.0 sandbox for the whole module."""
    server = SandboxServer(version="18.0", port=0, seed=1).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(shared_sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """The module's sandbox with fresh demo data and no faults, for tests that change it."""
    shared_sandbox.reset()
    yield shared_sandbox
    shared_sandbox.reset()
