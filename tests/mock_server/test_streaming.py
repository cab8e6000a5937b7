"""A completion stream over real HTTP when its client goes away mid-way: the stream stops there,
the turn is still finished (its reply saved, the run settled, as the real server's worker does),
and the mock goes on serving, the request journalled as answered."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bench.streams import ASSISTANT, QUESTION, completion_body, reply_rules
from contract_tests.sdk_bodies import message_body, run_body
from mock_server import Settings, create_app
from mock_server.streaming import EventStreamResponse
from tests.live_server import serve
from tests.mock_server.conftest import ADMIN_KEY

HEADERS = {"X-API-Key": ADMIN_KEY}
WORDS = 200  # at 20 ms a word, 4 s of stream: the client leaves long before its end


@pytest.fixture
def served():
    with serve(create_app(Settings(admin_key=ADMIN_KEY, stream_delay=0.02))) as url:
        yield url


def eventually(read, done, wait_s: float = 10.0):
    """What `read()` gives once `done` holds of it (or as it is after `wait_s`): the mock settles
    a turn whose client left on its own event loop, a moment after the client closed."""
    deadline = time.monotonic() + wait_s
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def test_a_client_leaving_mid_stream_stops_it_and_the_turn_still_settles_the_run(served):
    with httpx.Client(base_url=served, headers=HEADERS, timeout=10) as http:
        assert http.put("/__mock__/rules", json=reply_rules(WORDS)).status_code == 200
        thread_id = http.post("/v1/threads", json={"meta_data": {}}).json()["id"]
        message_id = http.post("/v1/messages", json=message_body(thread_id, ASSISTANT, QUESTION)).json()["id"]
        run_id = http.post("/v1/runs", json=run_body(ASSISTANT, thread_id)).json()["id"]
        with http.stream("POST", "/v1/completions", json=completion_body(thread_id, message_id, run_id)) as stream:
            frames = 0
            for line in stream.iter_lines():
                frames += line.startswith("data: ")
                if frames == 3:
                    break  # and close the connection
        run = eventually(lambda: http.get(f"/v1/runs/{run_id}").json(), lambda r: r["status"] != "in_progress")
        assert run["status"] == "completed"
        reply = http.get(f"/v1/threads/{thread_id}/messages", params={"order": "desc", "limit": 1}).json()["data"][0]
        assert reply["role"] == "assistant" and len(reply["content"].split()) == WORDS
        journal = {"operation": "createCompletion"}
        [entry] = eventually(lambda: http.get("/__mock__/journal", params=journal).json()["entries"], bool)
        # Sent on to the end, the 200 frames would fill the journal's 4 KiB of the answer.
        assert entry["status"] == 200 and not entry["response"]["truncated"]


SCOPE = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}}


async def a_stream(receive, cancel_after: float | None = None) -> tuple[list[dict], bool]:
    """An endless stream answered until `receive` says the client left (or the request's task is
    cancelled after `cancel_after` seconds): what was sent, and whether the frames were closed."""
    closed = False

    async def frames():
        nonlocal closed
        try:
            while True:
                await asyncio.sleep(0.001)
                yield b"data: x\n\n"
        finally:
            closed = True

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    task = asyncio.ensure_future(EventStreamResponse(frames())(SCOPE, receive, send))
    if cancel_after is not None:
        await asyncio.sleep(cancel_after)
        task.cancel()
    await task
    return sent, closed


def test_a_client_that_leaves_ends_the_stream_and_closes_its_frames():
    async def receive():
        await asyncio.sleep(0.02)
        return {"type": "http.disconnect"}

    sent, closed = asyncio.run(a_stream(receive))
    assert sent[0]["type"] == "http.response.start" and len(sent) > 1 and closed


def test_a_cancellation_that_is_not_the_client_leaving_still_cancels_the_request():
    async def receive():
        await asyncio.Event().wait()  # the client stays

    async def main():
        with pytest.raises(asyncio.CancelledError):
            await a_stream(receive, cancel_after=0.02)

    asyncio.run(main())
