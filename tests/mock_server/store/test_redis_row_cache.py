"""The replica's copy of API keys, users, assistants and threads: a table's rows are served until
its counter moves, and a row that a write or a refresh may have made old while it was read is
never kept."""

from __future__ import annotations

from mock_server.store import redis_row_cache
from mock_server.store.redis_row_cache import CACHED_TABLES, RowCache, TableCopy


def test_a_row_read_under_the_observed_counter_is_kept_until_the_counter_moves():
    copy = TableCopy()
    copy.observe(b"3")
    copy.keep("ea_abcde", b"{}", copy.version)
    copy.observe(b"3")
    assert copy.get("ea_abcde") == b"{}"
    copy.observe(b"4")
    assert copy.get("ea_abcde") is None


def test_nothing_is_kept_before_the_first_refresh():
    copy = TableCopy()
    copy.keep("user_1", b"{}", copy.version)
    assert copy.get("user_1") is None


def test_a_row_read_while_this_replica_wrote_the_table_is_not_kept():
    copy = TableCopy()
    copy.observe(b"1")
    read_under = copy.version
    copy.forget()  # a write to the table went out while the read was in flight
    copy.keep("user_1", b"{}", read_under)
    assert copy.get("user_1") is None


def test_a_row_read_before_a_refresh_saw_a_newer_counter_is_not_kept():
    copy = TableCopy()
    copy.observe(b"1")
    read_under = copy.version
    copy.observe(b"2")  # another replica wrote; this refresh ended before the read did
    copy.keep("user_1", b"{}", read_under)
    assert copy.get("user_1") is None


def test_a_write_empties_the_copy_at_once():
    copy = TableCopy()
    copy.observe(b"1")
    copy.keep("user_1", b"{}", copy.version)
    copy.forget()
    assert copy.get("user_1") is None


def test_a_copy_past_its_limit_starts_again(monkeypatch):
    monkeypatch.setattr(redis_row_cache, "MAX_ROWS", 2)
    copy = TableCopy()
    copy.observe(b"1")
    for n in range(3):
        copy.keep(f"user_{n}", b"{}", copy.version)
    assert copy.get("user_0") is None and copy.get("user_2") == b"{}"


def test_a_counter_that_moved_empties_only_its_own_table():
    cache = RowCache()
    cache.observe([b"1"] * len(CACHED_TABLES))
    for table in CACHED_TABLES:
        cache.tables[table].keep("row", b"{}", cache.tables[table].version)
    cache.observe([b"2", *[b"1"] * (len(CACHED_TABLES) - 1)])
    assert cache.tables[CACHED_TABLES[0]].get("row") is None
    assert all(cache.tables[table].get("row") == b"{}" for table in CACHED_TABLES[1:])


def test_runs_are_never_kept_a_stream_reads_its_run_long_after_its_refresh():
    assert "runs" not in CACHED_TABLES
