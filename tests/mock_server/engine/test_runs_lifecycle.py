"""The run state machine through the API: every transition a run can take, and the illegal ones."""

from __future__ import annotations

import pytest

from contract_tests import sdk_bodies
from mock_server import Settings, create_app
from tests.mock_server.conftest import ADMIN_KEY, message_body

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}
RULES = [
    {"match": "explode", "error": "Upstream model error"},
    {"match": "ponder", "reasoning": "Let me think.", "reply": "Done."},
]


@pytest.fixture
def app(tmp_path):
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("rules:\n" + "".join(f"  - {rule}\n" for rule in RULES))
    return create_app(Settings(admin_key=ADMIN_KEY, seed=11, fixtures=fixtures))


@pytest.fixture
def start(client, alice):
    """Thread + user message + run for a question; returns (run, completion body)."""
    assistant = client.post(
        "/v1/assistants", json={"name": "W", "model": "m", "tools": [TOOL]}, headers=alice.headers
    ).json()

    def start(question: str):
        thread = client.post("/v1/threads", json={}, headers=alice.headers).json()
        body = message_body(thread["id"], question, assistant_id=assistant["id"])
        message = client.post("/v1/messages", json=body, headers=alice.headers).json()
        run = client.post(
            "/v1/runs", json=sdk_bodies.run_body(assistant["id"], thread["id"]), headers=alice.headers
        ).json()
        completion = {
            "model": sdk_bodies.MODEL,
            "api_key": "provider-key",
            "thread_id": thread["id"],
            "message_id": message["id"],
            "run_id": run["id"],
            "assistant_id": assistant["id"],
        }
        return run, completion

    return start


@pytest.fixture
def run_of(client, alice):
    return lambda run: client.get(f"/v1/runs/{run['id']}", headers=alice.headers).json()


def events(response) -> list:
    import json

    frames = [f.removeprefix("data: ") for f in response.text.split("\n\n") if f]
    return [f if f == "[DONE]" else json.loads(f) for f in frames]


def test_queued_to_completed_stamps_start_completion_and_usage(client, start, run_of):
    run, body = start("Tell me about tides")
    assert run["status"] == "queued" and run["started_at"] is None
    client.post("/v1/completions", json=body)
    done = run_of(run)
    assert done["status"] == "completed" and done["started_at"] and done["completed_at"]
    assert done["usage"]["completion_tokens"] > 0 and done["usage"]["total_tokens"] == sum(
        done["usage"][k] for k in ("prompt_tokens", "completion_tokens")
    )


def test_a_tool_call_moves_the_run_to_action_required_then_the_next_turn_completes_it(client, alice, start, run_of):
    run, body = start("Call get_weather for Oslo")
    stream = events(client.post("/v1/completions", json=body))
    manifest = stream[-2]
    assert manifest["type"] == "tool_call_manifest" and manifest["args"] == {"city": "Oslo"} and stream[-1] == "[DONE]"
    assert run_of(run)["status"] == "action_required"
    tool_output = message_body(
        body["thread_id"],
        '{"temp": 3}',
        role="tool",
        tool_id=manifest["action_id"],
        tool_call_id=manifest["tool_call_id"],
    )
    client.post("/v1/messages/tools", json={**tool_output, "assistant_id": body["assistant_id"]}, headers=alice.headers)
    client.put(f"/v1/actions/{manifest['action_id']}", json={"status": "completed"}, headers=alice.headers)
    final = events(client.post("/v1/completions", json=body))
    assert final[-2] == {"type": "status", "status": "complete", "run_id": run["id"]}
    assert run_of(run)["status"] == "completed"


def test_an_error_rule_fails_the_run_with_a_workers_error_frame_then_done(client, start, run_of):
    run, body = start("please explode")
    response = client.post("/v1/completions", json=body)
    assert response.text.endswith("data: [DONE]\n\n")  # a worker's error, as on the real server
    assert events(response)[-2] == {
        "type": "error",
        "content": "Upstream model error",
        "run_id": run["id"],
        "error": "Upstream model error",
        "message": "Upstream model error",
    }
    failed = run_of(run)
    assert failed["status"] == "failed" and failed["failed_at"] and failed["last_error"] == "Upstream model error"


def test_a_missing_provider_key_fails_the_run_with_a_workers_error_frame_then_done(client, start, run_of):
    run, body = start("hello")
    stream = events(client.post("/v1/completions", json={**body, "api_key": None}))
    assert [e["type"] for e in stream[:-1]] == ["error"] and stream[0]["content"] == "Missing API key."
    assert stream[-1] == "[DONE]" and run_of(run)["status"] == "failed"


def test_an_unsupported_model_ends_the_stream_with_the_routers_error_frame_and_no_done(client, start, run_of):
    run, body = start("hello")
    stream = events(client.post("/v1/completions", json={**body, "model": "hyperbolic/no-such-model"}))
    (frame,) = stream  # the router's own error: nothing follows it, not even [DONE]
    assert frame["type"] == "error" and "content" not in frame
    assert frame["message"] == "Unsupported Hyperbolic model: hyperbolic/no-such-model"
    assert run_of(run)["status"] == "failed"


def test_the_same_error_in_buffered_mode_is_a_502(client, start):
    _, body = start("explode now")
    response = client.post("/v1/completions", json={**body, "stream": False})
    assert (response.status_code, response.json()) == (502, {"detail": "Upstream model error"})


def test_a_reasoning_rule_streams_reasoning_before_content(client, start):
    _, body = start("ponder this")
    kinds = [e["type"] for e in events(client.post("/v1/completions", json=body))[:-1]]
    assert kinds.index("reasoning") < kinds.index("content")


@pytest.mark.parametrize("finish", ["completion", "cancel"])
def test_a_finished_run_refuses_another_turn_with_409(client, alice, start, finish):
    run, body = start("hello")
    if finish == "completion":
        client.post("/v1/completions", json=body)
    else:
        client.post(f"/v1/runs/{run['id']}/cancel", headers=alice.headers)
    response = client.post("/v1/completions", json=body)
    assert response.status_code == 409 and run["id"] in response.json()["detail"]


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_cancelling_a_finished_run_is_a_400(client, alice, admin, start, status):
    run, _ = start("hello")
    client.put(f"/v1/runs/{run['id']}/status", json={"status": status}, headers=admin.headers)
    response = client.post(f"/v1/runs/{run['id']}/cancel", headers=alice.headers)
    assert (response.status_code, response.json()) == (400, {"detail": "Run is already finished"})


@pytest.mark.parametrize("status", ["queued", "action_required", "failed", "expired"])
def test_a_run_that_is_not_finished_can_be_cancelled(client, alice, admin, start, status):
    run, _ = start("hello")
    client.put(f"/v1/runs/{run['id']}/status", json={"status": status}, headers=admin.headers)
    cancelled = client.post(f"/v1/runs/{run['id']}/cancel", headers=alice.headers).json()
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"] is not None


def test_a_turn_after_the_run_expired_marks_it_expired(store, client, start, run_of):
    run, body = start("hello")
    store.runs.update(run["id"], {"expires_at": 0})
    assert client.post("/v1/completions", json=body).status_code == 409
    assert run_of(run)["status"] == "expired"


@pytest.mark.parametrize(
    ("field", "value", "detail", "status"),
    [
        ("run_id", "run_missing", "Run not found", 404),
        ("thread_id", "thread_other", "Thread ID does not match the run.", 403),
        ("assistant_id", "asst_other", "Assistant ID does not match the run.", 403),
    ],
)
def test_completions_trust_only_a_consistent_run(client, start, field, value, detail, status):
    _, body = start("hello")
    response = client.post("/v1/completions", json={**body, field: value})
    assert (response.status_code, response.json()) == (status, {"detail": detail})


def test_the_stream_is_sse_with_data_frames_and_no_buffering_headers(client, start):
    _, body = start("hello")
    response = client.post("/v1/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache" and response.headers["x-accel-buffering"] == "no"
    blocks = response.text.split("\n\n")
    assert blocks[-1] == "" and all(b.startswith("data: ") and "\n" not in b for b in blocks[:-1])
    assert blocks[-2] == "data: [DONE]"


def test_run_events_announce_each_pending_action_then_close(client, alice, start):
    run, body = start("get_weather in Rome")
    client.post("/v1/completions", json=body)
    response = client.get(f"/v1/runs/{run['id']}/events", headers=alice.headers)
    assert response.headers["content-type"].startswith("text/event-stream")
    (block,) = [b for b in response.text.split("\r\n\r\n") if b]
    event, data = block.split("\r\n")
    assert event == "event: action_required" and '"tool_name": "get_weather"' in data
