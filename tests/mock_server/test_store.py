"""The in-memory store: ordered indexes, O(limit) pages with exact has_more, and namespaces."""

from __future__ import annotations

from mock_server.store import MemoryTable, Namespaces


def table_with(n: int) -> MemoryTable:
    table = MemoryTable(["thread_id", "tags"])
    for i in range(n):
        table.insert({"id": f"m{i}", "thread_id": "t1" if i % 2 == 0 else "t2", "tags": ["a", f"n{i}"]})
    return table


def test_a_page_walks_the_index_in_insertion_order_both_ways():
    table = table_with(10)
    page = table.page("thread_id", "t1", limit=3)
    assert [r["id"] for r in page.rows] == ["m0", "m2", "m4"] and page.has_more
    page = table.page("thread_id", "t1", limit=5, order="desc")
    assert [r["id"] for r in page.rows] == ["m8", "m6", "m4", "m2", "m0"] and not page.has_more


def test_has_more_is_false_when_the_page_ends_exactly_at_the_last_row():
    assert table_with(6).page("thread_id", "t1", limit=3).has_more is False


def test_list_valued_fields_index_each_item():
    table = table_with(3)
    assert [r["id"] for r in table.where("tags", "a")] == ["m0", "m1", "m2"]
    assert [r["id"] for r in table.where("tags", "n1")] == ["m1"]


def test_updates_and_deletes_keep_indexes_consistent():
    table = table_with(4)
    table.update("m0", {"thread_id": "t2"})
    table.delete("m1")
    assert [r["id"] for r in table.where("thread_id", "t2")] == ["m3", "m0"]
    assert table.get("m1") is None and len(table) == 3
    assert list(table.where("thread_id", "t9")) == []


def test_a_page_filter_skips_rows_without_counting_them():
    page = table_with(10).page("thread_id", "t1", limit=2, keep=lambda r: r["id"] != "m2")
    assert [r["id"] for r in page.rows] == ["m0", "m4"] and page.has_more


def test_a_page_looks_at_limit_plus_one_rows_however_large_the_index():
    looked_at = []
    table = table_with(200_000)
    table.page("thread_id", "t1", limit=20, order="desc", keep=lambda row: looked_at.append(row) or True)
    assert len(looked_at) == 21


def test_each_namespace_is_seeded_once_and_kept_apart():
    seeded: list[object] = []
    namespaces = Namespaces(seeded.append)
    default, other = namespaces.get(None), namespaces.get("run-42")
    assert namespaces.get("") is default and namespaces.get("run-42") is other
    assert seeded == [default, other]
    default.users.insert({"id": "user_1", "email": None})
    assert other.users.get("user_1") is None
