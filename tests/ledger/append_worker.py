"""An appending process for the crash test; run with ``python -m``.

Arguments: ledger path. Appends batches of 500 events until killed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.ledger import Ledger
from tests.ledger.helpers import T0, record_events


def main(ledger_path: str) -> None:
    ledger = Ledger.open(Path(ledger_path), create=False)
    while True:
        ledger.append_events(record_events(500), T0)


if __name__ == "__main__":
    main(sys.argv[1])
