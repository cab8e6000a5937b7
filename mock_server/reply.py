"""The one result type every responder returns: a status, a body in a media type, headers, or a
stream of server-sent events. Nothing here knows the web framework; pipeline.py checks a Reply
against the contract and renders it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"
EVENT_STREAM = "text/event-stream"


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()


@dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event: `data` is JSON-able (or the stream's terminator, e.g. `[DONE]`);
    `event` names it (None: an unnamed `data:` event, SSE's `message`); a comment is a keep-alive."""

    data: Any = None
    event: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any = NO_BODY  # a JSON value, or bytes for a binary media type
    media_type: str | None = JSON
    headers: Mapping[str, str] = field(default_factory=dict)
    events: AsyncIterator[Event] | None = None
    # How an event stream ends its lines: the completion stream uses "\n"; the run-events stream
    # "\r\n", as sse-starlette frames it on the real server.
    line_end: str = "\n"
    # What each event must pass just before it is sent (checking.py sets it; ContractBreach if not).
    check: Callable[[Event], None] | None = None

    @property
    def has_body(self) -> bool:
        return self.body is not NO_BODY or self.events is not None


def ok(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, body, headers=headers or {})


def created(body: Any) -> Reply:
    return Reply(201, body)


def no_content(status: int = 204) -> Reply:
    return Reply(status, media_type=None)


def event_stream(events: AsyncIterator[Event], *, headers: Mapping[str, str], line_end: str = "\n") -> Reply:
    return Reply(200, media_type=EVENT_STREAM, headers=headers, events=events, line_end=line_end)
