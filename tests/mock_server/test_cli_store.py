"""`--store` and `--workers`: a Redis that is down, a store that is no store and workers without a
shared store are refused in one line with exit code 2; `--workers 2` serves one port from two
processes sharing the store, and stops them both."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis

from mock_server.store.protocol import StoreUnavailable
from mock_server.store.redis_startup import check_version
from tests.mock_server.test_cli import refused, run_cli
from tests.redis_server import free_port
from tests.replicas import ADMIN_KEY, BANNER, ROOT


def test_a_mock_whose_redis_is_down_says_so_and_exits_2():
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    line = refused(run_cli("--store", url, "--port", "0"))
    assert url.removeprefix("redis://") in line and "start Redis first" in line


def test_a_redis_database_laid_out_by_another_version_of_the_mock_is_refused_not_read(redis_server):
    url = redis_server.url.rsplit("/", 1)[0] + "/5"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
        client.sadd("entities-mock:sessions", "default")  # what a mock of layout 1 (no layout key) left
        line = refused(run_cli("--store", url, "--port", "0"))
        assert "layout 1, this mock reads layout 2" in line and "FLUSHDB" in line
        client.set("entities-mock:layout", "3")  # or a later one
        assert "layout 3, this mock reads layout 2" in refused(run_cli("--store", url, "--port", "0"))
    finally:
        client.flushdb()
        client.close()


def test_a_store_that_is_neither_memory_nor_a_redis_url_is_refused():
    line = refused(run_cli(env={"MOCK_STORE": "postgres://db"}))
    assert "MOCK_STORE='postgres://db' is not a store" in line


def test_workers_without_a_shared_store_are_refused_naming_the_fix():
    line = refused(run_cli("--workers", "2", "--port", "0"))
    assert "--workers 2 needs a shared store" in line and "--store redis://" in line


def test_a_state_file_with_a_redis_store_is_refused_naming_both(tmp_path):
    line = refused(run_cli("--store", "redis://127.0.0.1:1/0", "--state-file", str(tmp_path / "s.json")))
    assert "--state-file saves the memory store" in line and "Redis" in line
    assert not (tmp_path / "s.json").exists()


def test_two_workers_serve_one_port_and_share_one_store(redis_server):
    command = [sys.executable, "-m", "mock_server", "--store", redis_server.url, "--workers", "2"]
    command += ["--port", "0", "--admin-key", ADMIN_KEY]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = next(found.group(1) for line in process.stdout if (found := BANNER.search(line)))
        workers = _children(process.pid)
        assert len(workers) == 2
        headers = {"X-API-Key": ADMIN_KEY, "X-Mock-Session": "workers"}
        deadline = time.monotonic() + 15
        while True:
            try:
                thread = httpx.post(f"{url}/v1/threads", json={}, headers=headers).json()
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        # Each request on a new connection, so the kernel hands them to either worker.
        assert {httpx.get(f"{url}/v1/threads/{thread['id']}", headers=headers).status_code for _ in range(20)} == {200}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in workers)


def _children(pid: int) -> list[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if len(found) >= 2:
            return found
        time.sleep(0.05)
    return found


def _zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


class _RedisAnswering:
    def __init__(self, version: str) -> None:
        self.version = version

    def info(self, section: str) -> dict[str, str]:
        return {"redis_version": self.version}


def test_a_redis_older_than_7_is_refused_naming_the_version_needed():
    check_version(_RedisAnswering("7.0.15"), "redis://h:1/0")
    check_version(_RedisAnswering("7.2.4"), "redis://h:1/0")
    with pytest.raises(StoreUnavailable, match=r"runs Redis 6\.2\.14; the mock needs Redis 7\.0 or later"):
        check_version(_RedisAnswering("6.2.14"), "redis://h:1/0")
