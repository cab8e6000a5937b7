"""RedisWire on a real redis-server: every command its own answer, in order, whatever happened to
the connection before (a Redis restarted, stalled, an exchange cancelled half way)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from mock_server.store.redis_wire import RedisWire
from tests.redis_server import RedisServer


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own: it is stopped, restarted and paused."""
    server = RedisServer().start()
    yield server
    if server.process is not None:
        os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


def test_each_command_gets_its_own_answer_and_a_refused_one_its_error(redis_server):
    async def scenario() -> list[object]:
        wire = RedisWire(redis_server.url, 2.0)
        await wire.exchange([("SET", "wire:a", "1"), ("SET", "wire:b", 2)])
        return await wire.exchange([("GET", "wire:a"), ("NOSUCHCOMMAND",), ("GET", "wire:b"), ("HGET", "wire:a", "f")])

    first, refused, second, wrong_type = asyncio.run(scenario())
    assert (first, second) == (b"1", b"2")
    assert isinstance(refused, ResponseError) and "unknown command" in str(refused)
    assert isinstance(wrong_type, ResponseError) and "WRONGTYPE" in str(wrong_type)


def test_a_redis_restarted_between_exchanges_answers_the_next_one(own_redis):
    async def scenario() -> list[object]:
        wire = RedisWire(own_redis.url, 2.0)
        await wire.exchange([("SET", "k", "before")])
        own_redis.stop()
        own_redis.start()  # the wire's connection is now closed at the other end
        return await wire.exchange([("SET", "k", "after"), ("GET", "k")])

    assert asyncio.run(scenario()) == [b"OK", b"after"]


def test_a_redis_that_is_down_is_a_connection_error_at_once_and_served_again_when_back(own_redis):
    async def scenario() -> tuple[float, list[object]]:
        wire = RedisWire(own_redis.url, 2.0)
        own_redis.stop()
        started = time.monotonic()
        with pytest.raises(RedisConnectionError):
            await wire.exchange([("PING",)])
        took = time.monotonic() - started
        own_redis.start()
        return took, await wire.exchange([("PING",)])

    took, answers = asyncio.run(scenario())
    assert took < 1.0 and answers == [b"PONG"]


def test_a_stalled_redis_is_a_timeout_within_the_deadline_and_no_late_answer_is_taken_for_the_next(own_redis):
    assert own_redis.process is not None
    pid = own_redis.process.pid

    async def scenario() -> tuple[float, list[object]]:
        wire = RedisWire(own_redis.url, 0.3)
        await wire.exchange([("SET", "k", "stalled")])
        os.kill(pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError):
            await wire.exchange([("GET", "k")])
        took = time.monotonic() - started
        os.kill(pid, signal.SIGCONT)  # Redis now answers the GET on a connection the wire dropped
        return took, await wire.exchange([("SET", "k", "fresh"), ("GET", "k")])

    took, answers = asyncio.run(scenario())
    assert 0.25 < took < 1.5
    assert answers == [b"OK", b"fresh"]


def test_an_exchange_cancelled_half_way_leaves_no_answer_behind_for_the_next(own_redis):
    assert own_redis.process is not None
    pid = own_redis.process.pid

    async def scenario() -> list[object]:
        wire = RedisWire(own_redis.url, 2.0)
        await wire.exchange([("SET", "k", "v")])
        os.kill(pid, signal.SIGSTOP)
        cancelled = asyncio.ensure_future(wire.exchange([("GET", "k"), ("GET", "k")]))
        await asyncio.sleep(0.1)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        os.kill(pid, signal.SIGCONT)
        return await wire.exchange([("ECHO", "mine")])

    assert asyncio.run(scenario()) == [b"mine"]
