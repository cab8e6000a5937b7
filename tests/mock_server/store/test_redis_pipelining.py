"""Pipelined: a command alone goes at once; commands that come while one is in flight go out
together in one pipeline, each with its own answer or error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.exceptions import NoScriptError, ResponseError

from mock_server.store.redis_pipelining import Pipelined


class FakePipeline:
    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.commands: list[tuple[Any, ...]] = []

    def execute_command(self, *command: Any) -> None:
        self.commands.append(command)

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        assert raise_on_error is False
        self.client.batches.append(list(self.commands))
        await asyncio.sleep(0)
        if self.client.broken:
            raise ConnectionError("Redis went away")
        return [self.client.answer(command) for command in self.commands]


class FakeClient:
    """Answers a command with its own arguments; ("FAIL",) is a command error. The first command
    sent alone waits for `release`, so others pile up behind it."""

    def __init__(self) -> None:
        self.alone: list[tuple[Any, ...]] = []
        self.batches: list[list[tuple[Any, ...]]] = []
        self.release = asyncio.Event()
        self.broken = False

    def answer(self, command: tuple[Any, ...]) -> Any:
        return ResponseError("no such command") if command[0] == "FAIL" else command

    async def execute_command(self, *command: Any) -> Any:
        self.alone.append(command)
        await self.release.wait()
        return command

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        assert transaction is False  # a batch is not a transaction
        return FakePipeline(self)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_command_alone_goes_at_once_without_a_pipeline():
    async def scenario() -> tuple[Any, FakeClient]:
        client = FakeClient()
        client.release.set()
        return await Pipelined(client)("HGET", "h", "k"), client

    answer, client = asyncio.run(scenario())
    assert answer == ("HGET", "h", "k") and client.alone == [("HGET", "h", "k")] and client.batches == []


def test_commands_that_come_while_one_is_in_flight_go_in_one_pipeline_each_with_its_answer():
    async def scenario() -> tuple[list[Any], FakeClient]:
        client = FakeClient()
        send = Pipelined(client)
        first = asyncio.ensure_future(send("GET", "first"))
        await _settle()
        later = [asyncio.ensure_future(send("GET", f"k{n}")) for n in range(5)]
        await _settle()
        client.release.set()
        return [await first, *await asyncio.gather(*later)], client

    answers, client = asyncio.run(scenario())
    assert answers == [("GET", "first"), *[("GET", f"k{n}") for n in range(5)]]
    assert client.batches == [[("GET", f"k{n}") for n in range(5)]]


def test_a_command_error_in_a_batch_is_its_commands_alone():
    async def scenario() -> list[Any]:
        client = FakeClient()
        send = Pipelined(client)
        first = asyncio.ensure_future(send("GET", "first"))
        await _settle()
        batch = [asyncio.ensure_future(send(*command)) for command in (("GET", "a"), ("FAIL",), ("GET", "b"))]
        await _settle()
        client.release.set()
        await first
        return await asyncio.gather(*batch, return_exceptions=True)

    good, bad, other = asyncio.run(scenario())
    assert good == ("GET", "a") and other == ("GET", "b") and isinstance(bad, ResponseError)


def test_a_connection_lost_under_a_batch_fails_every_command_of_it():
    async def scenario() -> list[Any]:
        client = FakeClient()
        send = Pipelined(client)
        first = asyncio.ensure_future(send("GET", "first"))
        await _settle()
        batch = [asyncio.ensure_future(send("GET", str(n))) for n in range(3)]
        await _settle()
        client.broken = True
        client.release.set()
        await first
        return await asyncio.gather(*batch, return_exceptions=True)

    assert all(isinstance(outcome, ConnectionError) for outcome in asyncio.run(scenario()))


def test_a_caller_gone_while_waiting_leaves_the_others_their_answers():
    async def scenario() -> Any:
        client = FakeClient()
        send = Pipelined(client)
        first = asyncio.ensure_future(send("GET", "first"))
        await _settle()
        quitter, stayer = asyncio.ensure_future(send("GET", "q")), asyncio.ensure_future(send("GET", "s"))
        await _settle()
        quitter.cancel()
        client.release.set()
        await first
        return await stayer

    assert asyncio.run(scenario()) == ("GET", "s")


def test_after_a_batch_the_next_command_alone_goes_at_once_again():
    async def scenario() -> FakeClient:
        client = FakeClient()
        send = Pipelined(client)
        first = asyncio.ensure_future(send("GET", "first"))
        await _settle()
        waiting = asyncio.ensure_future(send("GET", "second"))
        await _settle()
        client.release.set()
        await asyncio.gather(first, waiting)
        await send("GET", "third")
        return client

    assert asyncio.run(scenario()).alone == [("GET", "first"), ("GET", "third")]


class Script:
    sha = "abc123"

    def __init__(self) -> None:
        self.loaded_and_run: list[tuple[list[Any], list[Any]]] = []

    async def __call__(self, keys: list[Any], args: list[Any]) -> str:
        self.loaded_and_run.append((keys, args))
        return "ran"


@pytest.mark.parametrize("redis_knows_it", [True, False])
def test_a_script_goes_by_its_sha_and_is_loaded_when_redis_lacks_it(redis_knows_it):
    class Client(FakeClient):
        async def execute_command(self, *command: Any) -> Any:
            self.alone.append(command)
            if not redis_knows_it:
                raise NoScriptError("NOSCRIPT No matching script")
            return "by sha"

    async def scenario() -> tuple[Any, Client, Script]:
        client, script = Client(), Script()
        return await Pipelined(client).script(script, ["k"], [1]), client, script

    answer, client, script = asyncio.run(scenario())
    assert client.alone == [("EVALSHA", "abc123", 1, "k", 1)]
    assert (answer, script.loaded_and_run) == (("by sha", []) if redis_knows_it else ("ran", [(["k"], [1])]))
