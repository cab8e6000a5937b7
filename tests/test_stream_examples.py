"""The SSE examples of openapi.yaml are well-framed streams whose frames are valid StreamEvents."""

from __future__ import annotations

import json

import pytest
from openapi_schema_validator import OAS30ReadValidator

from tests.contract_document import load_spec, operations, response_examples

STREAM_EXAMPLES = [
    example for op in operations() for example in response_examples(op) if example.media_type == "text/event-stream"
]


def completion_frames(stream: str) -> list[str]:
    """Split a completion stream into its `data:` payloads, as the SDK reads it (§1.5)."""
    assert stream.endswith("\n\n"), "a stream ends with a blank line"
    frames = [block for block in stream.split("\n\n") if block]
    for frame in frames:
        assert frame.startswith("data: "), f"completion frames are data-only: {frame!r}"
        assert "\n" not in frame, f"one data line per frame: {frame!r}"
    return [frame.removeprefix("data: ") for frame in frames]


def test_the_contract_has_stream_examples_for_completions_and_run_events():
    ops = {example.operation.id for example in STREAM_EXAMPLES}
    assert ops == {"createCompletion", "streamRunEvents"}


@pytest.mark.parametrize(
    "example",
    [e for e in STREAM_EXAMPLES if e.operation.id == "createCompletion"],
    ids=lambda e: e.name,
)
def test_completion_stream_examples_are_stream_events_ending_with_done(example):
    payloads = completion_frames(example.value)
    assert payloads[-1] == "[DONE]"
    spec = load_spec()
    schema = {"components": spec["components"], "$ref": "#/components/schemas/StreamEvent"}
    validator = OAS30ReadValidator(schema)
    events = [json.loads(payload) for payload in payloads[:-1]]
    for event in events:
        assert list(validator.iter_errors(event)) == [], f"not a StreamEvent: {event}"
    assert events[0] == {"type": "status", "status": "started", "run_id": events[0]["run_id"]}


def test_run_event_stream_example_carries_one_action_required_event_per_pending_action():
    (example,) = [e for e in STREAM_EXAMPLES if e.operation.id == "streamRunEvents"]
    spec = load_spec()
    schema = {"components": spec["components"], "$ref": "#/components/schemas/PendingAction"}
    validator = OAS30ReadValidator(schema)
    blocks = [block.split("\n") for block in example.value.replace("\r\n", "\n").split("\n\n")]
    # Lines starting with ":" are comments (pings); a block of only comments is no event.
    events = [[line for line in block if line and not line.startswith(":")] for block in blocks]
    events = [lines for lines in events if lines]
    assert events
    for lines in events:
        fields = dict(line.split(": ", 1) for line in lines)
        assert fields["event"] == "action_required"
        assert list(validator.iter_errors(json.loads(fields["data"]))) == []
