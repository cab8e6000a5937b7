"""bench/report.py: the throughput table has a column per peer and a ratio to each; the streams
table shows the mock's streams beside the bare endpoint's, and a dash for what was not measured."""

from __future__ import annotations

from bench.report import streams_table, throughput_table


def test_the_throughput_table_has_mockoon_beside_prism():
    scenario = {"mock_rps": 5000.0, "prism_rps": 1000.0, "mockoon_rps": 800.0, "bare_rps": 9000.0}
    scenario |= {"ratio_mock_prism": 5.0, "ratio_mock_mockoon": 6.25, "ratio_mock_bare": 0.556}
    header, _, row = throughput_table({"retrieve_run": scenario}).splitlines()
    assert header.split()[:5] == ["scenario", "mock", "rps", "prism", "rps"]
    assert "mock/mockoon" in header and "mockoon p99" in header
    assert row.split()[:5] == ["retrieve_run", "5,000", "1,000", "800", "9,000"]
    assert row.split()[-3:] == ["5.00", "6.25", "0.56"]


def test_the_streams_table_shows_each_n_and_the_ratio():
    mock = {"completed": 998, "first_frame_p50_ms": 1.5, "first_frame_p99_ms": 80.0, "frames_per_s": 16000.0}
    mock |= {"server_cpu_share": 0.6, "server_cpu_us_per_frame": 30.0, "client_cpu_share": 0.2}
    bare = {**mock, "first_frame_p99_ms": 5.0, "frames_per_s": 16500.0, "server_cpu_share": 0.4}
    text = streams_table({"1000": {"mock": mock, "bare": bare, "ratio_frames_bare": 0.97}})
    row = text.splitlines()[2]
    assert row.split()[:2] == ["1,000", "998/1,000"]
    assert "80.00 ms" in row and "5.00 ms" in row and "0.97" in row and "60%" in row and "40%" in row


def test_a_streams_run_without_the_bare_endpoint_has_dashes():
    mock = {"completed": 100, "first_frame_p50_ms": 1.0, "first_frame_p99_ms": 2.0, "frames_per_s": 1700.0}
    row = streams_table({"100": {"mock": mock}}).splitlines()[2]
    assert row.split()[:2] == ["100", "100/100"] and "- ms" in row
