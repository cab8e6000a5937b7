"""One turn of a run, as `POST /v1/completions` drives it, and the run state machine around it.

    queued ──turn──► in_progress ──text──► completed
                          ├──tool call──► action_required ──(tool output) next turn──► …
                          └──error──────► failed
    cancelled: POST /runs/{id}/cancel, also mid-stream (the stream stops at the next frame).
    expired: a turn started after the run's expires_at.

A turn yields stream events (dicts); its effects on the store happen as the stream is read, and
a turn whose reader goes away is still finished, as the real server's worker finishes it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from mock_server.engine.assistant import ScriptedAssistant, Turn
from mock_server.ids import Clock, IdFactory
from mock_server.records import Row, new_action, new_message
from mock_server.store import Store

TERMINAL = frozenset({"completed", "failed", "cancelled", "expired"})
_DELTA = re.compile(r"\S+\s*|\s+")


class RunFinished(Exception):
    """A turn was asked of a run that is already over."""

    def __init__(self, run: Row) -> None:
        super().__init__(f"Run {run['id']} is {run['status']}; create a new run.")
        self.run = run


@dataclass
class Engine:
    assistant: ScriptedAssistant = field(default_factory=ScriptedAssistant)
    delay: float = 0.0  # seconds between deltas; 0 streams as fast as the client reads


def deltas(text: str) -> list[str]:
    """Word-sized pieces whose concatenation is the text."""
    return _DELTA.findall(text)


def _words(text: Any) -> int:
    return len(str(text).split())


@dataclass
class TurnRunner:
    store: Store
    ids: IdFactory
    clock: Clock
    engine: Engine
    run_id: str
    finished: bool = False

    def start(self) -> tuple[Row, Turn]:
        """Move the run into the turn (or refuse), and decide what the assistant does."""
        run = self.store.runs.get(self.run_id)
        assert run is not None
        if run["status"] in TERMINAL:
            raise RunFinished(run)
        now = self.clock.now()
        if now > run["expires_at"]:
            self.store.runs.update(self.run_id, {"status": "expired"})
            raise RunFinished(self.store.runs.get(self.run_id) or run)
        changes: Row = {"status": "in_progress", "required_action": None, "_current_turn": run["_current_turn"] + 1}
        if run["started_at"] is None:
            changes["started_at"] = now
        run = self.store.runs.update(self.run_id, changes)
        assistant = self.store.assistants.get(run["assistant_id"]) or {"id": run["assistant_id"], "name": "assistant"}
        history = list(self.store.messages.where("thread_id", run["thread_id"]))
        self._prompt_tokens = sum(_words(m["content"]) for m in history)
        return run, self.engine.assistant.plan(assistant, history)

    def cancelled(self) -> bool:
        run = self.store.runs.get(self.run_id)
        return run is None or run["status"] == "cancelled"

    async def events(self, turn: Turn) -> AsyncIterator[Row]:
        rid = self.run_id
        try:
            yield {"type": "status", "status": "started", "run_id": rid}
            for kind, text in (("reasoning", turn.reasoning), ("content", turn.text)):
                for piece in deltas(text):
                    if self.engine.delay:
                        await asyncio.sleep(self.engine.delay)
                    if self.cancelled():
                        self.finished = True
                        yield {"type": "status", "status": "cancelled", "run_id": rid}
                        return
                    yield {"type": kind, "content": piece, "run_id": rid}
            if turn.error is not None:
                self._fail(turn.error)
                yield {"type": "error", "run_id": rid, "error": turn.error, "message": turn.error}
                return
            yield {"type": "status", "status": "processing", "run_id": rid}
            manifest = self._finish(turn)
            yield manifest or {"type": "status", "status": "complete", "run_id": rid}
        finally:
            if not self.finished and not self.cancelled():
                self._finish(turn) if turn.error is None else self._fail(turn.error)

    def _usage(self, turn: Turn) -> Row:
        completion = _words(turn.text) + _words(turn.reasoning)
        return {
            "prompt_tokens": self._prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self._prompt_tokens + completion,
        }

    def _fail(self, error: str) -> None:
        self.finished = True
        changes = {"status": "failed", "failed_at": self.clock.now(), "last_error": error, "usage": {}}
        self.store.runs.update(self.run_id, changes)

    def _finish(self, turn: Turn) -> Row | None:
        """Save the reply and settle the run; for a tool call, return the manifest event."""
        self.finished = True
        run = self.store.runs.get(self.run_id)
        if run is None:
            return None
        reply = {"thread_id": run["thread_id"], "assistant_id": run["assistant_id"], "run_id": run["id"]}
        reply["sender_id"] = run["assistant_id"]
        if turn.tool_call is None:
            reply["content"] = turn.text
            self.store.messages.insert(new_message(self.ids, self.clock, reply, role="assistant", completed=True))
            changes = {"status": "completed", "completed_at": self.clock.now(), "usage": self._usage(turn)}
            self.store.runs.update(self.run_id, changes)
            return None
        call_id = f"call_{self.ids.token(24)}"
        arguments = turn.tool_call.arguments
        action = new_action(
            self.ids,
            self.clock,
            {
                "run_id": run["id"],
                "tool_name": turn.tool_call.name,
                "tool_call_id": call_id,
                "function_args": arguments,
            },
        )
        action["turn_index"] = run["_current_turn"]
        self.store.actions.insert(action)
        call = {
            "id": call_id,
            "type": "function",
            "function": {"name": turn.tool_call.name, "arguments": json.dumps(arguments)},
        }
        reply["content"] = json.dumps([call])
        self.store.messages.insert(new_message(self.ids, self.clock, reply, role="assistant", completed=True))
        changes = {"status": "action_required", "required_action": "submit_tool_outputs", "usage": self._usage(turn)}
        self.store.runs.update(self.run_id, changes)
        return {
            "type": "tool_call_manifest",
            "run_id": run["id"],
            "action_id": action["id"],
            "tool_call_id": call_id,
            "tool": turn.tool_call.name,
            "args": arguments,
        }
