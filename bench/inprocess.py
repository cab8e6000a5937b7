"""The handler hot path without a socket: the mock's ASGI app called directly, N times per scenario.

    python -m bench.inprocess [--requests 3000]

Prints µs per request for the bench's three scenarios (list 20 messages, create a message,
retrieve a run). No HTTP server and no wrk: it shows what a change to the app itself costs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import orjson

from bench.run import DEMO_ASSISTANT, QUESTION, THREAD_MESSAGES
from bench.servers import ADMIN_KEY
from contract_tests.sdk_bodies import message_body, run_body
from mock_server import Settings, create_app


async def call(
    app: Any, method: str, path: str, body: dict[str, Any] | None = None, marks: list[float] | None = None
) -> tuple[int, bytes]:
    """One request through the whole ASGI app, as uvicorn makes it; its status and body. `marks`
    gets the CPU time at the first body chunk and at the end (bench/stream_cpu.py)."""
    raw = orjson.dumps(body) if body is not None else b""
    target, _, query = path.partition("?")
    headers = [(b"host", b"127.0.0.1"), (b"x-api-key", ADMIN_KEY.encode())]
    if body is not None:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},  # what uvicorn says
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": target,
        "raw_path": target.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "server": ("127.0.0.1", 9000),
        "client": ("127.0.0.1", 50000),
        "extensions": {},
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # the client stays to the end
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            if marks is not None and not chunks:
                marks.append(time.process_time())
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    if marks is not None:
        marks.append(time.process_time())
    return status, b"".join(chunks)


async def measure(requests: int) -> dict[str, float]:
    app = create_app(Settings(admin_key=ADMIN_KEY, seed=1))

    async def ok(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        status, answer = await call(app, method, path, body)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {answer[:300]!r}")
        return orjson.loads(answer)

    thread_id = (await ok("POST", "/v1/threads", {"meta_data": {}}))["id"]
    for _ in range(THREAD_MESSAGES):
        await ok("POST", "/v1/messages", message_body(thread_id, DEMO_ASSISTANT, QUESTION))
    run_id = (await ok("POST", "/v1/runs", run_body(DEMO_ASSISTANT, thread_id)))["id"]
    scenarios = {
        "list_messages": ("GET", f"/v1/threads/{thread_id}/messages?limit=20&order=asc", None),
        "create_message": ("POST", "/v1/messages", message_body(thread_id, DEMO_ASSISTANT, QUESTION)),
        "retrieve_run": ("GET", f"/v1/runs/{run_id}", None),
    }
    result = {}
    for name, (method, path, body) in scenarios.items():
        for _ in range(200):  # warm-up
            await ok(method, path, body)
        started = time.perf_counter()
        for _ in range(requests):
            await call(app, method, path, body)
        result[name] = round((time.perf_counter() - started) / requests * 1e6, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.inprocess", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args(argv)
    for name, micros in asyncio.run(measure(args.requests)).items():
        print(f"{name:<15} {micros:>7.1f} µs/request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
