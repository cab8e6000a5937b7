"""GET /v1/runs/{run_id}/events: watch a run; when it needs tool output, send one
`event: action_required` per pending action and close, as the real server does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from mock_server.engine.sse import PING, STREAM_HEADERS
from mock_server.engine.turns import TERMINAL
from mock_server.ids import Clock
from mock_server.records import overdue, pending_action
from mock_server.reply import Event, Reply, event_stream
from mock_server.store import Store

POLL_SECONDS = 0.05
PING_SECONDS = 15.0


def run_event_stream(store: Store, clock: Clock, run_id: str, *, poll: float = POLL_SECONDS) -> Reply:
    # CRLF line endings, as sse-starlette frames events on the real server.
    return event_stream(_watch(store, clock, run_id, poll), headers=STREAM_HEADERS, line_end="\r\n")


async def _watch(store: Store, clock: Clock, run_id: str, poll: float) -> AsyncIterator[Event]:
    # On a shared store the run's notifications wake the watcher (a transition on another replica);
    # it still reads every RECHECK_SECONDS, for the overdue check and the keep-alive ping.
    watch = store.backend.watch("runs", run_id)
    try:
        async for event in _watched(store, clock, run_id, poll, watch):
            yield event
    finally:
        if watch is not None:
            watch.close()


RECHECK_SECONDS = 1.0


async def _watched(store: Store, clock: Clock, run_id: str, poll: float, watch: Any) -> AsyncIterator[Event]:
    last_ping = time.monotonic()
    while True:
        run = await store.runs.get(run_id)
        if run is None:
            yield Event({"msg": "run not found"}, event="error")
            return
        if overdue(run, clock.peek()):  # its hour is up: it will never need tool output
            await store.runs.update(run_id, {"status": "expired"})
            return
        if run["status"] == "action_required":
            pending = [pending_action(action, run) for action in await store.actions.pending_of_run(run_id)]
            if pending:
                for payload in pending:
                    yield Event(payload, event="action_required")
                return
        if run["status"] in TERMINAL:
            return  # nothing will ever need tool output again
        if time.monotonic() - last_ping >= PING_SECONDS:
            last_ping = time.monotonic()
            yield PING
        if watch is None:
            await asyncio.sleep(poll)
        else:
            await watch.wait(RECHECK_SECONDS)
            watch.changed()  # this read answers it
