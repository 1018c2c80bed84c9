"""A dispatcher in its own process, for the crash and two-process tests.

Run as ``python -m tests.webhooks.dispatcher_process LEDGER OWNER``. It
prints ``ready`` once the ledger is open (then, with ``--wait-for-go``, waits
for a line on stdin), then dispatches until SIGTERM or,
with ``--until-done``, until no delivery is pending or in flight. On a clean
exit it prints ``sent N`` with its attempt count.
"""

import argparse
import asyncio
import signal
import sys

from core.clock import SystemClock
from core.ledger import Ledger
from core.ledger.models import DeliveryState
from core.webhooks.dispatcher import Dispatcher


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument("owner")
    parser.add_argument("--until-done", action="store_true")
    parser.add_argument("--lease", type=float, default=1.0)
    parser.add_argument("--attempt-timeout", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--wait-for-go", action="store_true", help="after ready, wait for a line on stdin")
    return parser.parse_args()


async def stop_when_done(ledger: Ledger, stop: asyncio.Event) -> None:
    while not stop.is_set():
        counts = ledger.totals().deliveries_by_state
        if counts[DeliveryState.PENDING] == 0 and counts[DeliveryState.IN_FLIGHT] == 0:
            stop.set()
        await asyncio.sleep(0.05)


async def main() -> None:
    args = parse_args()
    ledger = Ledger.open(args.ledger, create=False)
    dispatcher = Dispatcher(
        ledger,
        SystemClock(),
        args.owner,
        lease_seconds=args.lease,
        attempt_timeout=args.attempt_timeout,
        max_concurrency=args.concurrency,
        batch_size=args.concurrency,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    watcher = asyncio.create_task(stop_when_done(ledger, stop)) if args.until_done else None
    print("ready", flush=True)
    if args.wait_for_go:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    await dispatcher.run(stop)
    if watcher is not None:
        await watcher
    print(f"sent {dispatcher.attempts_sent}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
