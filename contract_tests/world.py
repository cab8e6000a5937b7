"""What the workflows share: the callers (the given key, an admin, a fresh user, a second user),
what they created and how to undo it, and the request bodies the SDK sends."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract_tests.client import Break, Client
from contract_tests.sdk_bodies import MODEL, file_upload, message_body, run_body

DENIED = (403, 404)


@dataclass
class Result:
    name: str
    status: str  # passed | failed | skipped
    message: str = ""
    check: str = ""
    seconds: float = 0.0


@dataclass
class World:
    """What the flows share: the callers, and how to undo what they created (newest last)."""

    api: Client  # the key the suite was given
    admin: Client | None = None  # a caller with admin rights, when we have one
    other: Client | None = None  # a second user, who must not see the first user's data
    user: Client | None = None  # a fresh user made by `user_and_key`
    user_id: str | None = None
    user_key_prefix: str | None = None
    model: str = MODEL  # what the turns ask for, and the provider key they send (--model, --provider-api-key)
    provider_key: str | None = None
    undo: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    _names: itertools.count = field(default_factory=itertools.count)

    @property
    def caller(self) -> Client:
        return self.user or self.api

    def name(self, what: str) -> str:
        return f"contract-suite {what} {next(self._names)}"


def require(condition: bool, message: str, check: str = "workflow") -> None:
    if not condition:
        raise Break(check, message)


def chat(world: World, question: str, tools: list[dict[str, Any]] | None = None) -> tuple[Client, Any, Any, Any, Any]:
    """An assistant, a thread, the user's question and a run on them, each undone by cleanup."""
    c = world.caller
    body = {"name": world.name("assistant"), "model": MODEL, "instructions": "Be brief.", "tools": tools or []}
    assistant = create(world, c, "createAssistant", "deleteAssistant", "getAssistant", "assistant_id", json=body)
    thread = create(world, c, "createThread", "deleteThread", "getThread", "thread_id", json={"meta_data": {}})
    message = create(
        world,
        c,
        "createMessage",
        "deleteMessage",
        "getMessage",
        "message_id",
        json=message_body(thread["id"], assistant["id"], question),
    )
    run = create(world, c, "createRun", "deleteRun", "getRun", "run_id", json=run_body(assistant["id"], thread["id"]))
    return c, assistant, thread, message, run


def create(world: World, c: Client, operation: str, remove: str, read: str, key: str, *, json: Any) -> Any:
    """Call `operation`; cleanup will `remove` what it made and expect `read` to answer 404."""
    made = c.call(operation, json=json)
    world.undo.append((f"{operation} {made['id']}", lambda: delete(c, remove, read, **{key: made["id"]})))
    return made


def upload(world: World, c: Client, filename: str, data: bytes, **options: Any) -> Any:
    """`uploadFile` as the SDK sends it (`options`: purpose, content_type); cleanup deletes the
    file and expects `getFile` to answer 404."""
    made = c.call("uploadFile", form=file_upload(filename, data, **options), expect=201)
    world.undo.append((f"uploadFile {made['id']}", lambda: delete(c, "deleteFile", "getFile", file_id=made["id"])))
    return made


def delete(c: Client | None, remove: str, read: str, **path: str) -> None:
    """Delete, then make sure the resource is gone."""
    assert c is not None
    c.call(remove, **path)
    c.call(read, expect=404, **path)


def revoke(me: Client, user_id: str, issued: dict[str, Any]) -> None:
    me.call("revokeApiKey", user_id=user_id, key_prefix=issued["details"]["prefix"], expect=204)
    me.call("validateApiKey", expect=401)


def turn_body(world: World, assistant: Any, thread: Any, message: Any, run: Any) -> dict[str, Any]:
    """A completion as the SDK's stream sends it, for the run's next turn."""
    return {
        "model": world.model,
        "api_key": world.provider_key,
        "thread_id": thread["id"],
        "message_id": message["id"],
        "run_id": run["id"],
        "assistant_id": assistant["id"],
    }
