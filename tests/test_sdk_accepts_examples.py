"""The official SDK (projectdavid 1.113.1) accepts every 2xx example of the contract: its own pydantic
models parse each JSON answer it validates, and its stream reader turns each completion stream into
the events a chat UI consumes."""

from __future__ import annotations

import json
import logging

import pytest

from tests.contract_document import operations, response_examples
from tests.response_models import SDK_RESPONSE_MODEL, sdk_adapter
from tests.test_stream_examples import completion_frames

OPERATIONS = operations()


def test_every_operation_says_how_the_sdk_reads_its_answer():
    assert {op.id for op in OPERATIONS} == set(SDK_RESPONSE_MODEL)


SDK_EXAMPLES = [
    example
    for op in OPERATIONS
    if SDK_RESPONSE_MODEL[op.id]
    for example in response_examples(op)
    if example.status.startswith("2") and example.media_type == "application/json"
]


def test_every_sdk_validated_operation_has_an_example_to_check():
    checked = {example.operation.id for example in SDK_EXAMPLES}
    assert checked == {op for op, model in SDK_RESPONSE_MODEL.items() if model}


@pytest.mark.parametrize("example", SDK_EXAMPLES, ids=lambda e: e.where)
def test_the_sdk_model_accepts_the_response_example(example):
    adapter = sdk_adapter(SDK_RESPONSE_MODEL[example.operation.id])
    adapter.validate_python(example.value)  # raises what the SDK would raise


@pytest.fixture(scope="module")
def sdk_stream():
    logging.getLogger("projectdavid").setLevel(logging.WARNING)
    from projectdavid.clients.synchronous_inference_wrapper import SynchronousInferenceStream

    return SynchronousInferenceStream(inference=None)


COMPLETION_STREAMS = {
    e.name: e
    for op in OPERATIONS
    if op.id == "createCompletion"
    for e in response_examples(op)
    if e.media_type == "text/event-stream"
}


def sdk_events(stream_reader, stream: str):
    events = []
    for payload in completion_frames(stream):
        if payload == "[DONE]":  # the SDK stops reading here
            break
        event = stream_reader._map_chunk_to_event(json.loads(payload))
        if event is not None:
            events.append(event)
    return events


def test_the_sdk_reads_the_streamed_text_turn_as_content_that_matches_the_buffered_answer(
    sdk_stream,
):
    from projectdavid.events import ContentEvent

    events = sdk_events(sdk_stream, COMPLETION_STREAMS["streamedTurn"].value)
    assert events and all(isinstance(event, ContentEvent) for event in events)
    (buffered,) = [
        e.value
        for op in OPERATIONS
        if op.id == "createCompletion"
        for e in response_examples(op)
        if e.media_type == "application/json" and e.status == "200"
    ]
    assert "".join(event.content for event in events) == buffered["content"]


def test_the_sdk_reads_the_tool_call_turn_as_a_tool_call_request(sdk_stream):
    from projectdavid.events import ToolCallRequestEvent

    events = sdk_events(sdk_stream, COMPLETION_STREAMS["toolCallTurn"].value)
    (request,) = [event for event in events if isinstance(event, ToolCallRequestEvent)]
    assert request.tool_name == "get_weather"
    assert request.args == {"city": "Paris"}
    assert request.action_id.startswith("act_")
