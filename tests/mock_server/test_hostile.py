"""Nothing a client sends crashes, stalls or bloats the mock, and nothing it leaves behind is
orphaned: one test per class of hostile input (`make fuzz` sends all of them, for longer)."""

from __future__ import annotations

import socket

import pytest

from contract_tests import sdk_bodies
from fuzz import attacks, inputs, world
from mock_server import Settings, create_app
from mock_server.spec import operations
from mock_server.store.memory import run_now
from tests.live_server import serve
from tests.mock_server.conftest import ADMIN_KEY, message_body

SAMPLE = (
    "createMessage",
    "updateThreadMetadata",
    "createAction",
    "updateRunFields",
    "createAssistant",
    "getRun",
    "uploadFile",
    "downloadFile",
    "getFileSignedUrl",
)


@pytest.fixture
def assistant(client, alice) -> str:
    body = {"name": "Alice's", "model": sdk_bodies.MODEL}
    return client.post("/v1/assistants", json=body, headers=alice.headers).json()["id"]


@pytest.fixture
def admin_client(app, session_name):
    with app.test_client(headers={"X-Mock-Session": session_name, "X-API-Key": ADMIN_KEY}) as client:
        yield client


def test_hostile_requests_to_a_sample_of_operations_get_documented_4xx_and_never_a_5xx(app, admin_client):
    document = app.mock.spec
    ops = {op_id: op for op_id, op in operations(document).items() if op_id in SAMPLE}
    ids = world.make(admin_client)
    bodies = world.bodies(ops, document, ids)
    seen = []
    for probe in inputs.probes(ops, ids, bodies):
        response = admin_client.request(probe.method, probe.path, content=probe.body, headers=probe.headers)
        seen.append(probe.kind)
        assert response.status_code < 500, f"{probe.label}: {response.status_code} {response.text[:300]}"
        documented = ops[probe.operation_id].responses
        assert str(response.status_code) in documented or response.status_code in (404, 405), probe.label
    assert len(seen) > 300


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/threads/{thread}/metadata", b'{"k": "\\ud800"}'),
        ("/v1/threads/{thread}", b'{"meta_data": {"deep": ["\\ud800"]}}'),
        ("/v1/threads/{thread}", b'{"meta_data": {"\\ud800": 1}}'),
    ],
)
def test_a_lone_surrogate_is_refused_at_the_door_and_the_resource_stays_readable(client, alice, thread, path, body):
    headers = {**alice.headers, "Content-Type": "application/json"}
    response = client.put(path.format(thread=thread["id"]), content=body, headers=headers)
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "string_unicode"
    assert client.get(f"/v1/threads/{thread['id']}", headers=alice.headers).status_code == 200


def test_three_hundred_levels_of_nesting_are_stored_and_read_back_as_sent(client, alice, thread):
    deep: object = "bottom"
    for _ in range(300):
        deep = [deep]
    response = client.put(f"/v1/threads/{thread['id']}/metadata", json={"deep": deep}, headers=alice.headers)
    assert response.status_code == 200
    assert client.get(f"/v1/threads/{thread['id']}", headers=alice.headers).json()["meta_data"] == {"deep": deep}


def test_session_names_that_fail_authentication_make_no_session_and_valid_ones_stay_under_the_cap():
    app = create_app(Settings(admin_key=ADMIN_KEY, max_sessions=5))
    client = app.test_client()
    for n in range(50):
        client.get(
            "/v1/auth/validate-key", headers={"X-API-Key": "ea_NotAKey00000000000000000", "X-Mock-Session": f"x{n}"}
        )
    assert len(app.mock.sessions) == 0
    for n in range(50):
        client.get("/v1/auth/validate-key", headers={"X-API-Key": ADMIN_KEY, "X-Mock-Session": f"y{n}"})
    assert len(app.mock.sessions) == 5


def test_a_session_name_past_its_limit_is_a_422_on_the_header(client, admin):
    response = client.get("/v1/assistants", headers={**admin.headers, "X-Mock-Session": "s" * 129})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "X-Mock-Session"]


def test_a_body_over_the_limit_is_a_413_before_a_byte_of_it_is_read():
    with serve(create_app(Settings(admin_key=ADMIN_KEY, max_body_bytes=1000))) as url:
        port = int(url.rsplit(":", 1)[1])
        assert attacks.declared_body("127.0.0.1", port, "/v1/threads", ADMIN_KEY, 10**10, 0) == 413


@pytest.fixture(scope="module")
def guarded():
    """A live mock with a short head timeout, for the protocol-level limits."""
    settings = Settings(admin_key=ADMIN_KEY, header_timeout=1.0, max_header_bytes=8192)
    app = create_app(settings)
    with serve(app, settings) as url:
        yield int(url.rsplit(":", 1)[1])


def test_a_head_over_the_limit_is_a_431(guarded):
    assert attacks.big_header("127.0.0.1", guarded, 100_000) == 431


def test_a_head_sent_a_byte_at_a_time_is_a_408_once_its_time_is_up(guarded):
    status, seconds = attacks.slow_head("127.0.0.1", guarded, interval=0.2, give_up=8)
    assert status == 408 and seconds < 6


def test_an_idle_connection_is_closed_and_the_mock_serves_meanwhile(guarded):
    def serves() -> bool:
        with socket.create_connection(("127.0.0.1", guarded), timeout=5) as sock:
            sock.sendall(f"GET /v1/auth/validate-key HTTP/1.1\r\nHost: x\r\nX-API-Key: {ADMIN_KEY}\r\n\r\n".encode())
            return attacks.status_of(sock) == 200

    still_serving, closed = attacks.idle_sockets("127.0.0.1", guarded, 20, hold=2.5, check=serves)
    assert still_serving and closed == 20


def test_a_turn_that_breaks_ends_its_run_failed_and_its_stream_with_an_error(
    client, alice, thread, assistant, monkeypatch
):
    message = client.post(
        "/v1/messages", json=message_body(thread["id"], "Hello", assistant_id=assistant), headers=alice.headers
    ).json()
    run = client.post("/v1/runs", json=sdk_bodies.run_body(assistant, thread["id"]), headers=alice.headers).json()

    async def broken_add(self, row):
        raise RuntimeError("the store broke")

    monkeypatch.setattr("mock_server.store.repositories.Messages.add", broken_add)
    body = {"model": sdk_bodies.MODEL, "api_key": "k", "thread_id": thread["id"], "message_id": message["id"],
            "run_id": run["id"], "assistant_id": assistant}  # fmt: skip
    text = client.post("/v1/completions", json=body).text
    assert '"type": "error"' in text and "RuntimeError" in text and "[DONE]" not in text
    after = client.get(f"/v1/runs/{run['id']}", headers=alice.headers).json()
    assert after["status"] == "failed" and after["last_error"] == "The turn failed: RuntimeError"


def test_a_participant_cannot_write_into_the_owners_thread_through_a_run(client, alice, bob):
    thread = client.post("/v1/threads", json={"participant_ids": [bob.id]}, headers=alice.headers).json()
    own = client.post("/v1/assistants", json={"name": "B", "model": "m"}, headers=bob.headers).json()
    response = client.post("/v1/runs", json=sdk_bodies.run_body(own["id"], thread["id"]), headers=bob.headers)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "You do not have permission to access this thread."},
    )


def test_a_deleted_thread_takes_its_runs_and_actions_and_leaves_no_completion_to_run(client, alice, thread, assistant):
    message = client.post(
        "/v1/messages", json=message_body(thread["id"], "Hello", assistant_id=assistant), headers=alice.headers
    ).json()
    run = client.post("/v1/runs", json=sdk_bodies.run_body(assistant, thread["id"]), headers=alice.headers).json()
    action = client.post("/v1/actions", json={"run_id": run["id"], "tool_name": "t"}, headers=alice.headers).json()
    assert client.delete(f"/v1/threads/{thread['id']}", headers=alice.headers).status_code == 200
    assert client.get(f"/v1/runs/{run['id']}", headers=alice.headers).status_code == 404
    assert client.get(f"/v1/actions/{action['id']}", headers=alice.headers).status_code == 404
    assert client.get(f"/v1/messages/{message['id']}", headers=alice.headers).status_code == 404
    assert client.get("/v1/runs", headers=alice.headers).json()["data"] == []
    body = {"model": sdk_bodies.MODEL, "api_key": "k", "thread_id": thread["id"], "message_id": message["id"],
            "run_id": run["id"], "assistant_id": assistant}  # fmt: skip
    assert client.post("/v1/completions", json=body).status_code == 404


def test_a_run_left_queued_past_its_hour_reads_expired_and_its_events_stream_ends(
    app, client, alice, thread, assistant, session_name
):
    run = client.post("/v1/runs", json=sdk_bodies.run_body(assistant, thread["id"]), headers=alice.headers).json()
    run_now(app.mock.sessions.get(session_name)).clock.advance(3601)
    assert client.get(f"/v1/runs/{run['id']}", headers=alice.headers).json()["status"] == "expired"
    events = client.get(f"/v1/runs/{run['id']}/events", headers=alice.headers)
    assert events.status_code == 200 and events.text == ""


def test_a_very_large_reply_is_checked_and_written_off_the_event_loop(client, alice, thread, assistant, monkeypatch):
    offloaded = []
    import anyio.to_thread

    original = anyio.to_thread.run_sync

    async def recording(function, *args, **kwargs):
        offloaded.append(function)
        return await original(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", recording)
    monkeypatch.setattr("mock_server.pipeline.LARGE_REPLY_ITEMS", 5)
    for n in range(6):
        client.post("/v1/messages", json=message_body(thread["id"], f"m{n}"), headers=alice.headers)
    history = client.get(f"/v1/threads/{thread['id']}/formatted_messages", headers=alice.headers)
    assert history.status_code == 200 and len(history.json()) == 6
    assert any(getattr(f, "__name__", "") == "_checked" for f in offloaded)


def test_a_422_echoes_at_most_a_kilobyte_of_a_huge_input(client, admin):
    body = {"content": "x", **{f"k{i}": "v" * 100 for i in range(20_000)}}  # 2 MB; no thread_id
    response = client.post("/v1/messages", json=body, headers=admin.headers)
    assert response.status_code == 422 and len(response.content) < 4096
