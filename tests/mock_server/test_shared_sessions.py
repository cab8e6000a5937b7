"""Sessions on the Redis store, seen from two apps on one real Redis (two replicas in one process):
seeded once, ids unique across replicas and deterministic under a seed, the clock and a loaded
state shared, and a session that Redis lost made afresh."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from mock_server import Settings, create_app
from mock_server.store.redis_backend import RedisBackend
from mock_server.store.speculation import StaleCopy
from tests.mock_server.conftest import ADMIN_KEY, message_body


@pytest.fixture(scope="module")
def apps(redis_server):
    return [create_app(Settings(admin_key=ADMIN_KEY, seed=11, store=redis_server.url)) for _ in range(2)]


@pytest.fixture
def clients(apps):
    headers = {"X-API-Key": ADMIN_KEY, "X-Mock-Session": f"shared-{uuid.uuid4().hex}"}
    with apps[0].test_client(headers=headers) as a, apps[1].test_client(headers=headers) as b:
        yield a, b


def test_under_a_seed_a_reset_session_mints_the_same_ids_again(clients):
    a, b = clients
    first = [a.post("/v1/threads", json={}).json()["id"] for _ in range(3)]
    assert b.post("/__mock__/reset").status_code == 200
    again = [a.post("/v1/threads", json={}).json()["id"] for _ in range(3)]
    assert again == first


def test_two_replicas_under_one_seed_never_mint_one_id_twice(clients):
    made = [client.post("/v1/threads", json={}).json()["id"] for _ in range(20) for client in clients]
    assert len(set(made)) == 40


def test_the_clock_moved_on_one_replica_has_moved_on_the_other(clients):
    a, b = clients
    before = b.post("/v1/threads", json={}).json()["created_at"]
    moved = a.post("/__mock__/clock", json={"advance_seconds": 86_400}).json()
    assert moved["offset_seconds"] == 86_400
    assert b.post("/v1/threads", json={}).json()["created_at"] >= before + 86_400


def test_a_state_loaded_on_one_replica_is_what_the_other_serves(clients):
    a, b = clients
    thread = a.post("/v1/threads", json={}).json()
    state = a.get("/__mock__/state").json()
    assert a.post("/__mock__/reset").status_code == 200
    assert b.get(f"/v1/threads/{thread['id']}").status_code == 404
    assert a.put("/__mock__/state", json=state).status_code == 200
    assert b.get(f"/v1/threads/{thread['id']}").json()["id"] == thread["id"]


def test_a_session_two_replicas_open_at_once_is_seeded_once(apps):
    name = f"race-{uuid.uuid4().hex}"

    async def open_both() -> list[int]:
        sessions = await asyncio.gather(*(app.mock.sessions.get(name) for app in apps))
        return [await session.store.users.count() for session in sessions] + [s.generation for s in sessions]

    users_a, users_b, gen_a, gen_b = asyncio.run(open_both())
    assert users_a == users_b == len(apps[0].mock.seed.tables["users"]) and gen_a == gen_b


def test_a_session_redis_lost_is_seeded_afresh_at_its_next_request(clients, redis_server):
    a, b = clients
    thread = a.post("/v1/threads", json={}).json()
    redis_server.flush()  # what a Redis restarted without persistence holds
    assert b.get(f"/v1/threads/{thread['id']}").status_code == 404
    assert b.get("/v1/assistants").status_code == 200  # the seed is back: the demo assistant answers
    # The store is marked as this mock's layout again: a replica started now is not refused.
    assert create_app(Settings(admin_key=ADMIN_KEY, seed=11, store=redis_server.url)).mock.sessions.shared


def test_a_message_posted_where_the_copy_holds_a_thread_deleted_elsewhere_is_refused_not_written(clients):
    a, b = clients
    thread = a.post("/v1/threads", json={}).json()["id"]
    assert b.get(f"/v1/threads/{thread}").status_code == 200  # now in B's copy
    assert a.delete(f"/v1/threads/{thread}").status_code == 200
    posted = b.post("/v1/messages", json=message_body(thread))  # B's copy still has the thread
    assert posted.status_code == 404, posted.text
    assert a.get(f"/v1/threads/{thread}/messages").status_code == 404


def _user_with_key(client) -> tuple[str, str]:
    user = client.post("/v1/users", json={"email": f"{uuid.uuid4().hex}@example.com", "full_name": "Cached"}).json()
    key = client.post(f"/v1/users/{user['id']}/apikeys", json={}).json()["plain_key"]
    return user["id"], key


def test_a_key_revoked_on_one_replica_is_refused_by_the_other_that_had_just_accepted_it(clients):
    a, b = clients
    user_id, key = _user_with_key(a)
    assert b.get(f"/v1/users/{user_id}", headers={"X-API-Key": key}).status_code == 200  # b keeps the key now
    assert a.delete(f"/v1/users/{user_id}/apikeys/{key[:8]}").status_code == 204
    refused = b.get(f"/v1/users/{user_id}", headers={"X-API-Key": key})
    assert refused.status_code == 401 and refused.json()["detail"] == "Invalid or inactive API Key."


def test_a_user_deleted_on_one_replica_is_refused_by_the_other_that_had_just_accepted_them(clients):
    a, b = clients
    user_id, key = _user_with_key(a)
    assert b.get(f"/v1/users/{user_id}", headers={"X-API-Key": key}).status_code == 200
    assert a.delete(f"/v1/users/{user_id}").status_code == 200
    assert b.get(f"/v1/users/{user_id}", headers={"X-API-Key": key}).status_code == 401


def test_a_key_revoked_on_a_replica_is_refused_by_that_replica_at_once(clients):
    a, _ = clients
    user_id, key = _user_with_key(a)
    assert a.get(f"/v1/users/{user_id}", headers={"X-API-Key": key}).status_code == 200
    assert a.delete(f"/v1/users/{user_id}/apikeys/{key[:8]}", headers={"X-API-Key": key}).status_code == 204
    assert a.get(f"/v1/users/{user_id}", headers={"X-API-Key": key}).status_code == 401


def test_a_thread_updated_on_one_replica_reads_updated_on_the_other_that_had_just_read_it(clients):
    a, b = clients
    thread = a.post("/v1/threads", json={"meta_data": {"step": "1"}}).json()
    assert b.get(f"/v1/threads/{thread['id']}").json()["meta_data"] == {"step": "1"}
    assert a.put(f"/v1/threads/{thread['id']}", json={"meta_data": {"step": "2"}}).status_code == 200
    assert b.get(f"/v1/threads/{thread['id']}").json()["meta_data"] == {"step": "2"}


def test_a_thread_deleted_on_one_replica_is_gone_on_the_other_that_had_just_read_it(clients):
    a, b = clients
    thread = a.post("/v1/threads", json={}).json()
    assert b.get(f"/v1/threads/{thread['id']}").status_code == 200
    assert a.delete(f"/v1/threads/{thread['id']}").status_code == 200
    assert b.get(f"/v1/threads/{thread['id']}").status_code == 404


def test_a_write_after_a_caught_stale_copy_is_not_made_either(clients, monkeypatch):
    # A turn catches every exception to fail its run (engine/turns.py): were the StaleCopy of a
    # refused write caught so, the next write from that copy must be refused as well.
    a, b = clients
    thread = a.post("/v1/threads", json={}).json()["id"]
    assert b.get(f"/v1/threads/{thread}").status_code == 200  # now in B's copy
    assert a.put(f"/v1/threads/{thread}", json={"meta_data": {"moved": "yes"}}).status_code == 200
    writes: list[str] = []
    original = RedisBackend.write

    async def swallowing(self, ops):
        try:
            return await original(self, ops)
        except StaleCopy:
            writes.append("refused")
            try:
                return await original(self, ops)  # what a handler catching it would write next
            except StaleCopy:
                writes.append("refused again")
                raise

    monkeypatch.setattr(RedisBackend, "write", swallowing)
    posted = b.post("/v1/messages", json=message_body(thread))
    assert posted.status_code == 200 and writes == ["refused", "refused again"]
    assert [m["id"] for m in a.get(f"/v1/threads/{thread}/messages").json()["data"]] == [posted.json()["id"]]
