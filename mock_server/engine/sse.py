"""Server-sent events: frames and the streaming response that carries them unbuffered."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

DONE = "data: [DONE]\n\n"
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"}


def data_frame(payload: dict[str, Any]) -> str:
    """A completion frame: one `data:` line of compact JSON, then a blank line."""
    return f"data: {json.dumps(payload, separators=(', ', ': '), ensure_ascii=False)}\n\n"


def event_frame(event: str, payload: dict[str, Any]) -> str:
    """A named event, framed as sse-starlette frames them on the real server (CRLF)."""
    return f"event: {event}\r\ndata: {json.dumps(payload)}\r\n\r\n"


PING = ": ping\r\n\r\n"


def event_stream(frames: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(frames, media_type="text/event-stream", headers=STREAM_HEADERS)
