"""A sandbox shared by the read-only tests of one module, to keep the suite fast."""

from __future__ import annotations

from typing import Iterator

import pytest

from core.sandbox import SandboxServer


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[SandboxServer]:
    """A started 18.0 sandbox for tests that only read; tests that write use ``sandbox``."""
    server = SandboxServer(version="18.0", port=0, seed=1).start()
    try:
        yield server
    finally:
        server.stop()
