"""Coalesced: callers that arrive while a run is in flight share the next run, and nobody gets
the result of a run that began before they asked."""

from __future__ import annotations

import asyncio

from mock_server.store.coalesced import Coalesced


class Counter:
    """An action that takes a while and answers which run it was."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.started = 0
        self.release = asyncio.Event()
        self.fail_on = fail_on

    async def __call__(self) -> int:
        self.started += 1
        number = self.started
        await self.release.wait()
        if number == self.fail_on:
            raise RuntimeError(f"run {number} failed")
        return number


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_caller_alone_runs_the_action_itself_each_time():
    async def scenario() -> list[int]:
        action = Counter()
        action.release.set()
        runner = Coalesced(action)
        return [await runner() for _ in range(3)]

    assert asyncio.run(scenario()) == [1, 2, 3]


def test_callers_arriving_during_a_run_share_one_later_run():
    async def scenario() -> tuple[int, list[int]]:
        action = Counter()
        runner = Coalesced(action)
        first = asyncio.ensure_future(runner())
        await _settle()
        later = [asyncio.ensure_future(runner()) for _ in range(10)]
        await _settle()
        action.release.set()
        return await first, list(await asyncio.gather(*later))

    first, later = asyncio.run(scenario())
    assert first == 1
    assert later == [2] * 10  # one run for all ten, begun after the first ended


def test_a_caller_never_gets_a_run_that_began_before_it_asked():
    async def scenario() -> list[tuple[int, int]]:
        action = Counter()
        runner = Coalesced(action)
        seen: list[tuple[int, int]] = []

        async def caller() -> None:
            started_before = action.started
            seen.append((started_before, await runner()))

        tasks = [asyncio.ensure_future(caller()) for _ in range(3)]
        for _ in range(4):
            await _settle()
            tasks.append(asyncio.ensure_future(caller()))
            await _settle()
            action.release.set()
            await _settle()
            action.release.clear()
        action.release.set()
        await asyncio.gather(*tasks)
        return seen

    for started_before, got in asyncio.run(scenario()):
        assert got > started_before


def test_one_waiter_cancelled_leaves_the_shared_run_to_the_others():
    async def scenario() -> int:
        action = Counter()
        runner = Coalesced(action)
        first = asyncio.ensure_future(runner())
        await _settle()
        quitter, stayer = asyncio.ensure_future(runner()), asyncio.ensure_future(runner())
        await _settle()
        quitter.cancel()
        action.release.set()
        await first
        return await stayer

    assert asyncio.run(scenario()) == 2


def test_a_failed_run_fails_its_waiters_and_the_next_call_runs_again():
    async def scenario() -> tuple[list[object], int]:
        action = Counter(fail_on=2)
        runner = Coalesced(action)
        first = asyncio.ensure_future(runner())
        await _settle()
        waiters = [asyncio.ensure_future(runner()) for _ in range(2)]
        await _settle()
        action.release.set()
        await first
        outcomes = await asyncio.gather(*waiters, return_exceptions=True)
        return [str(outcome) for outcome in outcomes], await runner()

    outcomes, after = asyncio.run(scenario())
    assert outcomes == ["run 2 failed", "run 2 failed"]
    assert after == 3


def test_a_run_left_in_flight_by_a_closed_loop_does_not_block_the_next_loop():
    runner_holder: list[Coalesced[int]] = []
    action = Counter()

    async def abandon() -> None:
        runner_holder.append(Coalesced(action))
        asyncio.ensure_future(runner_holder[0]())
        await _settle()  # the loop ends with the run still waiting

    async def later() -> int:
        action.release.set()
        return await asyncio.wait_for(runner_holder[0](), timeout=5)

    asyncio.run(abandon())
    assert asyncio.run(later()) == 2
