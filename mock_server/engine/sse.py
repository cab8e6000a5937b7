"""Server-sent events as the real server sends them: the headers of its streams, the terminator
of a completion's (each `data:` a JSON event, then `[DONE]`; engine/turns.py makes them) and the
keep-alive comment."""

from __future__ import annotations

from mock_server.reply import Event

DONE = "[DONE]"
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"}
PING = Event(comment="ping")
