"""The SDK's streaming and tool-call flows end to end against the mock: streamed content, the
tool-call loop (manifest → local function → tool output → next turn → completed), the buffered
completion, and cancelling mid-stream."""

from __future__ import annotations

import json
import os
import threading

import pytest
from projectdavid.events import ContentEvent, ToolCallRequestEvent

from contract_tests.sdk_bodies import WEATHER_TOOL
from mock_server import Settings, create_app
from tests.live_server import serve
from tests.sdk.conftest import ADMIN_KEY

MODEL = "hyperbolic/deepseek-ai/DeepSeek-V3"


@pytest.fixture(scope="module")
def base_url():
    # Paced like a real model (10 ms a delta), so a cancel can land mid-stream.
    with serve(create_app(Settings(admin_key=ADMIN_KEY, stream_delay=0.01))) as url:
        os.environ["ENTITIES_BASE_URL"] = url
        yield url


@pytest.fixture
def chat(user_sdk):
    """Start a run on a new thread with one user message; returns (sdk, assistant, thread, message, run)."""
    _, sdk = user_sdk

    def start(question: str, tools=(WEATHER_TOOL,)):
        assistant = sdk.assistants.create_assistant(name="Weather", model=MODEL, tools=list(tools) or None)
        thread = sdk.threads.create_thread()
        message = sdk.messages.create_message(thread.id, question, assistant.id)
        run = sdk.runs.create_run(assistant.id, thread.id)
        stream = sdk.synchronous_inference_stream
        stream.setup(
            thread_id=thread.id, assistant_id=assistant.id, message_id=message.id, run_id=run.id, api_key="provider-key"
        )
        return sdk, assistant, thread, run, stream

    return start


def test_the_sdk_streams_a_text_reply_that_is_saved_in_the_thread(chat):
    sdk, _, thread, run, stream = chat("Tell me something about lighthouses", tools=())
    events = list(stream.stream_events(model=MODEL))
    text = "".join(e.content for e in events if isinstance(e, ContentEvent))
    assert len([e for e in events if isinstance(e, ContentEvent)]) > 1, "the reply arrives in deltas"
    assert "lighthouses" in text
    assert sdk.runs.retrieve_run(run.id).status.value == "completed"
    last = sdk.messages.list_messages(thread.id, order="desc", limit=1).data[0]
    assert (last.role, last.content) == ("assistant", text)


def test_the_sdk_tool_call_loop_runs_the_local_function_and_completes_the_run(chat):
    sdk, _, thread, run, stream = chat("What does get_weather say for Paris?")
    calls = []

    def get_weather(tool_name, args):
        calls.append((tool_name, args))
        return {"temperature_c": 18, "conditions": "sunny"}

    texts = []
    for event in stream.stream_events(model=MODEL):
        if isinstance(event, ToolCallRequestEvent):
            assert sdk.runs.retrieve_run(run.id).status.value == "action_required"
            assert event.execute(get_weather) is True
        elif isinstance(event, ContentEvent):
            texts.append(event.content)
    assert calls == [("get_weather", {"city": "Paris"})]
    final = sdk.runs.retrieve_run(run.id)
    assert final.status.value == "completed"
    assert final.actions[0].status == "completed"
    history = sdk.messages.list_messages(thread.id).data
    assert [m.role for m in history] == ["user", "assistant", "tool", "assistant"]
    assert "sunny" in history[-1].content and history[-1].content == "".join(texts)


def test_a_buffered_completion_returns_the_text_the_stream_would_have(chat):
    sdk, assistant, thread, run, stream = chat("Tell me about tides", tools=())
    answer = sdk.inference.create_completion_sync(
        model=MODEL,
        thread_id=thread.id,
        message_id=stream.message_id,
        run_id=run.id,
        assistant_id=assistant.id,
        api_key="provider-key",
    )
    saved = sdk.messages.list_messages(thread.id, order="desc", limit=1).data[0]
    text = answer["choices"][0]["message"]["content"]  # the SDK reshapes the buffered answer
    assert answer["id"] == f"chatcmpl-{run.id}"
    assert text == saved.content and "tides" in text
    assert sdk.runs.retrieve_run(run.id).status.value == "completed"


def test_cancelling_during_a_stream_ends_it_with_the_run_cancelled(chat, base_url):
    sdk, _, _, run, stream = chat("Tell me a long story about " + "mountains rivers and forests " * 40, tools=())
    received = []
    for chunk in stream.stream_chunks(model=MODEL):
        received.append(chunk)
        if chunk.get("type") == "content" and len(received) == 3:
            threading.Thread(target=sdk.runs.cancel_run, args=(run.id,)).start()
    contents = [c for c in received if c.get("type") == "content"]
    assert received[-1]["type"] == "status" and received[-1]["status"] == "cancelled"
    assert len(contents) < 100, "the stream stopped early"
    assert sdk.runs.retrieve_run(run.id).status.value == "cancelled"


def test_frames_reach_the_client_while_the_turn_is_still_running(chat, base_url):
    import httpx

    sdk, assistant, thread, run, stream = chat("Tell me a long story about " + "winds and waves " * 30, tools=())
    body = {
        "model": MODEL,
        "thread_id": thread.id,
        "message_id": stream.message_id,
        "run_id": run.id,
        "assistant_id": assistant.id,
        "api_key": "provider-key",
    }
    with httpx.stream("POST", f"{base_url}/v1/completions", json=body, timeout=30) as response:
        lines = response.iter_lines()
        assert next(line for line in lines if line.startswith("data:")).endswith(
            '"started", "run_id": "' + run.id + '"}'
        )
        # Unbuffered: the first frame is here and the run is still mid-turn.
        assert sdk.runs.retrieve_run(run.id).status.value == "in_progress"
        assert [line for line in lines if line.startswith("data:")][-1] == "data: [DONE]"
    assert sdk.runs.retrieve_run(run.id).status.value == "completed"


def test_a_standard_sse_client_reads_action_required_from_the_run_events_stream(chat, base_url):
    # The SDK's own `runs.watch_run_events` can never dispatch an event: it feeds sseclient with
    # requests' iter_lines(), which strips the line endings sseclient splits events on. So the
    # stream is read here as the SDK means to, with sseclient over the raw chunks.
    import requests
    from sseclient import SSEClient

    sdk, _, _, run, stream = chat("What does get_weather say for Lima?")
    for _chunk in stream.stream_chunks(model=MODEL):  # one turn: it ends with the tool call
        pass
    assert sdk.runs.retrieve_run(run.id).status.value == "action_required"
    response = requests.get(
        f"{base_url}/v1/runs/{run.id}/events", headers={"X-API-Key": sdk.api_key}, stream=True, timeout=10
    )
    (event,) = list(SSEClient(response.iter_content(chunk_size=None)).events())
    pending = json.loads(event.data)
    assert event.event == "action_required"
    assert (pending["tool_name"], pending["function_arguments"], pending["run_status"]) == (
        "get_weather",
        {"city": "Lima"},
        "action_required",
    )
