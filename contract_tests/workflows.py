"""Deterministic workflows: the official SDK's real flows over plain HTTP, against any server.
Where Schemathesis explores, these walk the paths a client depends on, in order: a user and a key,
a chat turn streamed to `[DONE]`, the tool-call loop, a cancel, paging, another user kept out,
and a cleanup that checks every delete. A server may answer a question in text where the mock
would call a tool; that flow is then skipped ("no tool call offered"), not failed."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from contract_tests.client import Break, Client, Skip

MODEL = "hyperbolic/deepseek-ai/DeepSeek-V3"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
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
    undo: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    _names: itertools.count = field(default_factory=itertools.count)

    @property
    def caller(self) -> Client:
        return self.user or self.api

    def name(self, what: str) -> str:
        return f"contract-suite {what} {next(self._names)}"


def user_and_key(world: World) -> None:
    if world.admin is None:
        raise Skip("needs admin rights to create a user (pass --admin-key)")
    email = f"contract-{uuid.uuid4().hex[:12]}@example.com"
    user = world.admin.call("createUser", json={"email": email, "full_name": world.name("user")}, expect=201)
    world.undo.append((f"user {user['id']}", lambda: _delete(world.admin, "deleteUser", "getUser", user_id=user["id"])))
    issued = world.admin.call("createApiKey", user_id=user["id"], json={"key_name": "contract suite"}, expect=201)
    me = world.api.as_key(issued["plain_key"])
    whoami = me.call("validateApiKey")
    _require(whoami["user_id"] == user["id"], f"validateApiKey names {whoami['user_id']}, not {user['id']}")
    _require(me.call("getUser", user_id=user["id"])["id"] == user["id"], "getUser returned another user")
    prefixes = [key["prefix"] for key in me.call("listApiKeys", user_id=user["id"])["keys"]]
    _require(issued["details"]["prefix"] in prefixes, f"listApiKeys does not list the new key: {prefixes}")
    me.call("createUser", json={"email": f"x{email}", "full_name": "Nobody"}, expect=403)  # admin only
    world.user, world.user_id = me, user["id"]
    world.undo.append((f"key {issued['details']['prefix']}", lambda: _revoke(me, user["id"], issued)))


def text_turn(world: World) -> None:
    c, assistant, thread, message, run = _chat(world, "Tell me something about lighthouses")
    _require(run["status"] == "queued", f"a new run is {run['status']!r}, not 'queued'")
    stream = c.stream(_turn(assistant, thread, message, run))
    _require(stream.done, "the stream did not end with `data: [DONE]`")
    _require(not stream.of_type("error"), f"the stream carried an error: {stream.of_type('error')}")
    _require(stream.text != "", "the stream carried no content")
    _require(c.call("getRun", run_id=run["id"])["status"] == "completed", "the run is not completed after the turn")
    last = c.call("listMessages", thread_id=thread["id"], params={"order": "desc", "limit": 1})["data"]
    _require(bool(last) and last[0]["role"] == "assistant", f"the reply is not the thread's newest message: {last}")
    _require(last[0]["content"] == stream.text, "the saved reply differs from the streamed text")


def buffered_turn(world: World) -> None:
    c, assistant, thread, message, run = _chat(world, "Tell me about tides")
    answer = c.call("createCompletion", json={**_turn(assistant, thread, message, run), "stream": False})
    _require(answer["run_id"] == run["id"] and answer["content"] != "", f"an empty or foreign answer: {answer}")
    _require(c.call("getRun", run_id=run["id"])["status"] == "completed", "the run is not completed after the turn")


def tool_call_turn(world: World) -> None:
    c, assistant, thread, message, run = _chat(world, "What does get_weather say for Paris?", [WEATHER_TOOL])
    stream = c.stream(_turn(assistant, thread, message, run))
    _require(stream.done, "the stream did not end with `data: [DONE]`")
    manifests = stream.of_type("tool_call_manifest")
    if not manifests:
        raise Skip("no tool call offered: the assistant answered in text")
    call = manifests[0]
    _require(call["run_id"] == run["id"] and call["tool"] == "get_weather", f"a manifest for another call: {call}")
    _require(c.call("getRun", run_id=run["id"])["status"] == "action_required", "the run is not action_required")
    pending = c.call("listPendingActions", run_id=run["id"])
    _require(call["action_id"] in [p["action_id"] for p in pending], f"the action is not pending: {pending}")
    c.call("updateAction", action_id=call["action_id"], json={"status": "processing"})
    output = json.dumps({"temperature_c": 18, "conditions": "sunny"})
    body = _message(thread, assistant, output, role="tool", tool_id=call["action_id"], tool_call_id=call["tool_call_id"])
    _require(c.call("submitToolOutput", json=body)["role"] == "tool", "the tool output is not a `tool` message")
    c.call("updateAction", action_id=call["action_id"], json={"status": "completed", "result": {"ok": True}})
    follow_up = c.stream(_turn(assistant, thread, message, run))
    _require(follow_up.done and follow_up.text != "", "the next turn did not stream a reply to [DONE]")
    final = c.call("getRun", run_id=run["id"])
    _require(final["status"] == "completed", f"the run is {final['status']!r} after the tool output, not completed")
    _require([a["status"] for a in final["actions"]] == ["completed"], f"the action is not completed: {final['actions']}")


def cancel_run(world: World) -> None:
    c, assistant, thread, message, run = _chat(world, "Tell me a long story")
    cancelled = c.call("cancelRun", run_id=run["id"])
    _require(cancelled["status"] == "cancelled" and cancelled["cancelled_at"], f"not cancelled: {cancelled}")
    c.call("cancelRun", run_id=run["id"], expect=400)  # already finished
    c.call("createCompletion", json={**_turn(assistant, thread, message, run), "stream": False}, expect=409)


def list_pages(world: World) -> None:
    c = world.caller
    thread = _create(world, c, "createThread", "deleteThread", "getThread", "thread_id", json={"meta_data": {}})
    assistant = _create(world, c, "createAssistant", "deleteAssistant", "getAssistant", "assistant_id",
                        json={"name": world.name("assistant"), "model": MODEL})
    ids = []
    for n in range(3):
        ids.append(c.call("createMessage", json=_message(thread, assistant, f"Message {n}"))["id"])
        time.sleep(1.05 if n < 2 else 0)  # created_at is in seconds: keep the order observable
    page = c.call("listMessages", thread_id=thread["id"], params={"limit": 2})
    _require([m["id"] for m in page["data"]] == ids[:2] and page["has_more"] is True, f"first page: {page}")
    whole = c.call("listMessages", thread_id=thread["id"], params={"limit": 3})
    _require(whole["has_more"] is False, "has_more is true on a page that holds every message")
    newest = c.call("listMessages", thread_id=thread["id"], params={"limit": 3, "order": "desc"})
    _require([m["id"] for m in newest["data"]] == ids[::-1], "order=desc is not newest first")


def cross_user(world: World) -> None:
    if world.other is None:
        raise Skip("needs a second user: pass --admin-key so the suite can create one")
    c, assistant, thread, message, run = _chat(world, "Private question")
    b = world.other
    b.call("getThread", thread_id=thread["id"], expect=DENIED)
    b.call("listMessages", thread_id=thread["id"], expect=DENIED)
    b.call("getMessage", message_id=message["id"], expect=DENIED)
    b.call("createMessage", json=_message(thread, assistant, "Let me in"), expect=DENIED)
    b.call("updateThread", thread_id=thread["id"], json={"meta_data": {"owner": "b"}}, expect=DENIED)
    b.call("getRun", run_id=run["id"], expect=DENIED)
    b.call("cancelRun", run_id=run["id"], expect=DENIED)
    b.call("getAssistant", assistant_id=assistant["id"], expect=DENIED)
    b.call("updateAssistant", assistant_id=assistant["id"], json={"name": "Taken"}, expect=DENIED)
    _require(c.call("getThread", thread_id=thread["id"])["meta_data"] == {}, "another user changed the thread")
    if world.user_id:
        b.call("getUser", user_id=world.user_id, expect=403)
    b.call("createUser", json={"email": f"b-{uuid.uuid4().hex[:8]}@example.com"}, expect=403)  # admin only


def cleanup(world: World) -> None:
    """Delete what the flows created, newest first; each delete must make the resource a 404."""
    broken = []
    while world.undo:
        what, undo = world.undo.pop()
        try:
            undo()
        except Break as error:
            broken.append(f"{what}: {error}")
    if broken:
        raise Break("deleted_then_not_found", "; ".join(broken))


FLOWS: list[Callable[[World], None]] = [
    user_and_key, text_turn, buffered_turn, tool_call_turn, cancel_run, list_pages, cross_user, cleanup,
]
NAMES = [flow.__name__ for flow in FLOWS]


def run_all(world: World, exclude: set[str]) -> list[Result]:
    results = []
    for flow in FLOWS:
        if flow.__name__ in exclude and flow is not cleanup:
            results.append(Result(flow.__name__, "skipped", "excluded"))
            continue
        started = time.monotonic()
        try:
            flow(world)
            result = Result(flow.__name__, "passed")
        except Skip as skip:
            result = Result(flow.__name__, "skipped", str(skip))
        except Break as error:
            result = Result(flow.__name__, "failed", str(error), error.check)
        except httpx.HTTPError as error:
            result = Result(flow.__name__, "failed", f"the request failed: {error!r}", "workflow")
        except (KeyError, TypeError, IndexError) as error:  # an answer without the shape the contract promises
            result = Result(flow.__name__, "failed", f"unexpected answer shape: {error!r}", "workflow")
        result.seconds = time.monotonic() - started
        results.append(result)
    return results


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise Break("workflow", message)


def _chat(world: World, question: str, tools: list[dict[str, Any]] | None = None) -> tuple[Client, Any, Any, Any, Any]:
    """An assistant, a thread, the user's question and a run on them, each undone by cleanup."""
    c = world.caller
    body = {"name": world.name("assistant"), "model": MODEL, "instructions": "Be brief.", "tools": tools or []}
    assistant = _create(world, c, "createAssistant", "deleteAssistant", "getAssistant", "assistant_id", json=body)
    thread = _create(world, c, "createThread", "deleteThread", "getThread", "thread_id", json={"meta_data": {}})
    message = _create(world, c, "createMessage", "deleteMessage", "getMessage", "message_id",
                      json=_message(thread, assistant, question))
    run = _create(world, c, "createRun", "deleteRun", "getRun", "run_id",
                  json={"assistant_id": assistant["id"], "thread_id": thread["id"]})
    return c, assistant, thread, message, run


def _create(world: World, c: Client, create: str, delete: str, read: str, key: str, *, json: Any) -> Any:
    made = c.call(create, json=json)
    world.undo.append((f"{create} {made['id']}", lambda: _delete(c, delete, read, **{key: made["id"]})))
    return made


def _delete(c: Client | None, delete: str, read: str, **path: str) -> None:
    assert c is not None
    c.call(delete, **path)
    c.call(read, expect=404, **path)


def _revoke(me: Client, user_id: str, issued: dict[str, Any]) -> None:
    me.call("revokeApiKey", user_id=user_id, key_prefix=issued["details"]["prefix"], expect=204)
    me.call("validateApiKey", expect=401)


def _turn(assistant: Any, thread: Any, message: Any, run: Any) -> dict[str, Any]:
    return {"model": MODEL, "thread_id": thread["id"], "message_id": message["id"], "run_id": run["id"],
            "assistant_id": assistant["id"], "api_key": None}


def _message(thread: Any, assistant: Any, content: str, role: str = "user", **extra: Any) -> dict[str, Any]:
    """A message body as the SDK sends it: all ten keys, nulls included."""
    return {"content": content, "thread_id": thread["id"], "sender_id": None, "assistant_id": assistant["id"],
            "role": role, "tool_id": None, "tool_call_id": None, "meta_data": {}, "is_last_chunk": False,
            "attachments": [], **extra}
