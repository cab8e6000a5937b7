"""Commands of concurrent requests sent together: while one command or batch is in flight, what
other requests ask of Redis waits, then goes out as one pipeline (one write, one read) when it
returns. A request alone pays nothing for it (its command goes at once); under load, a busy mock
sends a batch per round trip instead of a write and a wake-up per command, which on loopback
cost the mock more CPU than Redis spends answering.

Each command keeps its own answer and its own error (a batch is not a transaction: the store's
atomic steps are its scripts); a connection error fails every command of the batch it was in,
each caller seeing it as it would have alone. A script goes by EVALSHA and, when Redis does not
know it (a Redis restarted), through redis-py's own script object, which loads it.

The batches go on the wire (redis_wire.py): any `exchange(commands) -> answers` that gives each
command its answer, or its ResponseError as the answer, and raises when the connection fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from redis.exceptions import NoScriptError  # only the Redis store imports this module

Command = tuple[Any, ...]
Exchange = Callable[[Sequence[Command]], Awaitable[list[Any]]]


class Pipelined:
    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self._waiting: list[tuple[Command, asyncio.Future[Any]]] = []
        self._busy = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sending: asyncio.Task[None] | None = None  # held: a running task must be referenced

    async def __call__(self, *command: Any) -> Any:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # what was in flight died with its loop
            self._waiting, self._busy, self._loop = [], False, loop
        if not self._busy:
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
