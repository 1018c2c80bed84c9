"""Hard deadlines for many concurrent webhook attempts, sharing one loop timer per time slot.

``asyncio.timeout`` schedules one timer per attempt and cancels it when
the attempt ends, thousands of times a second for the dispatcher. Every
cancelled timer stays in the event loop's heap until the loop sweeps it,
and every heap push compares timer handles in Python. A deadline cost
3.9 µs per block with ``asyncio.timeout`` and 1.35 µs with this module
(``bench/micro.py`` on the 2-core development machine, Python 3.11).

Here attempts whose deadlines fall into the same slot share one timer:
entering adds the task to the slot's set, leaving removes it, and when
the timer fires it cancels the tasks still in the set. The cancellation
then surfaces as ``TimeoutError``, as with ``asyncio.timeout``. An
attempt therefore ends at its deadline or up to one slot later.
"""

from __future__ import annotations

import asyncio
import math
from types import TracebackType

# The slot width: a tenth of a second, or a twentieth of a deadline under
# 2 s, so a short deadline is not stretched by more than 5 %.
MAX_SLOT_SECONDS = 0.1


class SharedDeadlines:
    """A factory of ``async with`` deadlines of ``seconds`` each, for tasks on one event loop."""

    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError(f"a deadline must be positive, got {seconds!r} seconds; pass the attempt timeout in seconds")
        self.seconds = seconds
        self.slot_seconds = min(MAX_SLOT_SECONDS, seconds / 20)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: dict[int, set[Deadline]] = {}

    def __call__(self) -> Deadline:
        """Return a deadline that starts when its ``async with`` block is entered."""
        return Deadline(self)

    @property
    def pending_slots(self) -> int:
        """Number of slot timers that have not fired yet."""
        return len(self._slots)

    def _join(self, deadline: Deadline) -> set[Deadline]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Timers of a closed loop never fire, so start over on this one.
            self._loop, self._slots = loop, {}
        slot = math.ceil((loop.time() + self.seconds) / self.slot_seconds)
        members = self._slots.get(slot)
        if members is None:
            members = self._slots[slot] = set()
            loop.call_at(slot * self.slot_seconds, self._expire, slot)
        members.add(deadline)
        return members

    def _expire(self, slot: int) -> None:
        for deadline in self._slots.pop(slot, ()):
            deadline.expire()


class Deadline:
    """A deadline for one attempt: its ``async with`` block raises TimeoutError once it passes."""

    __slots__ = ("_owner", "_task", "_members", "_cancelling", "expired")

    def __init__(self, owner: SharedDeadlines) -> None:
        self._owner = owner
        self._task: asyncio.Task | None = None
        self._members: set[Deadline] | None = None
        self._cancelling = 0
        self.expired = False

    async def __aenter__(self) -> Deadline:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline must be used inside a task")
        self._task = task
        # The caller owns any cancellation requested before this block, so
        # only one more than that is the deadline's own.
        self._cancelling = task.cancelling()
        self._members = self._owner._join(self)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        self._members.discard(self)
        # As asyncio.timeout does: take back the deadline's cancellation,
        # and turn it into TimeoutError unless someone else cancelled too.
        if self.expired and self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError(f"the deadline of {self._owner.seconds:g} s passed") from exc
        return None

    def expire(self) -> None:
        """Cancel the task inside the block; called by the slot's timer."""
        self.expired = True
        self._task.cancel()
