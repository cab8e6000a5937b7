"""The SSE examples of openapi.yaml are well-framed streams whose events carry the JSON their media
type's `x-sse-events` names, and StreamEvent describes every frame type of the completion stream."""

from __future__ import annotations

import json

import pytest
from openapi_schema_validator import OAS30ReadValidator

from tests.contract_document import load_spec, operations, resolve, response_examples

STREAM_EXAMPLES = [
    example for op in operations() for example in response_examples(op) if example.media_type == "text/event-stream"
]
STREAM_MEDIA = {
    op.id: media
    for op in operations()
    for response in op.success_responses().values()
    for media_type, media in response.get("content", {}).items()
    if media_type == "text/event-stream"
}


def completion_frames(stream: str) -> list[str]:
    """Split a completion stream into its `data:` payloads, as the SDK reads it (§1.5)."""
    assert stream.endswith("\n\n"), "a stream ends with a blank line"
    frames = [block for block in stream.split("\n\n") if block]
    for frame in frames:
        assert frame.startswith("data: "), f"completion frames are data-only: {frame!r}"
        assert "\n" not in frame, f"one data line per frame: {frame!r}"
    return [frame.removeprefix("data: ") for frame in frames]


def event_validator(op_id: str, event_name: str) -> OAS30ReadValidator:
    """A validator for the JSON in the `data` of an event, by the schema `x-sse-events` names."""
    schema = STREAM_MEDIA[op_id]["x-sse-events"][event_name]
    return OAS30ReadValidator({"components": load_spec()["components"], **schema})


def test_the_contract_has_stream_examples_for_completions_and_run_events():
    ops = {example.operation.id for example in STREAM_EXAMPLES}
    assert ops == {"createCompletion", "streamRunEvents"}


def test_every_event_stream_names_the_schema_of_its_events_data_with_x_sse_events():
    assert set(STREAM_MEDIA) == {"createCompletion", "streamRunEvents"}
    for media in STREAM_MEDIA.values():
        assert "x-event-schema" not in media
        assert media["x-sse-events"]
        for schema in media["x-sse-events"].values():
            assert set(schema) == {"$ref"} and resolve(schema)
    completions = STREAM_MEDIA["createCompletion"]
    assert completions["x-sse-events"] == {"message": {"$ref": "#/components/schemas/StreamEvent"}}
    assert completions["x-sse-terminator"] == "[DONE]"
    run_events = STREAM_MEDIA["streamRunEvents"]
    assert run_events["x-sse-events"] == {
        "action_required": {"$ref": "#/components/schemas/PendingAction"},
        "error": {"$ref": "#/components/schemas/RunEventError"},
    }
    assert "x-sse-terminator" not in run_events
    description = load_spec()["info"]["description"]
    assert "`x-sse-events`" in description and "`x-sse-terminator`" in description


COMPLETION_STREAMS = {e.name: e for e in STREAM_EXAMPLES if e.operation.id == "createCompletion"}


def completion_events(name: str) -> tuple[list[dict], bool]:
    """The JSON events of a completion stream example, and whether it ended with the terminator."""
    payloads = completion_frames(COMPLETION_STREAMS[name].value)
    terminated = payloads[-1] == STREAM_MEDIA["createCompletion"]["x-sse-terminator"]
    events = [json.loads(payload) for payload in (payloads[:-1] if terminated else payloads)]
    return events, terminated


@pytest.mark.parametrize("name", sorted(COMPLETION_STREAMS))
def test_completion_stream_examples_are_stream_events_and_only_the_routers_error_has_no_done(name):
    events, terminated = completion_events(name)
    validator = event_validator("createCompletion", "message")  # data-only frames: the `message` event
    for event in events:
        assert list(validator.iter_errors(event)) == [], f"not a StreamEvent: {event}"
    assert all(event["type"] != "error" for event in events[:-1]), "an error frame ends the turn"
    routers_error = events[-1]["type"] == "error" and "message" in events[-1]
    assert terminated != routers_error, "[DONE] follows every frame but the router's own error"
    if events[0]["type"] != "error":
        assert events[0] == {"type": "status", "status": "started", "run_id": events[0]["run_id"]}


def _shape(events: list[dict]) -> list[str]:
    """The frame types of a turn, with status frames spelled out and content runs folded."""
    shape = [f"status:{e['status']}" if e["type"] == "status" else e["type"] for e in events]
    return [kind for i, kind in enumerate(shape) if not (kind == "content" and shape[i - 1 : i] == ["content"])]


def test_the_text_turn_example_is_started_content_processing_complete_done():
    events, terminated = completion_events("streamedTurn")
    assert terminated
    assert _shape(events) == ["status:started", "content", "status:processing", "status:complete"]


def test_the_tool_turn_example_sends_the_models_call_before_processing_and_the_manifest_and_no_complete():
    events, terminated = completion_events("toolCallTurn")
    assert terminated
    shape = [kind for kind in _shape(events) if kind != "content"]
    assert shape == ["status:started", "tool_call", "status:processing", "tool_call_manifest"]
    (call,) = [e for e in events if e["type"] == "tool_call"]
    (manifest,) = [e for e in events if e["type"] == "tool_call_manifest"]
    assert call["content"]["name"] == manifest["tool"]
    assert json.loads(call["content"]["arguments"]) == manifest["args"]


def test_a_missing_provider_key_is_an_error_in_content_followed_by_done():
    events, terminated = completion_events("missingApiKey")
    assert terminated and events == [{"type": "error", "content": "Missing API key."}]


STREAM_EVENT = load_spec()["components"]["schemas"]["StreamEvent"]


def test_stream_event_maps_every_frame_type_to_its_schema():
    mapping = STREAM_EVENT["discriminator"]["mapping"]
    assert [ref["$ref"] for ref in STREAM_EVENT["oneOf"]] == list(mapping.values())
    for frame_type, ref in mapping.items():
        assert resolve({"$ref": ref})["properties"]["type"]["enum"] == [frame_type]
    expected = {"status", "content", "reasoning", "decision", "plan", "tool_call", "tool_call_manifest", "error"}
    assert set(mapping) == expected
    assert mapping["tool_call"] == "#/components/schemas/ToolCallEvent"


def test_a_tool_call_frame_carries_the_name_and_arguments_of_any_json_shape():
    validator = event_validator("createCompletion", "message")
    for arguments in ['{"city": "Paris"}', "", ["Paris"], 3]:
        frame = {"type": "tool_call", "content": {"name": "get_weather", "arguments": arguments}, "run_id": "run_1"}
        assert validator.is_valid(frame), arguments
    assert not validator.is_valid({"type": "tool_call", "content": {"name": "get_weather"}})


def test_an_error_frame_may_carry_its_text_in_content_message_or_error_and_no_run_id():
    validator = event_validator("createCompletion", "message")
    for key in ("content", "message", "error"):
        assert validator.is_valid({"type": "error", key: "Missing API key."})


RUN_EVENTS = [e for e in STREAM_EXAMPLES if e.operation.id == "streamRunEvents"]


def run_events(stream: str) -> list[dict[str, str]]:
    blocks = [block.split("\n") for block in stream.replace("\r\n", "\n").split("\n\n")]
    # Lines starting with ":" are comments (pings); a block of only comments is no event.
    events = [[line for line in block if line and not line.startswith(":")] for block in blocks]
    return [dict(line.split(": ", 1) for line in lines) for lines in events if lines]


@pytest.mark.parametrize("example", RUN_EVENTS, ids=lambda e: e.name)
def test_run_event_stream_examples_are_named_events_whose_data_is_the_schema_x_sse_events_names(example):
    events = run_events(example.value)
    assert events
    for fields in events:
        assert set(fields) == {"event", "data"}, "every run event is named"
        errors = event_validator("streamRunEvents", fields["event"]).iter_errors(json.loads(fields["data"]))
        assert list(errors) == []


def test_the_run_event_examples_show_a_pending_action_and_the_error_event():
    names = {fields["event"] for example in RUN_EVENTS for fields in run_events(example.value)}
    assert names == {"action_required", "error"}
