"""Operator commands from the ledger's queue: sync, resync, disable, enable and delivery retries.

The TUI, the CLI and the API enqueue commands in the ledger. The engine that
runs on that ledger claims them every half second and carries them out here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.clock import Clock, utc
from core.ledger import Command, CommandKind, ConnectionStatus, Ledger, SyncRun
from core.sync.scheduler import Scheduler

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 0.5


class CommandError(Exception):
    """A command's arguments are invalid or name something that does not exist."""


class CommandProcessor:
    """Claim queued commands and carry them out; ``deliveries_changed`` wakes the dispatcher."""

    def __init__(
        self,
        ledger: Ledger,
        clock: Clock,
        scheduler: Scheduler,
        owner_id: str,
        deliveries_changed: Callable[[], None] = lambda: None,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
    ) -> None:
        self.ledger = ledger
        self.clock = clock
        self.scheduler = scheduler
        self.owner_id = owner_id
        self.deliveries_changed = deliveries_changed
        self.poll_seconds = poll_seconds
        self._pending_syncs: set[asyncio.Future[SyncRun]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll the queue until ``stop`` is set; then stop claiming."""
        log.info("command processor %s started", self.owner_id)
        while not stop.is_set():
            self.process_once()
            await _sleep_unless_stopped(self.clock, self.poll_seconds, stop)
        log.info("command processor %s stopped claiming", self.owner_id)

    def process_once(self) -> int:
        """Claim and handle the queued commands; return how many were claimed."""
        commands = self.ledger.claim_commands(self.owner_id, self.clock.now(), limit=20)
        for command in commands:
            self.handle(command)
        return len(commands)

    def handle(self, command: Command) -> None:
        """Carry out one claimed command; sync commands finish when their run does."""
        log.info("command %s (%s) claimed: %s", command.id, command.kind, command.args)
        try:
            result = self._dispatch(command)
        except (CommandError, LookupError, ValueError, TypeError) as error:
            log.warning("command %s (%s) rejected: %s", command.id, command.kind, error)
            self.ledger.finish_command(command.id, None, str(error), self.clock.now())
            return
        except Exception as error:
            # One failing command must not stop the engine's command loop.
            log.exception("command %s (%s) failed", command.id, command.kind)
            self.ledger.finish_command(command.id, None, f"{type(error).__name__}: {error}", self.clock.now())
            return
        if isinstance(result, asyncio.Future):
            self._finish_when_done(command, result)
        else:
            self.ledger.finish_command(command.id, result, None, self.clock.now())

    def _dispatch(self, command: Command) -> dict[str, Any] | asyncio.Future[SyncRun]:
        kind = CommandKind(command.kind)
        args = command.args or {}
        if kind in (CommandKind.SYNC, CommandKind.RESYNC):
            connection_id = self._connection_id(args)
            return self.scheduler.request_sync(connection_id, full=kind == CommandKind.RESYNC)
        if kind == CommandKind.DISABLE:
            return self._disable(self._connection_id(args))
        if kind == CommandKind.ENABLE:
            return self._enable(self._connection_id(args))
        if kind == CommandKind.RETRY_DELIVERY:
            return self._retry_delivery(args)
        if kind == CommandKind.RETRY_FAILED:
            return self._retry_failed(args)
        raise CommandError(f"unknown command kind {command.kind!r}")

    # --- connection commands -------------------------------------------------

    def _connection_id(self, args: dict[str, Any]) -> int:
        connection_id = _int_arg(args, "connection_id")
        if self.ledger.get_connection(connection_id) is None:
            raise CommandError(f"connection {connection_id} not found")
        return connection_id

    def _disable(self, connection_id: int) -> dict[str, Any]:
        now = self.clock.now()
        self.ledger.set_status(connection_id, ConnectionStatus.DISABLED, "disabled by the operator", now)
        self.ledger.schedule(connection_id, None, 0)
        return {"connection_id": connection_id, "status": str(ConnectionStatus.DISABLED)}

    def _enable(self, connection_id: int) -> dict[str, Any]:
        """Move a disabled connection to pending and sync it now; its first success makes it active."""
        connection = self.ledger.get_connection(connection_id)
        if connection.status != ConnectionStatus.DISABLED:
            return {"connection_id": connection_id, "status": str(connection.status), "changed": False}
        now = self.clock.now()
        self.ledger.set_status(connection_id, ConnectionStatus.PENDING, "enabled by the operator", now)
        self.ledger.schedule(connection_id, now, 0)
        self.scheduler.wake()
        return {"connection_id": connection_id, "status": str(ConnectionStatus.PENDING), "changed": True}

    def _finish_when_done(self, command: Command, future: asyncio.Future[SyncRun]) -> None:
        self._pending_syncs.add(future)

        def finish(done: asyncio.Future[SyncRun]) -> None:
            self._pending_syncs.discard(done)
            now = self.clock.now()
            if done.cancelled():
                self.ledger.finish_command(command.id, None, "the sync was cancelled", now)
            elif done.exception() is not None:
                self.ledger.finish_command(command.id, None, str(done.exception()), now)
            else:
                run = done.result()
                result = {"run_id": run.id, "status": str(run.status), "connection_id": run.connection_id}
                self.ledger.finish_command(command.id, result, None, now)

        future.add_done_callback(finish)

    # --- delivery commands ---------------------------------------------------

    def _retry_delivery(self, args: dict[str, Any]) -> dict[str, Any]:
        if "delivery_ids" in args:
            return self._retry_deliveries(args)
        delivery_id = _int_arg(args, "delivery_id")
        outcome = self.ledger.retry_delivery(delivery_id, self.clock.now(), force=bool(args.get("force", False)))
        if outcome.retried:
            self.deliveries_changed()
        return dataclasses.asdict(outcome)

    def _retry_deliveries(self, args: dict[str, Any]) -> dict[str, Any]:
        """Retry each listed delivery as a single retry would, whatever its state.

        Returns how many were requested and retried, and how many were
        refused per reason ("in flight", "already succeeded; use force", ...).
        """
        delivery_ids = _int_list_arg(args, "delivery_ids")
        force = bool(args.get("force", False))
        now = self.clock.now()
        retried = 0
        refused: dict[str, int] = {}
        for delivery_id in delivery_ids:
            outcome = self.ledger.retry_delivery(delivery_id, now, force=force)
            if outcome.retried:
                retried += 1
            else:
                refused[outcome.reason or "unknown"] = refused.get(outcome.reason or "unknown", 0) + 1
        if retried:
            self.deliveries_changed()
        return {"requested": len(delivery_ids), "retried": retried, "refused": refused}

    def _retry_failed(self, args: dict[str, Any]) -> dict[str, Any]:
        endpoint_id = args.get("endpoint_id")
        ids = args.get("ids")
        since = _datetime_arg(args.get("since"))
        count = self.ledger.retry_failed(
            self.clock.now(),
            endpoint_id=None if endpoint_id is None else int(endpoint_id),
            since=since,
            ids=None if ids is None else [int(value) for value in ids],
        )
        if count:
            self.deliveries_changed()
        return {"retried": count}


def _int_arg(args: dict[str, Any], name: str) -> int:
    value = args.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CommandError(f"command argument {name} must be an integer id, got {value!r}")
    return value


def _int_list_arg(args: dict[str, Any], name: str) -> list[int]:
    values = args.get(name)
    if not isinstance(values, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise CommandError(f"command argument {name} must be a list of integer ids, got {values!r}")
    return values


def _datetime_arg(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return utc(datetime.fromisoformat(str(value)))
    except ValueError as error:
        raise CommandError(f"command argument since must be an ISO 8601 time, got {value!r}") from error


async def _sleep_unless_stopped(clock: Clock, seconds: float, stop: asyncio.Event) -> None:
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()
        stopper.cancel()
