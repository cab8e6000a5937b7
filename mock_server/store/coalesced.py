"""One round trip for many waiting requests: a shared store's step (a session's refresh, the
journal's write) that concurrent requests would each make is made once for all of them.

`Coalesced(action)()` runs `action` at once when no run of it is in flight; a caller that arrives
while one is in flight waits for the next run, which starts when the current one ends and serves
every caller that arrived meanwhile. A caller therefore always gets the result of a run that began
after it called: it sees every write that was finished before it asked, exactly as if it had made
the round trip itself, and under load one round trip serves many requests (the mock's cost per
Redis command, in redis-py, is about ten times Redis's own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalesced(Generic[T]):
    def __init__(self, action: Callable[[], Awaitable[T]]) -> None:
        self._action = action
        self._idle = True
        self._next: asyncio.Task[T] | None = None  # the run after the one in flight, not begun yet
        # Done when the run in flight ends and `_next` may begin (a future of the running loop's:
        # an app may be served by several loops one after another).
        self._go: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of the run in flight

    @property
    def idle(self) -> bool:
        return self._idle and self._next is None

    async def __call__(self) -> T:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # what was in flight died with its loop
            self._idle, self._next, self._loop = True, None, loop
        if self._idle:
            self._idle = False
            try:
                return await self._action()
            finally:
                self._end()
        if self._next is None:
            self._go = loop.create_future()
            self._next = asyncio.ensure_future(self._chained(self._go))
            self._next.add_done_callback(_retrieve)
        # Shielded: one waiter's cancellation (its client went away) must not cancel the others' run.
        return await asyncio.shield(self._next)

    async def _chained(self, go: asyncio.Future[None]) -> T:
        await go
        self._next = None  # callers from now on wait for the run after this one
        try:
            return await self._action()
        finally:
            self._end()

    def _end(self) -> None:
        if self._next is None:
            self._idle = True
        elif self._go is not None and not self._go.done():
            # Handed straight to the waiting run: nobody can start one in between.
            self._go.set_result(None)


def _retrieve(task: asyncio.Task[object]) -> None:
    # Its waiters got the error; if every one of them was cancelled, nobody did: no warning for it.
    if not task.cancelled():
        task.exception()
