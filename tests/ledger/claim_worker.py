"""A claiming process for the two-process test; run with ``python -m``.

Arguments: ledger path, owner id, output file, start-flag file, and the
peer's output file. The worker opens the ledger, creates ``<output>.ready``,
and waits for the flag, so both processes start claiming at the same moment
even when one was slow to start. After its first batch it creates
``<output>.first`` and waits for the peer's, so under any machine load both
processes take part: a fast worker cannot drain the queue alone. It then
claims in batches (never completing) until nothing is due, and writes one
claimed delivery id per line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.ledger import Ledger
from tests.ledger.helpers import at


def _wait_for(path: Path, what: str) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} never appeared: {path}")
        time.sleep(0.005)


def main(ledger_path: str, owner: str, output: str, start_flag: str, peer_output: str) -> None:
    ledger = Ledger.open(Path(ledger_path), create=False)
    Path(output + ".ready").touch()
    _wait_for(Path(start_flag), "start flag")

    claimed: list[int] = []
    while True:
        batch = ledger.claim_due(owner, at(1), limit=50, lease_seconds=600)
        if not batch:
            break
        claimed.extend(item.delivery_id for item in batch)
        if not Path(output + ".first").exists():
            Path(output + ".first").touch()
            _wait_for(Path(peer_output + ".first"), "peer's first claim")
    ledger.close()
    Path(output).write_text("\n".join(map(str, claimed)))


if __name__ == "__main__":
    main(*sys.argv[1:6])
