"""Run one sync in this process, for the test that kills it with SIGKILL half-way.

Usage: python sync_child.py LEDGER_PATH CONNECTION_ID PAGE_SIZE
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.clock import SystemClock  # noqa: E402
from core.ledger import Ledger  # noqa: E402
from tests.sync.support import make_syncer  # noqa: E402


async def main(ledger_path: str, connection_id: int, page_size: int) -> None:
    ledger = Ledger.open(ledger_path, create=False)
    try:
        await make_syncer(ledger, SystemClock(), page_size=page_size).sync(connection_id)
    finally:
        ledger.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
