"""The Redis store's scripts run on a real redis-server, each answering what its callers read:
the session refresh (SYNC) and a write's guard (WRITE)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis

from mock_server.store.redis_scripts import SYNC, WRITE


@pytest.fixture
def client(redis_server) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url.rsplit("/", 1)[0] + "/4")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_sync_answers_generation_version_clock_lease_and_counters_in_order(client):
    client.hset("meta", mapping={"gen": 3, "ready": 3, "version": 2, "clock": 50, "cached:a": 7})
    sync = client.register_script(SYNC)
    gen, ready, version, clock, leased, counters = sync(keys=["meta"], args=[40, 512, "cached:a", "cached:b"])
    assert (gen, ready, version, clock, leased) == (b"3", b"3", b"2", 50, 512)
    assert counters == [b"7", None]  # a counter never moved is absent, not zero
    assert int(client.hget("meta", "clock")) == 50  # an older reading leaves the shared clock alone


def test_sync_moves_the_shared_clock_forward_only_and_leases_after_what_was_leased(client):
    sync = client.register_script(SYNC)
    client.hset("meta", "ids", 512)
    *_, clock, leased, _ = sync(keys=["meta"], args=[90, 512])
    assert (clock, leased, int(client.hget("meta", "clock"))) == (90, 1024, 90)
    gen, ready, version, clock, leased, counters = sync(keys=["meta"], args=[0, 0])
    assert (gen, ready, version, clock, leased, counters) == (None, None, None, 0, 0, [])  # unseeded: no clock


def test_a_guarded_write_is_applied_only_while_the_session_is_as_its_copy_has_it(client):
    write = client.register_script(WRITE)
    client.hset("meta", mapping={"gen": 4, "ready": 4, "cached:threads": 9})
    op = {"k": "row:m1", "s": "seqs", "q": "seq", "id": "m1", "old": False, "new": '{"id":"m1"}', "rm": [], "add": []}
    guard = {"m": "meta", "f": ["gen", "ready", "version", "cached:threads"], "v": [4, 4, 0, 8]}
    assert write(args=[json.dumps([op]), json.dumps(guard)]) == [0, -1]  # the thread table moved: nothing written
    assert client.get("row:m1") is None and client.get("seq") is None
    guard["v"][3] = 9
    assert write(args=[json.dumps([op]), json.dumps(guard)]) == [1, 0]
    assert client.get("row:m1") == b'{"id":"m1"}'
