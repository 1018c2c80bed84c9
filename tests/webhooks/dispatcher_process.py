"""A dispatcher in its own process, for the crash and two-process tests.

Run as ``python -m tests.webhooks.dispatcher_process LEDGER OWNER``. It
prints ``ready`` once the ledger is open, then dispatches until SIGTERM or,
with ``--until-done``, until no delivery is pending or in flight. On a clean
exit it prints ``sent N`` with its attempt count.

With ``--fork-kills N`` it instead forks N dispatchers one after another,
named ``OWNER-0`` and so on, and kills each with SIGKILL at a random moment
up to ``--max-lifetime`` seconds after it opened the ledger. It prints
``killed N`` with the number of children that SIGKILL ended. Forking from a
process that has already imported everything saves the interpreter start,
which is most of each kill's cost.
"""

import argparse
import asyncio
import os
import random
import signal
import time

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
    parser.add_argument("--fork-kills", type=int, default=0, help="fork this many dispatchers and SIGKILL each")
    parser.add_argument("--max-lifetime", type=float, default=0.2, help="seconds a forked dispatcher may run at most")
    parser.add_argument("--seed", type=int, default=0, help="seed for the moments of the kills")
    return parser.parse_args()


async def stop_when_done(ledger: Ledger, stop: asyncio.Event) -> None:
    while not stop.is_set():
        counts = ledger.totals().deliveries_by_state
        if counts[DeliveryState.PENDING] == 0 and counts[DeliveryState.IN_FLIGHT] == 0:
            stop.set()
        await asyncio.sleep(0.05)


async def dispatch(args: argparse.Namespace, owner: str, announce_ready) -> None:
    ledger = Ledger.open(args.ledger, create=False)
    dispatcher = Dispatcher(
        ledger,
        SystemClock(),
        owner,
        lease_seconds=args.lease,
        attempt_timeout=args.attempt_timeout,
        max_concurrency=args.concurrency,
        batch_size=args.concurrency,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    watcher = asyncio.create_task(stop_when_done(ledger, stop)) if args.until_done else None
    announce_ready()

    await dispatcher.run(stop)
    if watcher is not None:
        await watcher
    print(f"sent {dispatcher.attempts_sent}", flush=True)


def print_ready() -> None:
    print("ready", flush=True)


def fork_and_kill(args: argparse.Namespace) -> int:
    """Fork ``--fork-kills`` dispatchers one by one and SIGKILL each, and return how many SIGKILL ended."""
    rng = random.Random(args.seed)
    killed = 0
    for number in range(args.fork_kills):
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            asyncio.run(dispatch(args, f"{args.owner}-{number}", lambda: os.write(ready_write, b"r")))
            os._exit(0)

        os.close(ready_write)
        os.read(ready_read, 1)  # empty if the child died before it was ready
        os.close(ready_read)
        time.sleep(rng.uniform(0.0, args.max_lifetime))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            killed += 1
    return killed


def main() -> None:
    args = parse_args()
    if args.fork_kills:
        print_ready()
        print(f"killed {fork_and_kill(args)}", flush=True)
        return
    asyncio.run(dispatch(args, args.owner, print_ready))


if __name__ == "__main__":
    main()
