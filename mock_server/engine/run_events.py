"""GET /v1/runs/{run_id}/events: watch a run; when it needs tool output, send one
`event: action_required` per pending action and close, as the real server does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse

from mock_server.engine.sse import PING, event_frame, event_stream
from mock_server.engine.turns import TERMINAL
from mock_server.records import pending_actions
from mock_server.store import Store

POLL_SECONDS = 0.05
PING_SECONDS = 15.0


def run_event_stream(store: Store, run_id: str, *, poll: float = POLL_SECONDS) -> StreamingResponse:
    return event_stream(_watch(store, run_id, poll))


async def _watch(store: Store, run_id: str, poll: float) -> AsyncIterator[str]:
    last_ping = time.monotonic()
    while True:
        run = store.runs.get(run_id)
        if run is None:
            yield event_frame("error", {"msg": "run not found"})
            return
        if run["status"] == "action_required":
            actions = store.actions.where("run_id", run_id)
            pending = pending_actions(actions, run)
            if pending:
                for payload in pending:
                    yield event_frame("action_required", payload)
                return
        if run["status"] in TERMINAL:
            return  # nothing will ever need tool output again
        if time.monotonic() - last_ping >= PING_SECONDS:
            last_ping = time.monotonic()
            yield PING
        await asyncio.sleep(poll)
