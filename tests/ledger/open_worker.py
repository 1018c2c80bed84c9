"""A process that opens a ledger once, for the concurrent-creation test.

Arguments: ledger path, start-flag file. Prints the schema version it saw.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.ledger import Ledger


def main(ledger_path: str, start_flag: str) -> None:
    deadline = time.monotonic() + 30
    while not Path(start_flag).exists():
        if time.monotonic() > deadline:
            raise SystemExit("start flag never appeared")
        time.sleep(0.002)
    with Ledger.open(Path(ledger_path), create=True) as ledger:
        print(ledger._db.conn.execute("PRAGMA user_version").fetchone()[0])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
