"""The memory backend keeps rows packed (memory.py): what it hands back is still the row as
stored, key order included, with nested empty values fresh for every caller."""

from __future__ import annotations

from mock_server.store import Index, MemoryTable
from mock_server.store.memory import run_now


def test_a_row_comes_back_equal_and_in_its_key_order_whatever_its_keys():
    table = MemoryTable((Index("thread", ("thread_id",)),))
    row = {"id": "m1", "b": 1, 'it\'s "quoted"': "x", "a": None, "thread_id": "t1", "n": [1, {"k": {}}]}
    run_now(table.insert(row))
    back = run_now(table.get("m1"))
    assert back == row and list(back) == list(row)
    assert [r["id"] for r in run_now(table.range("thread", ("t1",), limit=5)).rows] == ["m1"]


def test_empty_lists_and_dicts_are_fresh_for_every_reader():
    table = MemoryTable()
    run_now(table.insert({"id": "m1", "attachments": [], "meta_data": {}}))
    first = run_now(table.get("m1"))
    first["attachments"].append("changed by a careless caller")
    first["meta_data"]["k"] = "v"
    assert run_now(table.get("m1")) == {"id": "m1", "attachments": [], "meta_data": {}}


def test_rows_of_different_keys_in_one_table_keep_their_own_keys():
    table = MemoryTable()
    run_now(table.insert({"id": "a", "x": 1}))
    run_now(table.insert({"id": "b", "y": [], "z": 2}))
    run_now(table.update("a", {"w": "new"}))
    assert run_now(table.get("a")) == {"id": "a", "x": 1, "w": "new"}
    assert run_now(table.get("b")) == {"id": "b", "y": [], "z": 2}
    assert run_now(table.delete("b")) == {"id": "b", "y": [], "z": 2}
    assert run_now(table.count()) == 1


def test_a_list_where_the_first_row_of_its_keys_had_none_is_kept_as_it_is():
    table = MemoryTable()
    run_now(table.insert({"id": "a", "details": None, "tags": []}))
    run_now(table.insert({"id": "b", "details": [], "tags": ["x"]}))
    assert run_now(table.get("a")) == {"id": "a", "details": None, "tags": []}
    assert run_now(table.get("b")) == {"id": "b", "details": [], "tags": ["x"]}
