"""bench/memory.py: the filled mock's resident set at 0 and at N messages, and their difference
per message, as `make bench` reports it in latest.json's `memory`."""

from __future__ import annotations

import os

from bench.memory import memory, memory_line, rss_bytes


def test_a_process_resident_set_is_read_from_proc():
    assert rss_bytes(os.getpid()) > 10_000_000  # this interpreter, pytest loaded: tens of MB


def test_the_memory_measure_gives_the_growth_per_stored_message():
    result = memory(100_000)
    assert result["messages"] == 100_000
    assert result["rss_full_bytes"] > result["rss_empty_bytes"]
    # each message holds at least its id and text, and well below the ~950 bytes of a row kept as a dict
    assert 100 < result["bytes_per_message"] < 800
    assert memory_line(result).startswith(f"{result['bytes_per_message']:,} bytes per message")
