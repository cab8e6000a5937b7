"""The request journal: every request to the Entities API the mock answered, for a test (or a
person, on the dashboard) to see what an app really sent.

Recording sits on every request's path, so it takes references and slices only: the request's
raw headers (a list the server built anyway), the first `body_bytes` of each body. Turning them
into JSON (decoding, hiding the key) happens when somebody reads the journal.

The memory journal keeps each entry packed into one bytes object (`Entry.pack`, marshal), not as
the twenty-odd objects it references: holding every request's header lists, tuples, strings and
bodies alive for the last thousand requests slowed every request served meanwhile, the journal
itself included (over HTTP under load, measured: the journal cost a list request 15 µs, 5 µs of
them gone packed; in process, with nothing else evicting them from the caches, it looked like 4).

`Journal` is what a backend provides (memory here; a shared store for replicas can implement the
same three calls); `JournalMiddleware` feeds it.
"""

from __future__ import annotations

import marshal
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Protocol

from connexion.middleware.abstract import ROUTING_CONTEXT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.bodies import RAW_BODY

SESSION_HEADER = b"x-mock-session"
KEY_HEADER = b"x-api-key"
FAULT = "mock_server.fault"  # scope key: the fault or Prefer that shaped the answer (faults.py)


class Entry:
    """One request and its answer, as recorded: references and slices, made readable by
    `as_json` (the session and the answer's media type are read off the headers then)."""

    __slots__ = (
        "time",
        "method",
        "path",
        "query",
        "headers",
        "request_body",
        "request_truncated",
        "operation",
        "status",
        "duration_ms",
        "response_headers",
        "response_body",
        "response_truncated",
        "fault",
        "seq",
        "_session",
    )

    def __init__(self, time: float, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        self.time = time
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.request_body: bytes | None = None
        self.request_truncated = False
        self.operation: str | None = None
        self.status: int | None = None
        self.duration_ms = 0.0
        self.response_headers: Any = ()
        self.response_body = b""
        self.response_truncated = False
        self.fault: str | None = None
        self.seq = 0
        self._session: str | None = None

    @property
    def session(self) -> str:
        if self._session is None:
            self._session = next((v.decode("latin-1") for k, v in self.headers if k == SESSION_HEADER), "")
        return self._session

    @property
    def media_type(self) -> str | None:
        return next((v.decode("latin-1") for k, v in self.response_headers if k.lower() == b"content-type"), None)

    def pack(self) -> bytes:
        """The entry as one bytes object (`unpack` makes it again): marshal, as it is read back by
        this process only and writes bytes, strings, numbers and their lists and tuples in C."""
        try:
            return marshal.dumps(_packed_fields(self))
        except ValueError:  # headers an ASGI server or middleware gave as another iterable type
            self.headers = _plain_headers(self.headers)
            self.response_headers = _plain_headers(self.response_headers)
            self.request_body = None if self.request_body is None else bytes(self.request_body)
            self.response_body = bytes(self.response_body)
            return marshal.dumps(_packed_fields(self))

    @classmethod
    def unpack(cls, packed: bytes) -> Entry:
        entry = cls.__new__(cls)
        for name, value in zip(_PACKED, marshal.loads(packed), strict=True):
            setattr(entry, name, value)
        entry._session = None
        return entry

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": round(self.time, 6),
            "session": self.session,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "query": self.query.decode("latin-1"),
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "request": {
                "headers": _shown_headers(self.headers),
                "body": _text(self.request_body),
                "truncated": self.request_truncated,
            },
            "response": {
                "media_type": self.media_type,
                "body": _text(self.response_body) if self.status is not None else None,
                "truncated": self.response_truncated,
            },
            "fault": self.fault,
        }


_PACKED = tuple(name for name in Entry.__slots__ if name != "_session")  # the session is read off the headers
_packed_fields = attrgetter(*_PACKED)


def _plain_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(bytes(name), bytes(value)) for name, value in headers]


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


def _shown_headers(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    shown = {}
    for name, value in headers:
        text = value.decode("latin-1")
        if name.lower() == KEY_HEADER:
            text = text[:8] + "…"  # enough to tell keys apart, not enough to use one
        shown[name.decode("latin-1").lower()] = text
    return shown


@dataclass(frozen=True)
class Query:
    session: str | None = None  # None: every session
    operation: str | None = None
    status: int | None = None
    since: float | None = None
    after: int | None = None
    limit: int = 100

    def keeps(self, entry: Entry) -> bool:
        return (
            (self.session is None or entry.session == self.session)
            and (self.operation is None or entry.operation == self.operation)
            and (self.status is None or entry.status == self.status)
            and (self.since is None or entry.time >= self.since)
            and (self.after is None or entry.seq > self.after)
        )


class Journal(Protocol):
    async def record(self, entry: Entry) -> None: ...
    async def entries(self, query: Query) -> list[Entry]: ...
    async def clear(self, session: str | None) -> None: ...
    async def stats(self) -> tuple[int, int, int]:
        """(entries kept, entries dropped since the start, the newest sequence number)"""
        ...


class MemoryJournal:
    """The last `size` entries of every session, the oldest dropped first, each packed (see the module)."""

    def __init__(self, size: int) -> None:
        self._entries: deque[bytes] = deque(maxlen=size)
        self._seq = 0
        self._dropped = 0

    async def record(self, entry: Entry) -> None:
        if len(self._entries) == self._entries.maxlen:
            self._dropped += 1
        self._seq += 1
        entry.seq = self._seq
        self._entries.append(entry.pack())

    async def entries(self, query: Query) -> list[Entry]:
        found: list[Entry] = []
        for packed in reversed(self._entries):  # newest first, so a limit keeps the newest
            entry = Entry.unpack(packed)
            if query.after is not None and entry.seq <= query.after:
                break
            if query.keeps(entry):
                found.append(entry)
                if len(found) == query.limit:
                    break
        found.reverse()
        return found

    async def clear(self, session: str | None) -> None:
        if session is None:
            self._entries.clear()
        else:
            kept = [packed for packed in self._entries if Entry.unpack(packed).session != session]
            self._entries.clear()
            self._entries.extend(kept)

    async def stats(self) -> tuple[int, int, int]:
        return len(self._entries), self._dropped, self._seq


class JournalMiddleware:
    """Records each request with what it was answered. Outermost but for CORS, so errors of
    every stage (401, 404, 413, 422…) are recorded like answers; the control plane's own
    requests and the docs are not (a dashboard polling the journal would fill it)."""

    def __init__(self, app: ASGIApp, *, journal: Journal, body_bytes: int, skip: tuple[str, ...]) -> None:
        self.app = app
        self.journal = journal
        self.body_bytes = body_bytes
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return
        entry = Entry(time.time(), scope["method"], scope["path"], scope["query_string"], scope["headers"])
        limit = self.body_bytes
        started = time.perf_counter()

        async def send_(message: Message) -> None:
            # Only what the message already holds is kept here; reading it is left to `as_json`.
            if message["type"] == "http.response.body":
                if not entry.response_truncated:
                    chunk = message.get("body", b"")
                    room = limit - len(entry.response_body)
                    if len(chunk) > room:
                        entry.response_body += chunk[:room]
                        entry.response_truncated = True
                    elif chunk:
                        entry.response_body = entry.response_body + chunk if entry.response_body else chunk
            elif message["type"] == "http.response.start":
                entry.status = message["status"]
                entry.response_headers = message.get("headers", ())
            await send(message)

        try:
            await self.app(scope, receive, send_)
        finally:
            entry.duration_ms = (time.perf_counter() - started) * 1000
            entry.operation = scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id")
            raw = scope.get(RAW_BODY)
            if raw is not None:
                entry.request_body = raw[:limit]
                entry.request_truncated = len(raw) > limit
            entry.fault = scope.get(FAULT)
            await self.journal.record(entry)
