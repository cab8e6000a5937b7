"""One turn of a run, as `POST /v1/completions` drives it, and the run state machine around it.

    queued ──turn──► in_progress ──text──► completed
                          ├──tool call──► action_required ──(tool output) next turn──► …
                          └──error──────► failed
    cancelled: POST /runs/{id}/cancel, also mid-stream (the stream stops at the next frame).
    expired: a turn started after the run's expires_at.

A turn yields its stream's events (`Event`s, `[DONE]` last); its effects on the store happen as the stream is read, and
a turn whose reader goes away is still finished, as the real server's worker finishes it.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from mock_server.engine.assistant import Turn, last_user_text
from mock_server.engine.retrieval import best_passage
from mock_server.engine.sse import DONE
from mock_server.records import Row, new_action, new_message
from mock_server.reply import Event
from mock_server.session import Session

# A run in one of these will never take another turn.
TERMINAL = frozenset({"completed", "failed", "cancelled", "expired"})
# What cancelling refuses (400 "Run is already finished"), as on the real server: a failed or
# expired run may still be cancelled.
FINISHED_FOR_CANCEL = frozenset({"completed", "cancelled"})
_DELTA = re.compile(r"\S+\s*|\s+")


class RunFinished(Exception):
    """A turn was asked of a run that is already over."""

    def __init__(self, run: Row) -> None:
        super().__init__(f"Run {run['id']} is {run['status']}; create a new run.")
        self.run = run


@dataclass(frozen=True)
class Engine:
    """What handlers are told of the app's settings: the streaming pace, and the limits they keep."""

    delay: float = 0.0  # seconds between deltas; 0 streams as fast as the client reads
    # What the mock signs its sandbox and computer tickets with (HS256): its own, per app.
    token_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    max_store_vectors: int = 10_000  # vectors one vector store holds at most (413 beyond)


def deltas(text: str) -> list[str]:
    """Word-sized pieces whose concatenation is the text."""
    return _DELTA.findall(text)


def _words(text: object) -> int:
    return len(str(text).split())


class TurnRunner:
    def __init__(self, session: Session, engine: Engine, run_id: str) -> None:
        self.store = session.store
        self.ids = session.ids
        self.clock = session.clock
        self.assistant = session.assistant
        self.engine = engine
        self.run_id = run_id
        self.finished = False
        self.stream_broken = False  # the stream ended with the router's error: no [DONE]
        self._prompt_tokens = 0
        self._watch = session.store.backend.watch("runs", run_id)

    async def start(self) -> tuple[Row, Turn]:
        """Move the run into the turn (or refuse), and decide what the assistant does."""
        run = await self.store.runs.get(self.run_id)
        assert run is not None
        if run["status"] in TERMINAL:
            raise RunFinished(run)
        now = self.clock.now()
        if now > run["expires_at"]:
            expired = await self.store.runs.update(self.run_id, {"status": "expired"})
            raise RunFinished(expired or run)
        changes: Row = {"status": "in_progress", "required_action": None, "_current_turn": run["_current_turn"] + 1}
        if run["started_at"] is None:
            changes["started_at"] = now
        run = await self.store.runs.update(self.run_id, changes)  # type: ignore[assignment]
        assistant = await self.store.assistants.get(run["assistant_id"])
        history: list[Row] = []
        async for chunk in self.store.messages.of_thread(run["thread_id"]):
            history.extend(chunk)
        self._prompt_tokens = sum(_words(m["content"]) for m in history)
        fallback = {"id": run["assistant_id"], "name": "assistant"}
        # file_search reads the stores of the run's user and of the assistant's owner.
        readers = {run["user_id"], (assistant or {}).get("owner_id") or run["user_id"]}
        passage = await best_passage(self.store, assistant or fallback, readers, last_user_text(history))
        return run, self.assistant.plan(assistant or fallback, history, passage)

    async def cancelled(self) -> bool:
        # On a shared store a notification says when the run changed (a cancel on another
        # replica); until one comes nothing is read. The memory store reads the run each frame.
        watch = self._watch
        if watch is not None and not watch.changed():
            return False
        run = await self.store.runs.get(self.run_id)
        return run is None or run["status"] == "cancelled"

    async def events(self, turn: Turn) -> AsyncIterator[Event]:
        """The turn's stream as the real server sends it: unnamed events of JSON, then `[DONE]`,
        unless the stream broke off (the router's own error), which ends it without one. One
        generator, the frames made here: each layer around a stream costs every frame."""
        rid = self.run_id
        try:
            if turn.error is not None and turn.error_first:
                await self._fail(turn.error)
                yield Event(self._error(turn))
            else:
                yield Event({"type": "status", "status": "started", "run_id": rid})
                delay = self.engine.delay
                texts = (("reasoning", turn.reasoning), ("content", turn.text))
                pieces = [(kind, piece) for kind, text in texts for piece in deltas(text)]
                for kind, piece in pieces:
                    if delay:
                        await asyncio.sleep(delay)
                    if await self.cancelled():
                        self.finished = True
                        yield Event({"type": "status", "status": "cancelled", "run_id": rid})
                        break
                    yield Event({"type": kind, "content": piece, "run_id": rid})
                else:
                    async for event in self._ending(turn):
                        yield event
        except Exception as error:  # a turn that breaks for any reason ends the run, and says so
            failed = Turn(error=f"The turn failed: {type(error).__name__}", breaks_stream=True)
            await self._fail(failed.error or "")
            yield Event(self._error(failed))
        finally:
            if self._watch is not None:
                self._watch.close()
                self._watch = None  # the last check reads the run
            if not self.finished and not await self.cancelled():
                await (self._finish(turn) if turn.error is None else self._fail(turn.error))
        if not self.stream_broken:
            yield Event(DONE)

    async def _ending(self, turn: Turn) -> AsyncIterator[Event]:
        """After the text (a few frames a turn, so a layer of its own costs nothing that counts):
        the turn's error, or its tool call, and the run settled."""
        rid = self.run_id
        if turn.error is not None:
            await self._fail(turn.error)
            yield Event(self._error(turn))
            return
        if turn.tool_call is not None:  # the model's call, as the server's normaliser reports it
            call = {"name": turn.tool_call.name, "arguments": json.dumps(turn.tool_call.arguments)}
            yield Event({"type": "tool_call", "content": call, "run_id": rid})
        yield Event({"type": "status", "status": "processing", "run_id": rid})
        manifest = await self._finish(turn)
        yield Event(manifest or {"type": "status", "status": "complete", "run_id": rid})

    def _error(self, turn: Turn) -> Row:
        """The real server's error frames: a worker's carries its text in `content` (and `[DONE]`
        follows), the router's in `message` (and the stream ends). `error` and `message` hold the
        text too, where the SDK looks for it."""
        self.stream_broken = turn.breaks_stream
        text = turn.error
        frame: Row = {"type": "error", "run_id": self.run_id, "message": text, "error": text}
        return frame if turn.breaks_stream else {"type": "error", "content": text, **frame}

    def _usage(self, turn: Turn) -> Row:
        completion = _words(turn.text) + _words(turn.reasoning)
        return {
            "prompt_tokens": self._prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self._prompt_tokens + completion,
        }

    async def _fail(self, error: str) -> None:
        self.finished = True
        changes = {"status": "failed", "failed_at": self.clock.now(), "last_error": error, "usage": {}}
        await self.store.runs.update(self.run_id, changes)

    async def _finish(self, turn: Turn) -> Row | None:
        """Save the reply and settle the run; for a tool call, return the manifest event."""
        self.finished = True
        run = await self.store.runs.get(self.run_id)
        if run is None:
            return None
        reply = {"thread_id": run["thread_id"], "assistant_id": run["assistant_id"], "run_id": run["id"]}
        reply["sender_id"] = run["assistant_id"]
        if turn.tool_call is None:
            reply["content"] = turn.text
            await self.store.messages.add(new_message(self.ids, self.clock, reply, role="assistant", completed=True))
            changes = {"status": "completed", "completed_at": self.clock.now(), "usage": self._usage(turn)}
            await self.store.runs.update(self.run_id, changes)
            return None
        call_id = f"call_{self.ids.token(24)}"
        arguments = turn.tool_call.arguments
        fields = {"run_id": run["id"], "tool_name": turn.tool_call.name, "tool_call_id": call_id}
        action = new_action(self.ids, self.clock, {**fields, "function_args": arguments})
        action["turn_index"] = run["_current_turn"]
        await self.store.actions.add(action)
        call = {
            "id": call_id,
            "type": "function",
            "function": {"name": turn.tool_call.name, "arguments": json.dumps(arguments)},
        }
        reply["content"] = json.dumps([call])
        await self.store.messages.add(new_message(self.ids, self.clock, reply, role="assistant", completed=True))
        changes = {"status": "action_required", "required_action": "submit_tool_outputs", "usage": self._usage(turn)}
        await self.store.runs.update(self.run_id, changes)
        return {
            "type": "tool_call_manifest",
            "run_id": run["id"],
            "action_id": action["id"],
            "tool_call_id": call_id,
            "tool": turn.tool_call.name,
            "args": arguments,
        }
