"""POST /v1/completions: one turn of a run, streamed as SSE or buffered as JSON.

Trust comes from the run, not the header, as on the real server: the run must exist, the request
must name its thread and assistant, and the run's user must be allowed the assistant."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from connexion.lifecycle import ConnexionResponse

from mock_server.context import Context
from mock_server.engine.sse import DONE, data_frame, event_stream
from mock_server.engine.turns import RunFinished, TurnRunner
from mock_server.errors import ApiError, forbidden, not_found
from mock_server.records import Row


def _trusted_run(ctx: Context, body: dict[str, Any]) -> Row:
    run = ctx.store.runs.get(body["run_id"])
    if run is None:
        raise not_found("Run")
    if body["thread_id"] != run["thread_id"]:
        raise forbidden("Thread ID does not match the run.")
    if body["assistant_id"] != run["assistant_id"]:
        raise forbidden("Assistant ID does not match the run.")
    assistant = ctx.store.assistants.get(run["assistant_id"])
    if assistant is None or run["user_id"] not in (assistant["owner_id"], *assistant["_shared_with"]):
        raise forbidden("You do not have access to this assistant.")
    return run


async def create_completion(ctx: Context, body: dict[str, Any]) -> Any:
    run = _trusted_run(ctx, body)
    runner = TurnRunner(ctx.store, ctx.ids, ctx.clock, ctx.engine, run["id"])
    try:
        _, turn = runner.start()
    except RunFinished as finished:
        raise ApiError(409, str(finished)) from None
    if body.get("stream", True):
        return event_stream(_frames(runner.events(turn)))

    started = time.monotonic()
    content: list[str] = []
    async for event in runner.events(turn):
        if event["type"] == "content":
            content.append(event["content"])
        elif event["type"] == "error":
            raise ApiError(502, event["error"])
    answer = {
        "run_id": run["id"],
        "content": "".join(content),
        "type": "content",
        "model": body["model"],
        "elapsed_s": round(time.monotonic() - started, 6),
    }
    # The operation answers two media types; say which one this is.
    return ConnexionResponse(status_code=200, body=json.dumps(answer), mimetype="application/json")


async def _frames(events: AsyncIterator[Row]) -> AsyncIterator[str]:
    last_type = None
    async for event in events:
        last_type = event["type"]
        yield data_frame(event)
    if last_type != "error":  # an error frame ends the stream without [DONE], as on the real server
        yield DONE
