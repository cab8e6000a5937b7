"""What protocol.py promises, held to by both backends (the memory one and a real Redis): insertion
order that updates never change, exact has_more, copies out, duplicate ids refused, cascades as
one write, and (Redis) a 503-shaped StoreUnavailable rather than a hang when the server is gone."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest

from mock_server.store import DuplicateId, Index, MemoryBackend, Store
from mock_server.store.protocol import StoreUnavailable
from mock_server.store.redis_backend import RedisBackend
from mock_server.store.redis_connection import RedisConnection

INDEXES = (Index("thread", ("thread_id",)), Index("tag", ("tags",)), Index("pair", ("thread_id", "kind")))
_names = itertools.count()


@pytest.fixture(params=["memory", "redis", "redis, a session named with SORT's *"])
def backend(request) -> Callable[[], object]:
    """A fresh backend of each kind (Redis: a namespace of its own on the session's server; a
    session whose name holds `*` pages through the RANGE script, not SORT)."""
    if request.param == "memory":
        return MemoryBackend
    url = request.getfixturevalue("redis_server").url
    name = "te*st" if "*" in request.param else "test"
    return lambda: RedisBackend(RedisConnection(url), f"entities-mock:{{{name}-{next(_names)}}}", 1)


def filled(backend, n: int):
    table = backend().table("messages", INDEXES)

    async def fill() -> None:
        for i in range(n):
            row = {"id": f"m{i}", "thread_id": "t1" if i % 2 == 0 else "t2", "tags": ["a", f"n{i}"], "kind": i % 3}
            await table.insert(row)

    return table, fill


def ids(page) -> list[str]:
    return [row["id"] for row in page.rows]


def test_a_page_walks_an_index_in_insertion_order_both_ways_with_an_exact_has_more(backend):
    async def check() -> None:
        table, fill = filled(backend, 10)
        await fill()
        page = await table.range("thread", ("t1",), limit=3)
        assert ids(page) == ["m0", "m2", "m4"] and page.has_more
        page = await table.range("thread", ("t1",), order="desc", limit=5)
        assert ids(page) == ["m8", "m6", "m4", "m2", "m0"] and not page.has_more
        assert (await table.range("thread", ("t1",), limit=4, offset=1)).has_more is False
        assert ids(await table.range("pair", ("t1", 0), limit=10)) == ["m0", "m6"]
        assert await table.count("thread", ("t2",)) == 5 and await table.count() == 10

    asyncio.run(check())


def test_an_update_never_reorders_a_list_even_when_an_old_row_joins_a_key(backend):
    async def check() -> None:
        table, fill = filled(backend, 4)
        await fill()
        await table.update("m0", {"thread_id": "t2"})  # the oldest row moves to t2's list
        await table.update("m3", {"kind": 9})
        assert ids(await table.range("thread", ("t2",), limit=10)) == ["m0", "m1", "m3"]
        assert ids(await table.range("thread", ("t1",), limit=10)) == ["m2"]
        assert [row["id"] for chunk in [c async for c in table.scan(None)] for row in chunk] == ["m0", "m1", "m2", "m3"]

    asyncio.run(check())


def test_a_row_handed_out_is_a_copy_and_a_duplicate_id_is_refused(backend):
    async def check() -> None:
        table, fill = filled(backend, 1)
        await fill()
        row = await table.get("m0")
        row["thread_id"] = "elsewhere"
        assert (await table.get("m0"))["thread_id"] == "t1"
        with pytest.raises(DuplicateId):
            await table.insert({"id": "m0", "thread_id": "t9"})
        assert ids(await table.range("thread", ("t9",), limit=1)) == []

    asyncio.run(check())


def test_a_thread_is_deleted_with_its_runs_actions_messages_and_scratchpad_in_one_write(backend):
    async def check() -> None:
        store = Store(backend())
        await store.threads.add({"id": "t1", "owner_id": "u1", "_participant_ids": ["u1"]})
        await store.runs.add({"id": "r1", "thread_id": "t1", "user_id": "u1"})
        await store.actions.add({"id": "a1", "run_id": "r1", "status": "pending"})
        for i in range(3):
            await store.messages.add({"id": f"m{i}", "thread_id": "t1"})
        await store.scratchpads.add({"id": "t1", "content": "notes"})
        await store.messages.add({"id": "other", "thread_id": "t2"})
        assert (await store.remove_thread("t1"))["id"] == "t1"
        assert await store.threads.get("t1") is None and await store.runs.get("r1") is None
        assert await store.actions.get("a1") is None and await store.scratchpads.get("t1") is None
        assert await store.messages.count() == 1 and await store.messages.count_of_thread("t1") == 0
        assert await store.remove_thread("t1") is None

    asyncio.run(check())


def test_a_redis_that_does_not_answer_is_store_unavailable_naming_it_not_a_hang(redis_server):
    # A port nothing listens on: refused at once.
    url = f"redis://127.0.0.1:{redis_server.port + 1 if redis_server.port < 65535 else 1}/0"
    table = RedisBackend(RedisConnection(url), "entities-mock:{down}", 1).table("messages", INDEXES)

    async def check() -> None:
        with pytest.raises(StoreUnavailable, match=url.removeprefix("redis://")):
            await table.get("m0")
        with pytest.raises(StoreUnavailable):
            await table.insert({"id": "m0", "thread_id": "t1"})

    asyncio.run(asyncio.wait_for(check(), 10))
