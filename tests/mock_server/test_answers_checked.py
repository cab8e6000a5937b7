"""The mock holds every answer it sends to the contract: JSON bodies, empty bodies, statuses,
error answers, examples and each event of a stream. A broken answer never leaves as a success."""

from __future__ import annotations

import copy

import pytest

from mock_server import Settings, create_app
from mock_server.errors import ApiError
from mock_server.handlers import HANDLERS
from mock_server.reply import Event, event_stream, no_content, ok
from tests.mock_server.conftest import ADMIN_KEY
from tests.mock_server.test_app import NEW_OPERATION, spec_with

HEADERS = {"X-API-Key": ADMIN_KEY}


def app_with(monkeypatch, operation_id: str, handler) -> object:
    monkeypatch.setattr("mock_server.app.HANDLERS", {**HANDLERS, operation_id: handler})
    return create_app(Settings(admin_key=ADMIN_KEY))


def test_a_json_body_that_breaks_the_schema_becomes_a_500_naming_the_operation(monkeypatch):
    async def create_completion(ctx, body):
        return ok({"nonsense": 1})

    client = app_with(monkeypatch, "createCompletion", create_completion).test_client()
    response = client.post("/v1/completions", json={"model": "m", "thread_id": "t", "message_id": "m", "run_id": "r",
                                                    "assistant_id": "a", "stream": False})  # fmt: skip
    assert response.status_code == 500
    assert "createCompletion 200" in response.json()["detail"] and "run_id" in response.json()["detail"]


def test_no_body_where_the_contract_documents_one_is_a_500(monkeypatch):
    async def list_assistants(ctx):
        return no_content(200)

    response = (
        app_with(monkeypatch, "listAssistants", list_assistants).test_client().get("/v1/assistants", headers=HEADERS)
    )
    assert response.status_code == 500
    assert "listAssistants 200: no body" in response.json()["detail"]


def test_an_undocumented_status_is_a_500(monkeypatch):
    async def list_assistants(ctx):
        return ok([], status=202)

    response = (
        app_with(monkeypatch, "listAssistants", list_assistants).test_client().get("/v1/assistants", headers=HEADERS)
    )
    assert (response.status_code, response.json()) == (
        500,
        {"detail": "Mock response does not conform to the contract: listAssistants answered an undocumented 202"},
    )


def test_an_error_answer_is_held_to_the_operations_documented_errors_too(monkeypatch):
    async def list_assistants(ctx):
        raise ApiError(418, "I am a teapot")

    response = (
        app_with(monkeypatch, "listAssistants", list_assistants).test_client().get("/v1/assistants", headers=HEADERS)
    )
    assert response.status_code == 500
    assert "listAssistants answered an undocumented 418" in response.json()["detail"]


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        (Event({"type": "content"}), "a `message` event"),
        (Event({"type": "status", "status": "x"}, event="surprise"), "an undocumented `surprise` event"),
    ],
    ids=["frame-breaks-StreamEvent", "undocumented-event-name"],
)
def test_a_stream_event_that_breaks_the_contract_ends_the_stream_with_an_error_event(monkeypatch, event, problem):
    async def frames():
        yield Event({"type": "status", "status": "started", "run_id": "run_x"})
        yield event
        yield Event({"type": "content", "content": "never sent", "run_id": "run_x"})

    async def create_completion(ctx, body):
        return event_stream(frames(), headers={})

    client = app_with(monkeypatch, "createCompletion", create_completion).test_client()
    body = {"model": "m", "thread_id": "t", "message_id": "m", "run_id": "r", "assistant_id": "a"}
    text = client.post("/v1/completions", json=body).text
    assert text.startswith('data: {"type": "status", "status": "started"')
    assert "never sent" not in text and "[DONE]" not in text
    assert problem in text and '"type": "error"' in text


def streamed(monkeypatch, *events, faults=None) -> str:
    """The text of a completion whose handler streams these events (after the session's faults are set)."""

    async def frames():
        for event in events:
            yield event

    async def create_completion(ctx, body):
        return event_stream(frames(), headers={})

    client = app_with(monkeypatch, "createCompletion", create_completion).test_client()
    if faults is not None:
        assert client.put("/__mock__/faults", json={"faults": faults}, headers=HEADERS).status_code == 200
    body = {"model": "m", "thread_id": "t", "message_id": "m", "run_id": "r", "assistant_id": "a"}
    return client.post("/v1/completions", json=body).text


STARTED = Event({"type": "status", "status": "started", "run_id": "run_x"})
LATE = Event({"type": "content", "content": "too late", "run_id": "run_x"})


def test_an_event_after_the_terminator_ends_the_stream_with_an_error_event_instead(monkeypatch):
    text = streamed(monkeypatch, STARTED, Event("[DONE]"), LATE)
    assert text.startswith('data: {"type": "status"') and "data: [DONE]" in text
    assert "too late" not in text and "an event after the terminator [DONE]" in text


def test_a_stream_a_fault_slows_is_still_checked_frame_by_frame(monkeypatch):
    fault = {"operation": "createCompletion", "stream": {"pause_ms": 1}}
    text = streamed(monkeypatch, STARTED, Event({"type": "content"}), LATE, faults=[fault])
    assert text.startswith('data: {"type": "status"') and "too late" not in text
    assert "a `message` event" in text and '"type": "error"' in text


def test_an_example_answer_is_checked_like_any_other(tmp_path):
    broken = copy.deepcopy(NEW_OPERATION)
    broken["responses"]["200"]["content"]["application/json"]["examples"]["paris"]["value"] = {"city": 75}
    settings = Settings(
        admin_key=ADMIN_KEY, spec_path=spec_with(tmp_path, broken), answer_from_examples=("getWeatherReport",)
    )
    response = create_app(settings).test_client().get("/v1/reports/weather", headers=HEADERS)
    assert response.status_code == 500 and "getWeatherReport 200" in response.json()["detail"]
