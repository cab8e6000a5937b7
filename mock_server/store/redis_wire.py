"""The requests' hot commands on a connection of their own, each exchange under one deadline.

redis-py's client gives every command deadlines of its own: its write runs under
`asyncio.wait_for` (a task for each write) and each reply under a timeout of its own (a timer for
each reply). For the few commands a request makes that was most of what they cost the mock
(measured in one process on loopback: 110 -> 55 µs of CPU a command sent alone, 22 -> 7.8 µs a
command in a batch of eight). So this connection is opened without redis-py's socket timeout and
an exchange (the commands written, every answer read) runs under one `asyncio.timeout` of the
store's SOCKET_TIMEOUT instead: a Redis that stalls is still a TimeoutError within it, and one that
went away a ConnectionError, which the store turns into its 503.

The commands are packed by hiredis (the C packer redis-py's synchronous client uses), written and
read with redis-py's connection (`send_packed_command`, `read_response`), which parses with
hiredis and reconnects a closed connection on the next write.

One exchange at a time: `Pipelined` (redis_pipelining.py) sends the next batch when the last one
has returned, so one connection serves every request of the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

# Imported with the module (only the Redis store imports it: redis_connection.py), not per exchange.
import hiredis
from redis.asyncio import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

Command = tuple[Any, ...]


class RedisWire:
    def __init__(self, url: str, timeout: float) -> None:
        self._pack = hiredis.pack_command
        self._timeout = timeout
        # A pool of its own, for its one connection: without socket_timeout, whose per-write task
        # and per-reply timer the exchange's one deadline replaces.
        self._pool = ConnectionPool.from_url(
            url, socket_timeout=None, socket_connect_timeout=timeout, health_check_interval=0
        )
        self._connection: Any = None

    async def exchange(self, commands: Sequence[Command]) -> list[Any]:
        """Each command's answer, in order; a command Redis refused has its ResponseError as its
        answer. A connection found closed before any answer came (Redis restarted since the last
        exchange) is opened again and the commands sent once more, as redis-py retries once."""
        packed = b"".join([self._pack(command) for command in commands])
        try:
            return await self._exchange(packed, len(commands))
        except _Unanswered as stale:
            if not isinstance(stale.error, RedisConnectionError):
                raise stale.error from None
        return await self._exchange(packed, len(commands), retried=True)

    async def _exchange(self, packed: bytes, count: int, retried: bool = False) -> list[Any]:
        answers: list[Any] = []
        try:
            async with asyncio.timeout(self._timeout):
                connection = await self._connected()
                await connection.send_packed_command(packed, check_health=False)
                for _ in range(count):
                    try:
                        answers.append(await connection.read_response())
                    except ResponseError as refused:  # that command's own answer; the rest still come
                        answers.append(refused)
        except TimeoutError:
            await self._drop()
            raise RedisTimeoutError(f"Redis did not answer within {self._timeout:g} s") from None
        except BaseException as error:
            # Unread answers would be read as the next exchange's: the connection is dropped
            # (redis-py drops it too when its read or write is cut short; whatever cut this one).
            await self._drop()
            if answers or retried or not isinstance(error, Exception):
                raise
            raise _Unanswered(error) from error
        return answers

    async def _connected(self) -> Any:
        if self._connection is None:
            self._connection = await self._pool.get_connection()  # kept: the pool is this wire's alone
        return self._connection

    async def _drop(self) -> None:
        if self._connection is not None:
            await self._connection.disconnect(nowait=True)  # reconnected by the next write


class _Unanswered(Exception):
    """An exchange that failed before any answer: it may be sent again."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error
