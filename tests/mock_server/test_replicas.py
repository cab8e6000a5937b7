"""Two mock processes on one real Redis behave as one mock: what one makes the other reads, lists
and deletes; concurrent writers over both lose, duplicate and misorder nothing; a cancel sent to
one stops a stream on the other; the run events on one see the transitions the other makes; and
a Redis that goes away is a 503 on both, which recover once it is back."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest

from contract_tests import sdk_bodies
from tests.redis_server import RedisServer
from tests.replicas import ADMIN_KEY, replicas

ADMIN = {"X-API-Key": ADMIN_KEY}
DEMO_ASSISTANT = "asst_DemoWeatherAssistant01"
LONG_REPLY = " ".join(f"word{i}" for i in range(400))  # 400 frames at 20 ms: 8 s, longer than any test waits


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pair(redis_server):
    """Replicas A and B; streams pace at 20 ms a frame, so a stream is still going when cancelled."""
    with replicas(redis_server.url, 2, "--stream-delay", "0.02") as urls:
        yield urls


def session(name: str) -> dict[str, str]:
    return {**ADMIN, "X-Mock-Session": name}


def run_in(url: str, headers: dict[str, str], content: str, assistant: str = DEMO_ASSISTANT) -> dict[str, Any]:
    """A thread with a user message and a run on it, made through `url`: the completion's body."""
    thread = httpx.post(f"{url}/v1/threads", json={}, headers=headers).json()
    body = sdk_bodies.message_body(thread["id"], assistant, content)
    message = httpx.post(f"{url}/v1/messages", json=body, headers=headers).json()
    run = httpx.post(f"{url}/v1/runs", json=sdk_bodies.run_body(assistant, thread["id"]), headers=headers).json()
    return {
        "model": sdk_bodies.MODEL,
        "api_key": "provider-key",
        "thread_id": thread["id"],
        "message_id": message["id"],
        "run_id": run["id"],
        "assistant_id": assistant,
    }


def test_a_thread_made_on_one_replica_is_read_listed_and_deleted_on_the_other(pair):
    a, b = pair
    headers = session("crud")
    thread = httpx.post(f"{a}/v1/threads", json={}, headers=headers).json()
    for text in ("one", "two", "three"):
        body = sdk_bodies.message_body(thread["id"], DEMO_ASSISTANT, text)
        assert httpx.post(f"{a}/v1/messages", json=body, headers=headers).status_code == 200
    assert httpx.get(f"{b}/v1/threads/{thread['id']}", headers=headers).json()["id"] == thread["id"]
    page = httpx.get(f"{b}/v1/threads/{thread['id']}/messages", params={"limit": 2}, headers=headers).json()
    assert [m["content"] for m in page["data"]] == ["one", "two"] and page["has_more"] is True
    assert httpx.delete(f"{b}/v1/threads/{thread['id']}", headers=headers).status_code == 200
    assert httpx.get(f"{a}/v1/threads/{thread['id']}", headers=headers).status_code == 404
    assert httpx.get(f"{a}/v1/threads/{thread['id']}/messages", headers=headers).status_code == 404


def test_two_hundred_concurrent_writers_over_both_replicas_lose_duplicate_and_misorder_nothing(pair):
    a, b = pair
    headers = session("burst")
    thread = httpx.post(f"{a}/v1/threads", json={}, headers=headers).json()

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits) as client:
            bodies = [sdk_bodies.message_body(thread["id"], DEMO_ASSISTANT, f"m{i}") for i in range(200)]
            return await asyncio.gather(
                *(client.post(f"{(a, b)[i % 2]}/v1/messages", json=body) for i, body in enumerate(bodies))
            )

    answers = asyncio.run(burst())
    assert [answer.status_code for answer in answers] == [200] * 200
    made = [answer.json()["id"] for answer in answers]
    assert len(set(made)) == 200  # never two messages with one id
    state = httpx.get(f"{b}/__mock__/state", headers=headers).json()
    stored = [m["id"] for m in state["tables"]["messages"] if m["thread_id"] == thread["id"]]
    assert sorted(stored) == sorted(made)  # nothing lost, nothing twice
    oldest = httpx.get(f"{a}/v1/threads/{thread['id']}/messages", params={"limit": 100}, headers=headers).json()
    newest = httpx.get(
        f"{b}/v1/threads/{thread['id']}/messages", params={"limit": 100, "order": "desc"}, headers=headers
    ).json()
    # Both replicas list the one order the store committed the writes in, page for page.
    assert [m["id"] for m in oldest["data"]] == stored[:100] and oldest["has_more"] is True
    assert [m["id"] for m in newest["data"]] == stored[100:][::-1] and newest["has_more"] is True
    # Concurrent requests share journal writes: each is still there once, numbered in one sequence.
    entries = httpx.get(
        f"{a}/__mock__/journal", params={"operation": "createMessage", "limit": 500}, headers=headers
    ).json()["entries"]
    bodies = sorted(entry["request"]["body"] for entry in entries)
    assert bodies == sorted(answer.request.content.decode() for answer in answers)
    numbers = [entry["seq"] for entry in entries]
    assert numbers == sorted(set(numbers))


def test_writers_whose_copies_keep_going_stale_are_made_again_never_twice(pair):
    # Threads are a table each replica keeps a copy of: while other threads are updated on both
    # replicas, a message's write from a copy that moved on is refused and the request made again.
    a, b = pair
    headers = session("stale-copies")
    thread = httpx.post(f"{a}/v1/threads", json={}, headers=headers).json()["id"]
    others = [httpx.post(f"{b}/v1/threads", json={}, headers=headers).json()["id"] for _ in range(10)]

    async def mixed() -> tuple[list[httpx.Response], list[httpx.Response]]:
        async with httpx.AsyncClient(headers=headers, timeout=60, limits=httpx.Limits(max_connections=200)) as client:
            posts = [
                client.post(
                    f"{(a, b)[i % 2]}/v1/messages", json=sdk_bodies.message_body(thread, DEMO_ASSISTANT, f"m{i}")
                )
                for i in range(100)
            ]
            updates = [
                client.put(f"{(b, a)[i % 2]}/v1/threads/{others[i % 10]}", json={"meta_data": {"n": str(i)}})
                for i in range(100)
            ]
            answers = await asyncio.gather(*posts, *updates)
        return answers[:100], answers[100:]

    posted, updated = asyncio.run(mixed())
    assert [answer.status_code for answer in posted + updated] == [200] * 200
    made = sorted(answer.json()["id"] for answer in posted)
    state = httpx.get(f"{a}/__mock__/state", headers=headers).json()
    assert sorted(m["id"] for m in state["tables"]["messages"] if m["thread_id"] == thread) == made
    entries = httpx.get(
        f"{b}/__mock__/journal", params={"operation": "createMessage", "limit": 500}, headers=headers
    ).json()["entries"]
    assert len([entry for entry in entries if entry["session"] == "stale-copies"]) == 100  # each answered once


def test_a_cancel_sent_to_one_replica_stops_a_stream_on_the_other_within_100_ms(pair):
    a, b = pair
    headers = session("cancel")
    rules = {"rules": [{"match": "story", "reply": LONG_REPLY}]}
    assert httpx.put(f"{b}/__mock__/rules", json=rules, headers=headers).status_code == 200  # set on B, used on A
    body = run_in(a, headers, "Tell me a long story")
    frames: list[tuple[float, dict[str, Any]]] = []
    started = threading.Event()

    def read_stream() -> None:
        with httpx.stream("POST", f"{a}/v1/completions", json=body, headers=headers, timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("data: {"):
                    frames.append((time.monotonic(), json.loads(line[6:])))
                    if frames[-1][1].get("type") == "content":
                        started.set()

    reader = threading.Thread(target=read_stream)
    reader.start()
    assert started.wait(10), frames
    sent = time.monotonic()
    assert httpx.post(f"{b}/v1/runs/{body['run_id']}/cancel", headers=headers).status_code == 200
    reader.join(15)
    last_at, last = frames[-1]
    assert last == {"type": "status", "status": "cancelled", "run_id": body["run_id"]}
    assert last_at - sent < 0.1, f"the stream stopped {1000 * (last_at - sent):.0f} ms after the cancel was sent"
    assert sum(frame.get("type") == "content" for _, frame in frames) < 100  # it stopped, it did not finish
    assert httpx.get(f"{a}/v1/runs/{body['run_id']}", headers=headers).json()["status"] == "cancelled"


def test_run_events_on_one_replica_see_the_tool_call_a_turn_on_the_other_makes(pair):
    a, b = pair
    headers = session("events")
    body = run_in(a, headers, "What does get_weather say for Paris?")
    events: list[str] = []

    def watch() -> None:
        with httpx.stream("GET", f"{b}/v1/runs/{body['run_id']}/events", headers=headers, timeout=30) as stream:
            events.extend(line for line in stream.iter_lines() if line.startswith(("event:", "data:")))

    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(0.3)  # B is watching a queued run
    turn = httpx.post(f"{a}/v1/completions", json=body, headers=headers, timeout=30)
    assert "tool_call_manifest" in turn.text
    watcher.join(10)
    assert not watcher.is_alive(), "B's event stream did not see the run need tool output"
    assert events[0] == "event: action_required"
    assert json.loads(events[1][len("data:") :])["run_id"] == body["run_id"]


def test_a_reset_and_rules_sent_to_one_replica_hold_on_the_other(pair):
    a, b = pair
    headers = session("control")
    thread = httpx.post(f"{a}/v1/threads", json={}, headers=headers).json()
    assert httpx.post(f"{b}/__mock__/reset", headers=headers).status_code == 200
    assert httpx.get(f"{a}/v1/threads/{thread['id']}", headers=headers).status_code == 404
    rules = {"rules": [{"match": "refund", "reply": "Refund opened."}]}
    httpx.put(f"{a}/__mock__/rules", json=rules, headers=headers)
    assert httpx.get(f"{b}/__mock__/rules", headers=headers).json() == rules
    faults = {"faults": [{"operation": "listAssistants", "status": 503}]}
    assert httpx.put(f"{b}/__mock__/faults", json=faults, headers=headers).status_code == 200
    assert httpx.get(f"{a}/v1/assistants", headers=headers).status_code == 503
    journal = httpx.get(f"{b}/__mock__/journal", params={"limit": 1}, headers=headers).json()
    assert journal["entries"][0]["operation"] == "listAssistants"  # A's request, in the one journal


def test_the_contract_suite_keeps_the_contract_against_a_replica(pair, tmp_path):
    a, _ = pair
    command = ["--base-url", a, "--api-key", ADMIN_KEY, "--max-examples", "3", "--quiet"]
    result = _run_suite([*command, "--report-dir", str(tmp_path), "--session", "contract"])
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_redis_that_goes_away_is_a_503_on_both_replicas_which_recover_when_it_returns(pair, redis_server):
    a, b = pair
    headers = session("outage")
    assert httpx.get(f"{a}/v1/assistants", headers=headers).status_code == 200
    redis_server.stop()
    try:
        for url in (a, b):
            started = time.monotonic()
            answer = httpx.get(f"{url}/v1/assistants", headers=headers, timeout=15)
            assert answer.status_code == 503, answer.text
            assert redis_server.url.replace("redis://", "") in answer.json()["detail"]
            assert time.monotonic() - started < 5  # an answer, not a hang
    finally:
        redis_server.start()  # the same port: the replicas reconnect by themselves
    for url in (a, b):
        assert httpx.get(f"{url}/v1/assistants", headers=headers).status_code == 200  # seeded afresh
    thread = httpx.post(f"{a}/v1/threads", json={}, headers=headers).json()
    assert httpx.get(f"{b}/v1/threads/{thread['id']}", headers=headers).status_code == 200


def _run_suite(args: list[str]) -> Any:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "contract_tests", *args], capture_output=True, text=True, timeout=600)
