"""POST /v1/completions: one turn of a run, streamed as SSE or buffered as JSON.

Trust comes from the run, not the header, as on the real server: the run must exist, the request
must name its thread and assistant, and the run's user must be allowed the assistant. Then the
model's provider (engine/providers.py): an unknown prefix is refused, a missing provider key or
an unsupported model fails the turn."""

from __future__ import annotations

import time
from typing import Any

from mock_server.context import Context
from mock_server.engine.assistant import Turn
from mock_server.engine.providers import UnknownModelPrefix, failure_of
from mock_server.engine.sse import DONE, STREAM_HEADERS
from mock_server.engine.turns import RunFinished, TurnRunner
from mock_server.errors import ApiError, forbidden, not_found
from mock_server.handlers._common import ASSISTANT_USE_DENIED, may_use_assistant
from mock_server.records import Row
from mock_server.registry import Operations
from mock_server.reply import Reply, event_stream, ok

operations = Operations()


async def _trusted_run(ctx: Context, body: dict[str, Any]) -> Row:
    run = await ctx.store.runs.get(body["run_id"])
    if run is None:
        raise not_found("Run")
    if body["thread_id"] != run["thread_id"]:
        raise forbidden("Thread ID does not match the run.")
    if body["assistant_id"] != run["assistant_id"]:
        raise forbidden("Assistant ID does not match the run.")
    if await ctx.store.threads.get(run["thread_id"]) is None:  # intended: no reply into a thread that is gone
        raise not_found("Thread")
    assistant = await ctx.store.assistants.get(run["assistant_id"])
    if assistant is None or assistant.get("_deleted_at") is not None:
        raise ApiError(404, "Assistant not found.")
    if not may_use_assistant(assistant, run["user_id"]):
        raise forbidden(ASSISTANT_USE_DENIED)
    return run


@operations("createCompletion")
async def create_completion(ctx: Context, body: dict[str, Any]) -> Reply:
    run = await _trusted_run(ctx, body)
    try:
        failure = failure_of(body["model"], body.get("api_key"))
    except UnknownModelPrefix as error:
        raise ApiError(400, str(error)) from None
    runner = TurnRunner(ctx.session, ctx.engine, run["id"])
    try:
        _, turn = await runner.start()
    except RunFinished as finished:
        raise ApiError(409, str(finished)) from None
    if failure is not None:
        turn = Turn(error=failure.message, error_first=True, breaks_stream=failure.breaks_stream)
    if body.get("stream", True):
        return event_stream(runner.events(turn), headers=STREAM_HEADERS)

    started = time.monotonic()
    content: list[str] = []
    async for frame in runner.events(turn):
        event = frame.data
        if event == DONE:
            continue
        if event["type"] == "content":
            content.append(event["content"])
        elif event["type"] == "error":
            raise ApiError(502, event["error"])
    return ok(
        {
            "run_id": run["id"],
            "content": "".join(content),
            "type": "content",
            "model": body["model"],
            "elapsed_s": round(time.monotonic() - started, 6),
        }
    )
