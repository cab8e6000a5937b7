"""The bench's memory-against-Redis comparison: the ratios the issue names, computed from the
medians of the rounds, and the table that shows them."""

from __future__ import annotations

from bench.report import store_table
from bench.run import REDIS_MOCKS, start_servers, summarize
from bench.servers import Server
from bench.wrk import WrkResult


def result(rps: float) -> WrkResult:
    return WrkResult(requests=int(rps * 5), seconds=5.0, rps=rps, p50_ms=1.0, p75_ms=2.0, p90_ms=3.0, p99_ms=4.0)


def test_each_scenario_gains_redis_against_memory_and_two_workers_against_one():
    rounds = {
        "mock": [result(8000), result(7000), result(9000)],
        "redis": [result(4000), result(3000), result(5000)],
        "redis2": [result(6000), result(5000), result(7000)],
    }
    summary = summarize(rounds)
    assert summary["ratio_redis_memory"] == 0.5  # medians: 4,000 / 8,000
    assert summary["ratio_redis2_redis1"] == 1.5  # 6,000 / 4,000


def test_without_the_redis_mocks_no_store_ratio_is_written():
    summary = summarize({"mock": [result(8000)], "bare": [result(10000)]})
    assert "ratio_redis_memory" not in summary and "ratio_redis2_redis1" not in summary


def test_the_redis_mocks_run_on_their_own_databases_of_one_redis_server_with_one_and_two_workers():
    store = Server("redis-server", ["redis-server"], 6390)
    made = start_servers(["mock", "redis", "redis2"], store)
    for name, (database, workers) in REDIS_MOCKS.items():
        command = made[name].command
        assert command[command.index("--store") + 1] == f"redis://127.0.0.1:6390/{database}"
        assert command[command.index("--workers") + 1] == str(workers)
    assert "--store" not in made["mock"].command
    assert REDIS_MOCKS["redis"][0] != REDIS_MOCKS["redis2"][0]


def test_the_store_table_shows_both_ratios():
    scenario = {"mock_rps": 8000.0, "redis_rps": 4000.0, "redis2_rps": 6000.0}
    scenario |= {"ratio_redis_memory": 0.5, "ratio_redis2_redis1": 1.5}
    row = store_table({"list_messages": scenario}).splitlines()[2]
    assert row.split()[:4] == ["list_messages", "8,000", "4,000", "6,000"]
    assert row.split()[-2:] == ["0.50", "1.50"]
