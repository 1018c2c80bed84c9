"""Write the README's screenshots: the monitor on demo-like data, as SVG.

Usage: python screenshots/generate.py

The data is the fixed sample ledger of the TUI tests, read at a frozen
time, so running the script twice writes the same files.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.tui.conftest import SNAPSHOT_SIZE, frozen_app, settle, settle_details  # noqa: E402
from tests.tui.sample_ledger import build_sample_ledger  # noqa: E402

OUT = ROOT / "screenshots"

# File name, keys pressed after the first ledger read, and whether the keys
# open a details view.
SHOTS = [
    ("main.svg", [], False),
    ("webhook-log.svg", ["tab", "tab", "down", "down", "down", "down", "down", "down", "down", "down", "down"], False),
    ("delivery-details.svg", ["tab", "tab", *["down"] * 14, "enter"], True),
    ("sync-run-details.svg", ["tab", *["down"] * 5, "enter"], True),
    ("connection-details.svg", ["enter"], True),
    ("filter.svg", ["tab", "tab", "slash"], False),
    ("help.svg", ["question_mark"], False),
]


async def shoot(ledger_path: Path, name: str, keys: list[str], details: bool) -> Path:
    """Run the monitor headless, press ``keys`` and save the screen as ``name``."""
    app = frozen_app(ledger_path)
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await (settle_details(pilot) if details else settle(pilot))
        return Path(app.save_screenshot(name, str(OUT)))


async def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        ledger_path = Path(directory) / "ledger.sqlite3"
        build_sample_ledger(ledger_path)
        for name, keys, details in SHOTS:
            print(await shoot(ledger_path, name, keys, details))


if __name__ == "__main__":
    asyncio.run(main())
