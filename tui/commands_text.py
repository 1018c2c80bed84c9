"""Words for the results of operator commands, shown as notifications."""

from __future__ import annotations

from typing import Any

from core.ledger.models import Command, CommandKind, CommandStatus, SyncRun


def command_outcome(command: Command | None, what: str, run: SyncRun | None = None) -> tuple[str, str]:
    """Return the notification text and severity for a command's end state.

    ``command`` is None when no engine finished it in time; ``what`` names
    the request, e.g. ``"Retry of delivery #12"``. ``run`` is the sync run a
    sync command started, whose counts the command result does not carry.
    """
    if command is None:
        return f"{what} is queued; no engine has picked it up yet.", "warning"
    if command.status is CommandStatus.FAILED:
        return f"{what} failed: {command.error or 'no reason given'}", "error"
    result = dict(command.result or {})
    if run is not None:
        result |= {"created": run.created, "updated": run.updated, "deleted": run.deleted,
                   "error_message": run.error_message}
    return f"{what}: {_summary(command.kind, result)}", _severity(result)


def _summary(kind: CommandKind, result: dict[str, Any]) -> str:
    if kind is CommandKind.RETRY_DELIVERY:
        return _retry_summary(result)
    if kind is CommandKind.RETRY_FAILED:
        return f"{result.get('retried', result.get('count', 0))} queued for a new attempt"
    if kind in (CommandKind.SYNC, CommandKind.RESYNC):
        return _sync_summary(result)
    return "done"


def _retry_summary(result: dict[str, Any]) -> str:
    if "requested" in result:
        return _tagged_retry_summary(result)
    if result.get("retried") is False:
        return f"not retried ({result.get('reason') or 'no reason given'})"
    return "sent for a new attempt"


def _tagged_retry_summary(result: dict[str, Any]) -> str:
    summary = f"{result.get('retried', 0)} of {result.get('requested', 0)} queued for a new attempt"
    refused = result.get("refused") or {}
    if not refused:
        return summary
    reasons = ", ".join(f"{count} {_REFUSAL_WORDS.get(reason, reason)}" for reason, count in sorted(refused.items()))
    return f"{summary}; not retried: {reasons}"


# The ledger's retry refusal reasons, as a count reads them: "2 in flight".
_REFUSAL_WORDS = {
    "in flight": "in flight",
    "already succeeded; use force": "already succeeded",
    "not found": "no longer in the ledger",
    "endpoint removed": "for a removed endpoint",
}


def _sync_summary(result: dict[str, Any]) -> str:
    status = result.get("status")
    if status is None:
        return "done"
    counts = f"+{result.get('created', 0)} ~{result.get('updated', 0)} -{result.get('deleted', 0)}"
    error = result.get("error_message")
    return f"{status}, {counts}" + (f" ({error})" if error else "")


def _severity(result: dict[str, Any]) -> str:
    if result.get("retried") is False or result.get("refused") or result.get("status") == "failed":
        return "warning"
    return "information"
