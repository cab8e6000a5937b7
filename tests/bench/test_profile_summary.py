"""bench.profile's reading of py-spy's collapsed stacks."""

from __future__ import annotations

from bench.profile import summarize

STACKS = [
    "main (app.py:1);handle (app.py:10);check (v.py:5) 6",
    "main (app.py:1);handle (app.py:12);dumps (j.py:3) 3",
    "main (app.py:1);walk (t.py:2);walk (t.py:4);walk (t.py:2) 1",
    "a line py-spy did not write",
]


def test_the_lines_of_one_function_count_as_that_function():
    profile = summarize(STACKS)
    assert profile.inclusive["handle (app.py)"] == 9


def test_self_time_goes_to_the_frame_on_top_only():
    profile = summarize(STACKS)
    assert profile.own == {"check (v.py)": 6, "dumps (j.py)": 3, "walk (t.py)": 1}


def test_a_recursive_function_counts_once_per_sample():
    profile = summarize(STACKS)
    assert profile.samples == 10 and profile.inclusive["walk (t.py)"] == 1


def test_the_inclusive_table_leaves_out_frames_on_every_sample():
    table = summarize(STACKS).table("inclusive", top=10)
    assert "main (app.py)" not in table
    assert table.splitlines()[1:3] == ["  90.0%  handle (app.py)", "  60.0%  check (v.py)"]
