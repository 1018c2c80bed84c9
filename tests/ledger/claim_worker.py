"""A claiming process for the two-process test; run with ``python -m``.

Arguments: ledger path, owner id, output file, start-flag file. The worker
opens the ledger, creates ``<output>.ready``, and waits for the flag, so
both processes start claiming at the same moment even when one was slow to
start. It then claims in batches (never completing) until nothing is due,
and writes one claimed delivery id per line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.ledger import Ledger
from tests.ledger.helpers import at


def main(ledger_path: str, owner: str, output: str, start_flag: str) -> None:
    ledger = Ledger.open(Path(ledger_path), create=False)
    Path(output + ".ready").touch()
    deadline = time.monotonic() + 30
    while not Path(start_flag).exists():
        if time.monotonic() > deadline:
            raise SystemExit("start flag never appeared")
        time.sleep(0.005)

    claimed: list[int] = []
    while True:
        batch = ledger.claim_due(owner, at(1), limit=50, lease_seconds=600)
        if not batch:
            break
        claimed.extend(item.delivery_id for item in batch)
    ledger.close()
    Path(output).write_text("\n".join(map(str, claimed)))


if __name__ == "__main__":
    main(*sys.argv[1:5])
