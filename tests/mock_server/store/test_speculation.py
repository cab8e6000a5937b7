"""A request's speculation on its session's copy: it holds when the refresh found the copy
current, and not when the session moved on in anything the request took from the copy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mock_server.store.speculation import SPECULATION, Seen, Speculation, speculating, used

GENERATION, VERSION = 3, 1
COUNTERS = [b"5", b"9", None, b"2"]


def verdict(seen: Seen, *uses: tuple[int, Any], attached: bool = True) -> bool:
    async def scenario() -> bool:
        speculation = Speculation()
        if attached:
            refresh = asyncio.get_running_loop().create_future()
            refresh.set_result(seen)
            speculation.attach(GENERATION, VERSION, refresh)
        for position, counter in uses:
            speculation.use(position, counter)
        return await speculation.holds()

    return asyncio.run(scenario())


def test_a_copy_the_refresh_found_current_holds():
    assert verdict(Seen(GENERATION, VERSION, COUNTERS), (0, b"5"), (3, b"2"))


def test_a_cached_row_whose_table_moved_since_makes_the_copy_stale():
    assert not verdict(Seen(GENERATION, VERSION, [b"6", b"9", None, b"2"]), (0, b"5"))


def test_a_table_the_request_took_nothing_from_may_have_moved():
    assert verdict(Seen(GENERATION, VERSION, [b"5", b"10", b"1", b"2"]), (0, b"5"))


@pytest.mark.parametrize(
    "seen",
    [Seen(GENERATION + 1, VERSION, COUNTERS), Seen(None, VERSION, COUNTERS), Seen(GENERATION, VERSION + 1, COUNTERS)],
    ids=["a new generation", "a session being seeded again", "new rules, faults or clock"],
)
def test_a_session_that_moved_on_makes_the_copy_stale(seen):
    assert not verdict(seen)


def test_a_request_not_speculating_holds_without_a_refresh_to_wait_for():
    assert verdict(Seen(None, 0, []), attached=False)


def test_the_first_use_of_a_table_is_what_is_checked_and_the_verdict_is_given_once():
    async def scenario() -> tuple[bool, bool]:
        refresh = asyncio.get_running_loop().create_future()
        refresh.set_result(Seen(GENERATION, VERSION, COUNTERS))
        speculation = Speculation()
        speculation.attach(GENERATION, VERSION, refresh)
        speculation.use(0, b"5")
        speculation.use(0, b"4")  # kept under an older counter later: the first use is the one checked
        first = await speculation.holds()
        speculation.use(1, b"1")  # after the verdict: the request waited for its refresh by then
        return first, await speculation.holds()

    assert asyncio.run(scenario()) == (True, True)


def test_a_write_from_the_copy_requires_its_generation_version_and_the_counters_it_used():
    speculation = Speculation()
    refresh: Any = object()
    speculation.attach(GENERATION, VERSION, refresh)
    speculation.use(3, b"2")
    speculation.use(0, b"5")
    assert speculation.pending and speculation.expected() == (GENERATION, VERSION, {3: b"2", 0: b"5"})


def test_a_refused_write_makes_the_copy_stale_for_every_later_write_and_the_request_is_made_again():
    async def scenario() -> tuple[bool, bool]:
        refresh = asyncio.get_running_loop().create_future()
        speculation = Speculation()
        speculation.attach(GENERATION, VERSION, refresh)
        speculation.refused()
        token = SPECULATION.set(speculation)
        try:
            # Still pending: a write after a StaleCopy someone caught is refused too (redis_backend.py).
            later = speculating() is speculation and speculation.stale
        finally:
            SPECULATION.reset(token)
        return later, await speculation.holds()  # no wait for the refresh: the write already said

    assert asyncio.run(scenario()) == (True, False)


def test_an_applied_write_holds_once_its_refresh_is_applied_and_later_uses_are_not_rechecked():
    async def scenario() -> tuple[bool, bool, bool]:
        refresh = asyncio.get_running_loop().create_future()
        speculation = Speculation()
        speculation.attach(GENERATION, VERSION, refresh)
        token = SPECULATION.set(speculation)
        try:
            used(0, b"5")
            settling = asyncio.ensure_future(speculation.written())
            await asyncio.sleep(0)
            waited = not settling.done()  # the refresh (sent before the write) is applied first
            refresh.set_result(Seen(GENERATION, VERSION, [b"6", *COUNTERS[1:]]))
            await settling
            used(1, b"1")
            return waited, speculating() is None, await speculation.holds()
        finally:
            SPECULATION.reset(token)

    assert asyncio.run(scenario()) == (True, True, True)
