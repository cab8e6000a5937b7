"""A request served from the replica's copy of its session while that copy's refresh is on its way.

On a shared store each replica refreshes its copy of a session before every request (SYNC:
shared_sessions.py). Awaited first, that refresh is a round trip of its own before the request's
first read. Instead, the refresh is sent with that first read, in one batch
(redis_pipelining.py's `defer`), and the request goes on from the copy: its API key, user, thread
or assistant from the replica's cached rows, its other rows from Redis as always. What the
refresh answers then decides, before anything is sent or written:

- the copy was current (same generation, same shared version, and every cached table the request
  took a row from unchanged since that row was kept): the request stands, exactly as if it had
  waited for the refresh;
- it was not: `StaleCopy`, and the request is made once more from the start, after an awaited
  refresh (speculation_stage.py), as the first try never happened: nothing of it was sent and
  nothing written.

So the check is made every time, later rather than first: the answer's first message waits for
it, and an error waits for it before it is answered. A write does not wait: it carries the check
with it (the backend's guard, `expected`), made by Redis in the write's own script, so it is
applied only if the copy is current when it is made, and refused whole otherwise (`refused`: the
request is made again); a write that was applied settles the speculation (`written`). A request
to a session with faults set is not speculated on (a fault's use is counted).

The store's backend reports the cached rows it serves (`used`); the shared sessions attach the
refresh (`attach`). This module imports neither: it holds the request's record of both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from contextvars import ContextVar
from typing import Any


class StaleCopy(Exception):
    """The replica's copy a request was served from was not current: make the request again."""


class Seen:
    """What a refresh found: the session's ready generation (None: not ready), shared version, and
    the cached tables' counters in the order the backend numbers them."""

    __slots__ = ("generation", "version", "counters")

    def __init__(self, generation: int | None, version: int, counters: Sequence[Any]) -> None:
        self.generation = generation
        self.version = version
        self.counters = counters


OPEN, HELD, STALE = "open", "held", "stale"


class Speculation:
    def __init__(self) -> None:
        self.state = OPEN
        self._refresh: Awaitable[Seen] | None = None
        self._generation = 0
        self._version = 0
        self._used: dict[int, Any] = {}  # cached table's position -> the counter its rows were kept under

    def attach(self, generation: int, version: int, refresh: asyncio.Future[Seen]) -> None:
        """The copy the request goes on from (its generation and shared version) and its refresh."""
        self._generation, self._version, self._refresh = generation, version, refresh

    @property
    def attached(self) -> bool:
        """Whether the request goes on from a copy (else it waited for its refresh, or made none)."""
        return self._refresh is not None

    @property
    def pending(self) -> bool:
        """Whether the request goes on from a copy its refresh has not vouched for (open), or one it
        found stale: a write then carries its guard, or is not made."""
        return self.state is not HELD and self._refresh is not None

    @property
    def stale(self) -> bool:
        return self.state is STALE

    def expected(self) -> tuple[int, int, dict[int, Any]]:
        """What a write from this copy requires of the session: its generation, shared version, and
        the counters of the cached tables the request took rows from (by position)."""
        return self._generation, self._version, dict(self._used)

    def refused(self) -> None:
        """A write found the copy not current: nothing was written; the request is made again."""
        self.state = STALE

    async def written(self) -> None:
        """A write found the copy current: what the request used was current when it wrote. Its
        refresh (sent before the write) is applied to the copy first, so what the request reads
        of the copy from now on is as fresh as that refresh, as after an awaited one."""
        if self._refresh is not None:
            await asyncio.shield(self._refresh)
        self.state = HELD

    def use(self, position: int, counter: Any) -> None:
        if self.state is OPEN and position not in self._used:
            self._used[position] = counter

    async def holds(self) -> bool:
        """Whether the copy was current; waits for the refresh the first time it is asked."""
        if self.state is OPEN:
            if self._refresh is None:  # nothing taken from a copy: the request waited for its refresh
                self.state = HELD
            else:
                seen = await asyncio.shield(self._refresh)  # shared with other requests
                if self.state is OPEN:
                    self.state = HELD if self._was_current(seen) else STALE
        return self.state is HELD

    def _was_current(self, seen: Seen) -> bool:
        return (
            seen.generation == self._generation
            and seen.version == self._version
            and all(seen.counters[position] == counter for position, counter in self._used.items())
        )


SPECULATION: ContextVar[Speculation | None] = ContextVar("mock_server.speculation", default=None)


def used(position: int, counter: Any) -> None:
    """A cached row served to the request: its table's counter must not have moved."""
    speculation = SPECULATION.get()
    if speculation is not None:
        speculation.use(position, counter)


def speculating() -> Speculation | None:
    """The request's speculation until its copy is vouched for (see `pending`)."""
    speculation = SPECULATION.get()
    return speculation if speculation is not None and speculation.pending else None
