"""A wrapper that keeps credentials out of logs, reprs and tracebacks."""

from __future__ import annotations


class Secret:
    """A string that prints as a mask. Call ``reveal()`` where the value is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret expects a str, got {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """Return the clear value; only for the call that sends or hashes it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self):  # pragma: no cover - guard, not behaviour
        raise TypeError("Secret values are not picklable; pass the ledger id instead")


def mask(value: str, keep: int = 4) -> str:
    """Return ``value`` with all but its first ``keep`` characters hidden."""
    if len(value) <= keep:
        return "*" * len(value)
    return value[:keep] + "…" + "*" * 4
