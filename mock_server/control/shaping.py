"""What a `Prefer` header and the session's faults do to one answer of the Entities API, in the
respond stage (after authentication and validation, which they never skip).

Nothing is asked of a request without a `Prefer` header in a session without faults, which is
every request of a frontend's ordinary day: `shaping_for` returns None after one look at each.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import anyio
from starlette.types import Scope

from mock_server.control.faults import Fault, fault_reply, take
from mock_server.control.prefer import read_prefer
from mock_server.reply import Event, Reply
from mock_server.serving import ABORT
from mock_server.session import Session
from mock_server.spec import Operation

PREFER = b"prefer"


@dataclass(frozen=True)
class Shaping:
    label: str
    delay: float = 0.0
    reply: Reply | None = None  # an answer instead of the handler's
    drop: bool = False
    stream: dict[str, int] | None = None


def shaping_for(scope: Scope, operation: Operation, session: Session) -> Shaping | None:
    prefer = None
    for name, value in scope["headers"]:  # a loop, not a generator: this runs on every request
        if name == PREFER:
            prefer = value
            break
    if prefer is None and not session.faults:
        return None
    preference = read_prefer(prefer.decode("latin-1"), operation) if prefer is not None else None
    fault: Fault | None = take(session.faults, operation.id, session.chance) if session.faults else None
    if preference is None and fault is None:
        return None
    labels = [x.label for x in (preference, fault) if x is not None]
    delay = (preference.delay if preference else 0.0) + (fault.delay(session.chance) if fault else 0.0)
    reply = (preference.reply if preference else None) or (fault_reply(fault, operation) if fault else None)
    return Shaping(
        "; ".join(labels),
        delay=delay,
        reply=reply,
        drop=bool(fault and fault.drop_connection),
        stream=fault.stream if fault else None,
    )


def abort_of(scope: Scope) -> Callable[[], None] | None:
    """The server's way to drop this connection, where it offers one (the mock's own uvicorn
    protocol does; an in-process test client has no connection to drop)."""
    return scope.get("extensions", {}).get(ABORT)


def damaged(
    events: AsyncIterator[Event], stream: dict[str, int], abort: Callable[[], None] | None
) -> AsyncIterator[Event]:
    """The stream as the fault says: a delay before the first frame, a pause between frames, a
    frame sent as broken JSON, the connection dropped after some frames (without a connection
    to drop, the stream just ends there, with no terminator)."""
    first = stream.get("first_frame_delay_ms", 0) / 1000
    pause = stream.get("pause_ms", 0) / 1000
    cut = stream.get("disconnect_after_frames")
    broken = stream.get("malformed_frame_at")

    async def frames() -> AsyncIterator[Event]:
        sent = 0
        try:
            if first:
                await anyio.sleep(first)
            async for event in events:
                if cut is not None and sent >= cut:
                    if abort is not None:
                        abort()
                    return
                if sent and pause:
                    await anyio.sleep(pause)
                sent += 1
                if sent == broken and event.comment is None:
                    text = event.data if isinstance(event.data, str) else json.dumps(event.data)
                    yield Event(text[: max(1, len(text) // 2)], event.event)  # cut mid-value: not JSON
                else:
                    yield event
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()

    return frames()
