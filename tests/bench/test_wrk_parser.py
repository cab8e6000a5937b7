"""bench/wrk.py: wrk's report (captured from a real run) parses into numbers in milliseconds, and a
run whose answers were not all 2xx is not ok."""

from __future__ import annotations

import pytest

from bench import wrk

# `wrk -t2 -c16 -d1s --latency` against a path that answers 404, as wrk 4.1.0 printed it.
NOT_FOUND_RUN = """\
Running 1s test @ http://127.0.0.1:47123/v1/runs/run_NoSuchRun0000000000000000
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   691.75us  419.47us  13.58ms   90.75%
    Req/Sec    11.95k     1.48k   13.40k    90.91%
  Latency Distribution
     50%  608.00us
     75%  637.00us
     90%    1.01ms
     99%    1.43ms
  26144 requests in 1.10s, 3.94MB read
  Non-2xx or 3xx responses: 26144
Requests/sec:  23769.61
Transfer/sec:      3.58MB
"""

# A slow, clean run with socket errors, in wrk's formats for seconds and minutes.
SLOW_RUN = """\
Running 1m test @ http://127.0.0.1:9000/v1/messages
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20s   300.00ms   2.00s    70.00%
    Req/Sec     6.00      2.00    10.00     80.00%
  Latency Distribution
     50%    1.10s
     75%    1.30s
     90%    1.80s
     99%    2.00s
  720 requests in 1.00m, 300.00KB read
  Socket errors: connect 0, read 2, write 0, timeout 5
Requests/sec:     11.99
Transfer/sec:      5.00KB
"""


def test_parses_throughput_percentiles_and_non_2xx():
    result = wrk.parse(NOT_FOUND_RUN)
    assert result.requests == 26144
    assert result.seconds == pytest.approx(1.10)
    assert result.rps == pytest.approx(23769.61)
    assert result.p50_ms == pytest.approx(0.608)
    assert result.p75_ms == pytest.approx(0.637)
    assert result.p90_ms == pytest.approx(1.01)
    assert result.p99_ms == pytest.approx(1.43)
    assert result.non_2xx == 26144
    assert result.socket_errors == 0
    assert not result.ok


def test_converts_seconds_and_minutes_and_counts_socket_errors():
    result = wrk.parse(SLOW_RUN)
    assert result.seconds == pytest.approx(60.0)
    assert result.p50_ms == pytest.approx(1100.0)
    assert result.p99_ms == pytest.approx(2000.0)
    assert result.non_2xx == 0
    assert result.socket_errors == 7
    assert result.socket_error_kinds == {"connect": 0, "read": 2, "write": 0, "timeout": 5}
    assert not result.ok


def test_a_clean_run_is_ok():
    clean = NOT_FOUND_RUN.replace("  Non-2xx or 3xx responses: 26144\n", "")
    result = wrk.parse(clean)
    assert result.non_2xx == 0 and result.ok


def test_output_missing_a_percentile_or_the_totals_is_refused():
    with pytest.raises(wrk.WrkError):
        wrk.parse(NOT_FOUND_RUN.replace("     99%    1.43ms\n", ""))
    with pytest.raises(wrk.WrkError):
        wrk.parse("unable to connect to 127.0.0.1:47123 Connection refused")


def test_the_lua_script_sends_method_headers_and_json_body():
    script = wrk.lua_script("POST", {"X-API-Key": "ad_key"}, {"content": "a ]] b", "n": None})
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["X-API-Key"] = "ad_key"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    # The body contains "]]": the long string must use a level that it does not close.
    assert 'wrk.body = [=[{"content":"a ]] b","n":null}]=]' in script
