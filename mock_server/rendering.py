"""A checked Reply on the wire: JSON with orjson (exact for big integers, see jsonio), bytes as
they are, and event streams framed as the real server frames them, unbuffered. A stream that
breaks the contract mid-way ends with an error event instead of the bad frame."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable

from starlette.responses import Response

from mock_server import jsonio
from mock_server.checking import ContractBreach
from mock_server.reply import Event, Reply
from mock_server.streaming import EventStreamResponse

logger = logging.getLogger("mock_server")


def to_response(reply: Reply) -> Response:
    headers = dict(reply.headers)
    if reply.events is not None:
        frames = _frames(reply.events, reply.line_end, reply.check)
        return EventStreamResponse(frames, status_code=reply.status, media_type=reply.media_type, headers=headers)
    if not reply.has_body:
        return Response(status_code=reply.status, headers=headers)
    body = reply.body
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = jsonio.dumps(body)
    return Response(body, reply.status, headers=headers, media_type=reply.media_type)


def frame(event: Event, line_end: str = "\n") -> str:
    """One event as SSE text: `: comment`, or `event: name` and `data: …` lines, then a blank line.
    Data is compact JSON with the spaces Python's json module puts, as the real server sends it."""
    if event.comment is not None:
        return f": {event.comment}{line_end}{line_end}"
    data = event.data if isinstance(event.data, str) else _json(event.data)
    head = f"event: {event.event}{line_end}" if event.event else ""
    return f"{head}data: {data}{line_end}{line_end}"


# json.dumps with these options builds a JSONEncoder for every call (2.4 µs a content frame);
# the encoder made once writes the same text in 1.6. (json.encoder's undocumented C encoder, made
# once, would take 0.8: not worth relying on a private part of the standard library.)
_json = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


async def _frames(
    events: AsyncIterator[Event], line_end: str, check: Callable[[Event], None] | None
) -> AsyncIterator[bytes]:
    try:
        async for event in events:
            if check is not None:
                check(event)  # before it is framed: a frame the contract refuses is never sent
            # A lone surrogate never enters the store; should one reach a frame, it goes out
            # escaped (still JSON) rather than breaking the stream.
            yield frame(event, line_end).encode("utf-8", "backslashreplace")
    except ContractBreach as breach:
        # The status line is gone already: say what broke in-band, and end the stream.
        logger.error("stream does not conform to openapi.yaml: %s", breach.detail)
        detail = f"Mock stream does not conform to the contract: {breach.detail}"
        yield frame(Event({"type": "error", "message": detail, "error": detail}), line_end).encode()
    finally:
        close = getattr(events, "aclose", None)
        if close is not None:
            await close()
