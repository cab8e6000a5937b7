"""The in-memory backend keeps what protocol.py promises: copies out, insertion order that updates
never change, O(limit) pages with an exact has_more, and scans that yield control."""

from __future__ import annotations

import asyncio

import pytest

from mock_server.store import DuplicateId, Index, MemoryTable
from mock_server.store.memory import SCAN_CHUNK, run_now

INDEXES = (Index("thread", ("thread_id",)), Index("tag", ("tags",)), Index("pair", ("thread_id", "kind")))


def table_with(n: int) -> MemoryTable:
    table = MemoryTable(INDEXES)
    for i in range(n):
        row = {"id": f"m{i}", "thread_id": "t1" if i % 2 == 0 else "t2", "tags": ["a", f"n{i}"], "kind": i % 3}
        run_now(table.insert(row))
    return table


def ids(page) -> list[str]:
    return [row["id"] for row in page.rows]


def test_a_page_walks_an_index_in_insertion_order_both_ways():
    table = table_with(10)
    page = run_now(table.range("thread", ("t1",), limit=3))
    assert ids(page) == ["m0", "m2", "m4"] and page.has_more
    page = run_now(table.range("thread", ("t1",), order="desc", limit=5))
    assert ids(page) == ["m8", "m6", "m4", "m2", "m0"] and not page.has_more


def test_has_more_is_false_when_the_page_ends_exactly_at_the_last_row():
    assert run_now(table_with(6).range("thread", ("t1",), limit=3)).has_more is False


def test_a_list_valued_field_indexes_each_item_and_a_composite_index_both_fields():
    table = table_with(6)
    assert ids(run_now(table.range("tag", ("a",), limit=10))) == [f"m{i}" for i in range(6)]
    assert ids(run_now(table.range("tag", ("n1",), limit=10))) == ["m1"]
    assert ids(run_now(table.range("pair", ("t1", 0), limit=10))) == ["m0"]


def test_a_row_handed_out_is_a_copy_the_store_does_not_see_changed():
    table = table_with(1)
    row = run_now(table.get("m0"))
    row["thread_id"] = "elsewhere"
    assert run_now(table.get("m0"))["thread_id"] == "t1"
    assert run_now(table.range("thread", ("t1",), limit=1)).rows[0]["thread_id"] == "t1"


def test_an_update_never_reorders_a_list_even_when_an_old_row_joins_a_key():
    table = table_with(4)
    run_now(table.update("m0", {"thread_id": "t2"}))  # the oldest row moves to t2's list
    run_now(table.update("m3", {"kind": 9}))
    assert ids(run_now(table.range("thread", ("t2",), limit=10))) == ["m0", "m1", "m3"]
    run_now(table.update("m1", {"tags": ["a", "n1", "late"]}))
    assert ids(run_now(table.range("tag", ("a",), limit=10))) == ["m0", "m1", "m2", "m3"]


def test_deletes_keep_indexes_consistent_and_counts_exact():
    table = table_with(4)
    assert run_now(table.delete("m1"))["id"] == "m1"
    assert run_now(table.get("m1")) is None
    assert run_now(table.count()) == 3 and run_now(table.count("thread", ("t2",))) == 1
    assert run_now(table.delete("m1")) is None
    assert ids(run_now(table.range("thread", ("t9",), limit=5))) == []


def test_inserting_a_taken_id_is_refused():
    table = table_with(1)
    with pytest.raises(DuplicateId):
        run_now(table.insert({"id": "m0"}))


def test_a_page_costs_its_limit_not_the_size_of_the_index():
    table = table_with(200_000)
    touched = []
    original = table._rows.__class__.__getitem__

    class Counting(dict):
        def __getitem__(self, key):
            touched.append(key)
            return original(self, key)

    table._rows = Counting(table._rows)
    run_now(table.range("thread", ("t1",), order="desc", limit=20))
    assert len(touched) == 21


def test_a_scan_hands_out_chunks_and_lets_other_tasks_run_between_them():
    table = table_with(SCAN_CHUNK * 3)
    ticks = []

    async def other() -> None:
        for _ in range(5):
            ticks.append("other")
            await asyncio.sleep(0)

    async def walk() -> list[int]:
        sizes = []
        async for chunk in table.scan(None):
            sizes.append(len(chunk))
            ticks.append("chunk")
        return sizes

    async def both() -> list[int]:
        sizes, _ = await asyncio.gather(walk(), other())
        return sizes

    assert asyncio.run(both()) == [SCAN_CHUNK] * 3
    assert ticks.index("other") < ticks.index("chunk", ticks.index("chunk") + 1)
