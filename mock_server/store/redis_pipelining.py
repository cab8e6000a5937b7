"""Commands of concurrent requests sent together: while one command or batch is in flight, what
other requests ask of Redis waits, then goes out as one pipeline (one write, one read) when it
returns. A request alone pays nothing for it (its command goes at once); under load, a busy mock
sends a batch per round trip instead of a write and a wake-up per command, which on loopback
cost the mock more CPU than Redis spends answering.

Each command keeps its own answer and its own error (a batch is not a transaction: the store's
atomic steps are its scripts); a connection error fails every command of the batch it was in,
each caller seeing it as it would have alone. A script goes by EVALSHA and, when Redis does not
know it (a Redis restarted), through redis-py's own script object, which loads it.

A command can also be deferred (`defer`): queued for a batch that goes once the callbacks the
event loop is running have run, so what the same request and others ask before they next wait
goes with it. The session refresh goes so (store/speculation.py): a request's refresh and its
first read make one round trip.

The batches go on the wire (redis_wire.py): any `exchange(commands) -> answers` that gives each
command its answer, or its ResponseError as the answer, and raises when the connection fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from redis.exceptions import NoScriptError  # only the Redis store imports this module

Command = tuple[Any, ...]


class Deferred:
    """A deferred command: its answer's future, and the batch it goes in (batches taken so far)."""

    __slots__ = ("future", "batch")

    def __init__(self, future: asyncio.Future[Any], batch: int) -> None:
        self.future = future
        self.batch = batch


Exchange = Callable[[Sequence[Command]], Awaitable[list[Any]]]


class Pipelined:
    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self._waiting: list[tuple[Command, asyncio.Future[Any]]] = []
        self._busy = False
        self._flush_soon = False  # a deferred command waits for the end of the loop's step
        self._batches = 0  # batches taken from `_waiting` so far
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sending: asyncio.Task[None] | None = None  # held: a running task must be referenced

    async def __call__(self, *command: Any) -> Any:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # what was in flight died with its loop
            self._reset(loop)
        if not self._busy and not self._flush_soon:
            self._busy = True
            try:
                (answer,) = await self._exchange([command])
            finally:
                self._next()
            if isinstance(answer, Exception):
                raise answer
            return answer
        future = loop.create_future()
        self._waiting.append((command, future))
        return await future

    def defer(self, *command: Any) -> Deferred:
        """Queue `command` for the next batch, sent when the running callbacks have run (at once if
        one is in flight: when it returns). Not a coroutine: it is queued before the caller goes on."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._reset(loop)
        future = loop.create_future()
        self._waiting.append((command, future))
        if not self._busy and not self._flush_soon:
            self._flush_soon = True
            loop.call_soon(self._flush)
        return Deferred(future, self._batches)

    async def answer(self, deferred: Deferred, script: Any, keys: list[Any], args: list[Any]) -> Any:
        """A deferred EVALSHA's answer; the script run through redis-py's own object (which loads
        it) when Redis does not know it, as `script` does."""
        try:
            return await deferred.future
        except NoScriptError:
            return await script(keys=keys, args=args)

    def sent(self, deferred: Deferred) -> bool:
        """Whether a deferred command has gone (a caller now would need a command of its own)."""
        return self._batches > deferred.batch

    def _reset(self, loop: asyncio.AbstractEventLoop) -> None:
        self._waiting, self._busy, self._flush_soon, self._loop = [], False, False, loop

    def _flush(self) -> None:
        if not self._flush_soon:  # its loop was replaced meanwhile
            return
        self._flush_soon = False
        if not self._busy:
            self._busy = True
            self._next()

    async def script(self, script: Any, keys: list[Any], args: list[Any]) -> Any:
        """A registered script (redis-py's AsyncScript) by its SHA, loaded when Redis lacks it."""
        try:
            return await self("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await script(keys=keys, args=args)

    def _next(self) -> None:
        if not self._waiting:
            self._busy = False
            return
        batch, self._waiting = self._waiting, []
        self._batches += 1
        self._sending = asyncio.get_running_loop().create_task(self._send(batch))

    async def _send(self, batch: list[tuple[Command, asyncio.Future[Any]]]) -> None:
        try:
            answers = await self._exchange([command for command, _ in batch])
        except BaseException as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error if isinstance(error, Exception) else ConnectionError(str(error)))
            if not isinstance(error, Exception):
                raise
        else:
            for (_, future), answer in zip(batch, answers, strict=True):
                if future.done():  # its caller went away
                    continue
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
        finally:
            self._next()
