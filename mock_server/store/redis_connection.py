"""The Redis store's connection: one client per process (its pool shared by every session), and
the requests' hot commands on a connection of their own (redis_wire.py, batched by
redis_pipelining.py), with timeouts so that a Redis that went away or stalls is a
`StoreUnavailable` (a 503) within about a second, never a hang; both reconnect by themselves on
the next command once Redis is back.

`redis` (redis-py) is imported here and in the other `redis_*` modules only, so the memory store
needs nothing of it (it is the `redis` extra).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from mock_server.store.protocol import StoreUnavailable

# Seconds to connect and to wait for an answer: long enough for a loaded Redis on a busy machine,
# short enough that a client sees its 503 before its own timeout.
SOCKET_TIMEOUT = 2.0
PREFIX = "entities-mock"

P = ParamSpec("P")
T = TypeVar("T")


def describe(url: str) -> str:
    """The store as said in messages: its URL without a password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"redis://{host}:{parts.port or 6379}{parts.path or '/0'}"


def connect(url: str) -> Any:
    """A `redis.asyncio.Redis` for the URL, raising on first use when Redis is unreachable."""
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return aioredis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        # One retry: a pooled connection Redis closed (a restart) is replaced at once, and a Redis
        # that is down costs one more connect, not redis-py's default three with backoff.
        retry=Retry(NoBackoff(), 1),
        health_check_interval=0,
    )


class RedisConnection:
    """The store's URL and, per event loop, its client, scripts and notifier: redis-py's asyncio
    connections belong to the loop that opened them, and an app may be served by several loops
    one after another (a test client opens one per `with`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = describe(url)
        self._loop: Any = None
        self._parts: tuple[Any, Any, Any, Any] | None = None

    def _current(self) -> tuple[Any, Any, Any, Any]:
        loop = asyncio.get_running_loop()
        if self._parts is None or self._loop is not loop:
            # Imported here, once a loop: they import redis-py, which the memory store does without.
            from mock_server.store.redis_backend import Scripts
            from mock_server.store.redis_notify import Notifier
            from mock_server.store.redis_pipelining import Pipelined
            from mock_server.store.redis_wire import RedisWire

            client = connect(self.url)
            wire = RedisWire(self.url, SOCKET_TIMEOUT)
            self._loop, self._parts = loop, (client, Scripts(client), Notifier(client), Pipelined(wire.exchange))
        return self._parts

    @property
    def client(self) -> Any:
        return self._current()[0]

    @property
    def scripts(self) -> Any:
        return self._current()[1]

    @property
    def notifier(self) -> Any:
        return self._current()[2]

    @property
    def pipelined(self) -> Any:
        """The requests' hot commands, sent together when they come together (redis_pipelining.py)."""
        return self._current()[3]


def unavailable(where: str) -> StoreUnavailable:
    return StoreUnavailable(f"The mock's store ({where}) is unavailable; retry once Redis is back.")


@functools.cache
def redis_errors() -> tuple[type[BaseException], ...]:
    """redis-py's errors of an unreachable or stalled Redis (imported when first needed)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError)


def guarded(where: Callable[[Any], str]) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """A method whose Redis failures (connection refused or lost, timeouts) become StoreUnavailable."""

    def decorate(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(method)
        async def call(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return await method(*args, **kwargs)
            except StoreUnavailable:
                raise
            except Exception as error:
                if isinstance(error, redis_errors()):
                    raise unavailable(where(args[0])) from error
                raise

        return call

    return decorate
