"""Server-sent events as the real server sends them: the headers of its streams and the events
that frame a completion (each `data:` a JSON event, then `[DONE]`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from mock_server.reply import Event

DONE = "[DONE]"
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"}
PING = Event(comment="ping")


async def completion_events(events: AsyncIterator[dict[str, Any]], broken: Callable[[], bool]) -> AsyncIterator[Event]:
    """A turn's events as unnamed SSE events, then `[DONE]`, unless the stream broke off (the
    router's own error), which ends it without one, as on the real server."""
    async for payload in events:
        yield Event(payload)
    if not broken():
        yield Event(DONE)
