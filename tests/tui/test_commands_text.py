"""Notification texts for finished operator commands."""

from __future__ import annotations

from datetime import UTC, datetime

from core.ledger.models import Command, CommandKind, CommandStatus, SyncRun, SyncStatus, SyncTrigger
from tui.commands_text import command_outcome

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def command(kind: CommandKind, status: CommandStatus, result=None, error=None) -> Command:
    return Command(1, kind, {}, status, AT, "engine", AT, result, error)


def test_unclaimed_command_is_still_queued():
    assert command_outcome(None, "Sync of plant") == ("Sync of plant is queued; no engine has picked it up yet.", "warning")


def test_failed_command_names_error():
    finished = command(CommandKind.SYNC, CommandStatus.FAILED, error="connection 9 not found")
    assert command_outcome(finished, "Sync of #9") == ("Sync of #9 failed: connection 9 not found", "error")


def test_sync_reports_run_counts():
    run = SyncRun(4, 1, SyncTrigger.MANUAL, ["assets"], AT, AT, SyncStatus.SUCCEEDED, 3, 2, 1, 0, 1, None, None, [])
    finished = command(CommandKind.SYNC, CommandStatus.DONE, {"run_id": 4, "status": "succeeded"})
    assert command_outcome(finished, "Sync of plant", run) == ("Sync of plant: succeeded, +3 ~2 -1", "information")


def test_refused_retry_is_a_warning():
    finished = command(CommandKind.RETRY_DELIVERY, CommandStatus.DONE, {"retried": False, "reason": "in flight"})
    assert command_outcome(finished, "Retry of delivery #7") == ("Retry of delivery #7: not retried (in flight)", "warning")


def test_bulk_retry_counts():
    finished = command(CommandKind.RETRY_FAILED, CommandStatus.DONE, {"retried": 12})
    assert command_outcome(finished, "Retry of 12 deliveries") == ("Retry of 12 deliveries: 12 queued for a new attempt", "information")


def test_tagged_retry_counts_refusals():
    result = {"requested": 3, "retried": 1, "refused": {"in flight": 1, "already succeeded; use force": 1}}
    finished = command(CommandKind.RETRY_DELIVERY, CommandStatus.DONE, result)
    text, severity = command_outcome(finished, "Retry of 3 tagged deliveries")
    assert text == "Retry of 3 tagged deliveries: 1 of 3 queued for a new attempt; not retried: 1 already succeeded, 1 in flight"
    assert severity == "warning"


def test_tagged_retry_all_queued():
    finished = command(CommandKind.RETRY_DELIVERY, CommandStatus.DONE, {"requested": 2, "retried": 2, "refused": {}})
    assert command_outcome(finished, "Retry of 2 tagged deliveries") == (
        "Retry of 2 tagged deliveries: 2 of 2 queued for a new attempt", "information")
