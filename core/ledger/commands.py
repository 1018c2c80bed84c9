"""Operator commands and engine presence.

The TUI, CLI and API never drive the engine directly: they queue a command
row, and whichever engine runs on this ledger claims it. Engines announce
themselves with a heartbeat so a second one can see it is not alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.ledger import rows
from core.ledger.codec import dump_json, to_epoch
from core.ledger.db import Database
from core.ledger.errors import NotFoundError
from core.ledger.models import Command, CommandKind, CommandStatus, EngineInstance


class CommandsMixin:
    """The operator command queue."""

    _db: Database

    def enqueue_command(self, kind: CommandKind, args: Mapping[str, Any], at: datetime) -> Command:
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO commands (kind, args, status, created_at) VALUES (?, ?, ?, ?)",
                (str(CommandKind(kind)), dump_json(dict(args)), str(CommandStatus.QUEUED), to_epoch(at)),
            )
            row = conn.execute("SELECT * FROM commands WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return rows.command(row)

    def claim_commands(self, owner: str, at: datetime, limit: int = 10) -> list[Command]:
        """Move up to ``limit`` queued commands, oldest first, to running for ``owner``."""
        with self._db.write() as conn:
            found = conn.execute(
                "UPDATE commands SET status = ?, claimed_by = ?, claimed_at = ? WHERE id IN"
                " (SELECT id FROM commands WHERE status = ? ORDER BY id LIMIT ?) RETURNING *",
                (str(CommandStatus.RUNNING), owner, to_epoch(at), str(CommandStatus.QUEUED), limit),
            ).fetchall()
        return sorted((rows.command(row) for row in found), key=lambda command: command.id)

    def finish_command(
        self, command_id: int, result: Mapping[str, Any] | None, error: str | None, at: datetime
    ) -> Command:
        """Mark a command done, or failed when ``error`` is given."""
        status = CommandStatus.FAILED if error else CommandStatus.DONE
        with self._db.write() as conn:
            row = conn.execute(
                "UPDATE commands SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ? RETURNING *",
                (str(status), None if result is None else dump_json(dict(result)), error, to_epoch(at), command_id),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"command {command_id} not found")
        return rows.command(row)

    def fail_orphaned_commands(self, now: datetime, stale_after_seconds: float = 15.0) -> int:
        """Fail running commands whose engine has no fresh heartbeat; return how many.

        An engine that dies after claiming a command never finishes it, and
        without this the command shows as running forever. A starting engine
        calls it before claiming.
        """
        fresh_after = to_epoch(now) - stale_after_seconds
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE commands SET status = ?, error = ?, finished_at = ? WHERE status = ?"
                " AND claimed_by NOT IN (SELECT owner_id FROM engines WHERE heartbeat_at >= ?)",
                (
                    str(CommandStatus.FAILED),
                    "the engine running this command stopped before it finished; run the command again",
                    to_epoch(now),
                    str(CommandStatus.RUNNING),
                    fresh_after,
                ),
            )
            return cursor.rowcount

    def get_command(self, command_id: int) -> Command | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM commands WHERE id = ?", (command_id,)).fetchone()
        return rows.command(row) if row else None


class EnginesMixin:
    """Engine presence: the engines running on this ledger, known by their heartbeats."""

    _db: Database

    def register_engine(self, engine: EngineInstance) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO engines (owner_id, pid, hostname, kind, started_at, heartbeat_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (engine.owner_id, engine.pid, engine.hostname, engine.kind, to_epoch(engine.started_at),
                 to_epoch(engine.heartbeat_at)),
            )

    def heartbeat(self, owner_id: str, at: datetime) -> bool:
        """Refresh an engine's heartbeat; False if it is not registered (re-register then)."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE engines SET heartbeat_at = ? WHERE owner_id = ?", (to_epoch(at), owner_id)
            )
            return cursor.rowcount == 1

    def unregister_engine(self, owner_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM engines WHERE owner_id = ?", (owner_id,))

    def active_engine(self, now: datetime, stale_after_seconds: float = 15.0) -> EngineInstance | None:
        """Return the engine with the freshest heartbeat within ``stale_after_seconds``, or None."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM engines WHERE heartbeat_at >= ? ORDER BY heartbeat_at DESC LIMIT 1",
                (to_epoch(now) - stale_after_seconds,),
            ).fetchone()
        return rows.engine(row) if row else None
