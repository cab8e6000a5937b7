"""bench/streams.py: what one server's streams add up to, and one N's entry in latest.json."""

from __future__ import annotations

import os

import pytest

from bench.streams import combine, cpu_seconds, summarize


def stream(first_s=0.001, frames=7, completed=True, opened=True, error=None):
    return {"opened": opened, "status": 200 if opened else 409, "first_frame_s": first_s, "frames": frames,
            "completed": completed, "error": error}  # fmt: skip


def test_a_run_counts_only_the_streams_that_got_every_frame_and_done():
    client = {
        "window_s": 2.0,
        "client_cpu_s": 0.5,
        "streams": [
            stream(),
            stream(0.003),
            stream(0.002, frames=5),  # [DONE] after too few frames: not completed
            stream(0.004, frames=3, completed=False, error="timed out"),
            stream(None, frames=0, completed=False, opened=False, error="status 409"),
        ],
    }
    summary = summarize(client, expected_frames=7, server_cpu_s=1.0)
    assert (summary["opened"], summary["completed"]) == (4, 2)
    assert summary["frames"] == 7 + 7 + 5 + 3
    assert summary["frames_per_s"] == 11.0
    assert summary["first_frame_p50_ms"] == 2.0 and summary["first_frame_p99_ms"] == 4.0
    assert summary["errors"] == {"timed out": 1, "status 409": 1}
    assert (summary["server_cpu_share"], summary["client_cpu_share"]) == (0.5, 0.25)
    assert summary["server_cpu_us_per_frame"] == round(1.0 / 22 * 1e6, 1)


def test_no_frame_at_all_has_no_first_frame_time():
    summary = summarize({"window_s": 1.0, "client_cpu_s": 0.0, "streams": [stream(None, 0, False, False)]}, 7)
    assert summary["first_frame_p99_ms"] is None and summary["frames_per_s"] == 0.0
    assert summary["server_cpu_share"] is None


def test_an_entry_holds_the_mocks_figures_and_the_ratio_to_bare():
    mock = {"first_frame_p50_ms": 1.0, "first_frame_p99_ms": 9.0, "completed": 10, "opened": 10, "frames_per_s": 150.0}
    entry = combine({"mock": mock, "bare": {**mock, "frames_per_s": 200.0}})
    assert entry["ratio_frames_bare"] == 0.75
    assert {k: entry[k] for k in ("first_frame_p99_ms", "completed", "opened")} == {
        "first_frame_p99_ms": 9.0,
        "completed": 10,
        "opened": 10,
    }
    assert entry["bare"]["frames_per_s"] == 200.0
    assert "ratio_frames_bare" not in combine({"mock": mock})


@pytest.mark.parametrize("name", ["python", "a) (b c"])
def test_cpu_seconds_are_user_plus_system_whatever_the_command_name(name):
    ticks = os.sysconf("SC_CLK_TCK")
    stat = f"4242 ({name}) S 1 4242 4242 0 -1 4194304 100 0 0 0 {3 * ticks} {ticks} 0 0 20 0 1 0 5 0 0"
    assert cpu_seconds(stat) == 4.0


def test_cpu_seconds_of_this_process_are_read_from_proc():
    with open(f"/proc/{os.getpid()}/stat") as stat:
        assert cpu_seconds(stat.read()) > 0
