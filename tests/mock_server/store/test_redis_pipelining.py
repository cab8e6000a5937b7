"""Pipelined: a command alone goes at once; commands that come while one is in flight go out
together in one pipeline, each with its own answer or error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.exceptions import NoScriptError, ResponseError

from mock_server.store.redis_pipelining import Pipelined


class FakeWire:
    """Answers each command with its own arguments; ("FAIL",) is refused (its ResponseError is its
    answer). Every exchange waits for `release`, so commands pile up behind the first one."""

    def __init__(self) -> None:
        self.exchanges: list[list[tuple[Any, ...]]] = []
        self.release = asyncio.Event()
        self.broken = False

    async def exchange(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        self.exchanges.append(list(commands))
        await self.release.wait()
        if self.broken:
            raise ConnectionError("Redis went away")
        return [ResponseError("no such command") if command[0] == "FAIL" else command for command in commands]


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def _behind_first(*commands: tuple[Any, ...]) -> tuple[FakeWire, Pipelined, Any, list[Any]]:
    """A wire holding ("GET", "first") in flight until `release`, and `commands` sent behind it."""
    wire = FakeWire()
    send = Pipelined(wire.exchange)
    first = asyncio.ensure_future(send("GET", "first"))
    await _settle()
    queued = [asyncio.ensure_future(send(*command)) for command in commands]
    await _settle()
    return wire, send, first, queued


def test_a_command_alone_goes_at_once_on_its_own():
    async def scenario() -> tuple[Any, FakeWire]:
        wire = FakeWire()
        wire.release.set()
        return await Pipelined(wire.exchange)("HGET", "h", "k"), wire

    answer, wire = asyncio.run(scenario())
    assert answer == ("HGET", "h", "k") and wire.exchanges == [[("HGET", "h", "k")]]


def test_a_command_alone_that_redis_refuses_raises_its_error():
    async def scenario() -> Any:
        wire = FakeWire()
        wire.release.set()
        return await Pipelined(wire.exchange)("FAIL")

    with pytest.raises(ResponseError, match="no such command"):
        asyncio.run(scenario())


def test_commands_that_come_while_one_is_in_flight_go_in_one_pipeline_each_with_its_answer():
    async def scenario() -> tuple[list[Any], FakeWire]:
        wire, _, first, later = await _behind_first(*[("GET", f"k{n}") for n in range(5)])
        wire.release.set()
        return [await first, *await asyncio.gather(*later)], wire

    answers, wire = asyncio.run(scenario())
    assert answers == [("GET", "first"), *[("GET", f"k{n}") for n in range(5)]]
    assert wire.exchanges == [[("GET", "first")], [("GET", f"k{n}") for n in range(5)]]


def test_a_command_error_in_a_batch_is_its_commands_alone():
    async def scenario() -> list[Any]:
        wire, _, first, (good, bad, other) = await _behind_first(("GET", "a"), ("FAIL",), ("GET", "b"))
        wire.release.set()
        await first
        with pytest.raises(ResponseError):  # raised to its caller, not handed back as an answer
            await bad
        return [await good, await other]

    assert asyncio.run(scenario()) == [("GET", "a"), ("GET", "b")]


def test_a_connection_lost_under_a_batch_fails_every_command_of_it():
    async def scenario() -> list[Any]:
        wire, _, first, batch = await _behind_first(*[("GET", str(n)) for n in range(3)])
        wire.broken = True
        wire.release.set()
        return await asyncio.gather(first, *batch, return_exceptions=True)

    assert all(isinstance(outcome, ConnectionError) for outcome in asyncio.run(scenario()))


def test_a_caller_gone_while_waiting_leaves_the_others_their_answers():
    async def scenario() -> Any:
        wire, _, first, (quitter, stayer) = await _behind_first(("GET", "q"), ("GET", "s"))
        quitter.cancel()
        wire.release.set()
        await first
        return await stayer

    assert asyncio.run(scenario()) == ("GET", "s")


def test_after_a_batch_the_next_command_alone_goes_at_once_again():
    async def scenario() -> FakeWire:
        wire, send, first, (waiting,) = await _behind_first(("GET", "second"))
        wire.release.set()
        await asyncio.gather(first, waiting)
        await send("GET", "third")
        return wire

    assert asyncio.run(scenario()).exchanges == [[("GET", "first")], [("GET", "second")], [("GET", "third")]]


class Script:
    sha = "abc123"

    def __init__(self) -> None:
        self.loaded_and_run: list[tuple[list[Any], list[Any]]] = []

    async def __call__(self, keys: list[Any], args: list[Any]) -> str:
        self.loaded_and_run.append((keys, args))
        return "ran"


@pytest.mark.parametrize("redis_knows_it", [True, False])
def test_a_script_goes_by_its_sha_and_is_loaded_when_redis_lacks_it(redis_knows_it):
    sent: list[list[tuple[Any, ...]]] = []

    async def exchange(commands: list[tuple[Any, ...]]) -> list[Any]:
        sent.append(list(commands))
        return ["by sha" if redis_knows_it else NoScriptError("NOSCRIPT No matching script")]

    async def scenario() -> tuple[Any, Script]:
        script = Script()
        return await Pipelined(exchange).script(script, ["k"], [1]), script

    answer, script = asyncio.run(scenario())
    assert sent == [[("EVALSHA", "abc123", 1, "k", 1)]]
    assert (answer, script.loaded_and_run) == (("by sha", []) if redis_knows_it else ("ran", [(["k"], [1])]))


def test_a_deferred_command_goes_with_what_the_caller_asks_before_it_next_waits():
    async def scenario() -> tuple[FakeWire, Any, Any, bool, bool]:
        wire = FakeWire()
        wire.release.set()
        send = Pipelined(wire.exchange)
        deferred = send.defer("EVALSHA", "sync")
        unsent = not send.sent(deferred)
        read = await send("HGET", "runs", "run_1")  # the same step: it joins the deferred one
        return wire, await deferred.future, read, unsent, send.sent(deferred)

    wire, refreshed, read, unsent_at_first, sent_after = asyncio.run(scenario())
    assert wire.exchanges == [[("EVALSHA", "sync"), ("HGET", "runs", "run_1")]]
    assert refreshed == ("EVALSHA", "sync") and read == ("HGET", "runs", "run_1")
    assert unsent_at_first and sent_after


def test_a_deferred_command_alone_goes_once_the_running_callbacks_have_run():
    async def scenario() -> tuple[FakeWire, Any]:
        wire = FakeWire()
        wire.release.set()
        deferred = Pipelined(wire.exchange).defer("EVALSHA", "sync")
        return wire, await asyncio.wait_for(deferred.future, 1)

    wire, answer = asyncio.run(scenario())
    assert answer == ("EVALSHA", "sync") and wire.exchanges == [[("EVALSHA", "sync")]]


def test_a_command_deferred_while_a_batch_is_in_flight_goes_in_the_next_batch():
    async def scenario() -> tuple[FakeWire, Any, Any]:
        wire, send, first, _ = await _behind_first()
        deferred = send.defer("EVALSHA", "sync")
        behind = asyncio.ensure_future(send("GET", "second"))
        await _settle()
        assert not send.sent(deferred)
        wire.release.set()
        await first
        return wire, await deferred.future, await behind

    wire, refreshed, second = asyncio.run(scenario())
    assert wire.exchanges == [[("GET", "first")], [("EVALSHA", "sync"), ("GET", "second")]]
    assert (refreshed, second) == (("EVALSHA", "sync"), ("GET", "second"))
