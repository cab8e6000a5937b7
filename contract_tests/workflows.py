"""Deterministic workflows: the official SDK's real flows over plain HTTP, against any server.
Where Schemathesis explores, these walk the paths a client depends on, in order: a user and a key,
a chat turn streamed to `[DONE]`, the tool-call loop, a cancel, paging, a file uploaded and
downloaded through its signed URL (file_flows.py), a vector store's life (vector_flows.py),
another user kept out, and a cleanup that checks every delete. A server may answer a question in
text where the mock would call a tool; that flow is then skipped ("no tool call offered"), not
failed."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

import httpx

from contract_tests import file_flows, intended, vector_flows
from contract_tests.client import Break, Skip
from contract_tests.sdk_bodies import MODEL, WEATHER_TOOL, message_body, run_body
from contract_tests.world import (
    DENIED,
    Result,
    World,
    chat,
    create,
    delete,
    require,
    revoke,
    turn_body,
    upload,
)


def user_and_key(world: World) -> None:
    if world.admin is None:
        raise Skip("needs admin rights to create a user (pass --admin-key)")
    email = f"contract-{uuid.uuid4().hex[:12]}@example.com"
    user = world.admin.call("createUser", json={"email": email, "full_name": world.name("user")}, expect=201)
    world.undo.append((f"user {user['id']}", lambda: delete(world.admin, "deleteUser", "getUser", user_id=user["id"])))
    issued = world.admin.call("createApiKey", user_id=user["id"], json={"key_name": "contract suite"}, expect=201)
    me = world.api.as_key(issued["plain_key"])
    whoami = me.call("validateApiKey")
    require(whoami["user_id"] == user["id"], f"validateApiKey names {whoami['user_id']}, not {user['id']}")
    require(me.call("getUser", user_id=user["id"])["id"] == user["id"], "getUser returned another user")
    prefixes = [key["prefix"] for key in me.call("listApiKeys", user_id=user["id"])["keys"]]
    require(issued["details"]["prefix"] in prefixes, f"listApiKeys does not list the new key: {prefixes}")
    me.call("createUser", json={"email": f"x{email}", "full_name": "Nobody"}, expect=403)  # admin only
    world.user, world.user_id, world.user_key_prefix = me, user["id"], issued["details"]["prefix"]
    world.undo.append((f"key {issued['details']['prefix']}", lambda: revoke(me, user["id"], issued)))


def provision_user(world: World) -> None:
    """The admin's one-call onboarding: safe to repeat, each call a fresh key, conflicts refused."""
    if world.admin is None:
        raise Skip("needs admin rights to provision a user (pass --admin-key)")
    admin, reference = world.admin, f"contract-{uuid.uuid4().hex[:12]}"
    body = {
        "email": f"{reference}@example.com",
        "full_name": world.name("provisioned"),
        "external_reference": reference,
    }
    first = admin.call("provisionUser", json=body)
    user_id = first["user"]["id"]
    world.undo.append((f"user {user_id}", lambda: delete(admin, "deleteUser", "getUser", user_id=user_id)))
    require(first["user_created"] is True, "provisioning a new external account did not create a user")
    again = admin.call("provisionUser", json=body)
    require(again["user"]["id"] == user_id and again["user_created"] is False, "provisioning twice made two users")
    require(again["keys_revoked"] == 1, f"the second call revoked {again['keys_revoked']} keys, not the first one")
    world.api.as_key(first["key"]["plain_key"]).call("validateApiKey", expect=401)  # replaced by the new key
    world.api.as_key(again["key"]["plain_key"]).call("validateApiKey")
    if world.user_id:  # an email of one user and the reference of another cannot be reconciled
        taken = admin.call("getUser", user_id=world.user_id)["email"]
        admin.call("provisionUser", json={**body, "email": taken}, expect=409)
        admin.call("updateUser", user_id=world.user_id, json={"email": body["email"]}, expect=409)


def text_turn(world: World) -> None:
    c, assistant, thread, message, run = chat(world, "Tell me something about lighthouses")
    require(run["status"] == "queued", f"a new run is {run['status']!r}, not 'queued'")
    stream = c.stream(turn_body(world, assistant, thread, message, run))
    require(stream.done, "the stream did not end with `data: [DONE]`")
    require(not stream.of_type("error"), f"the stream carried an error: {stream.of_type('error')}")
    require(stream.text != "", "the stream carried no content")
    require(c.call("getRun", run_id=run["id"])["status"] == "completed", "the run is not completed after the turn")
    last = c.call("listMessages", thread_id=thread["id"], params={"order": "desc", "limit": 1})["data"]
    require(bool(last) and last[0]["role"] == "assistant", f"the reply is not the thread's newest message: {last}")
    require(last[0]["content"] == stream.text, "the saved reply differs from the streamed text")


def buffered_turn(world: World) -> None:
    c, assistant, thread, message, run = chat(world, "Tell me about tides")
    answer = c.call("createCompletion", json={**turn_body(world, assistant, thread, message, run), "stream": False})
    require(answer["run_id"] == run["id"] and answer["content"] != "", f"an empty or foreign answer: {answer}")
    require(c.call("getRun", run_id=run["id"])["status"] == "completed", "the run is not completed after the turn")


def tool_call_turn(world: World) -> None:
    c, assistant, thread, message, run = chat(world, "What does get_weather say for Paris?", [WEATHER_TOOL])
    stream = c.stream(turn_body(world, assistant, thread, message, run))
    require(stream.done, "the stream did not end with `data: [DONE]`")
    manifests = stream.of_type("tool_call_manifest")
    if not manifests:
        raise Skip("no tool call offered: the assistant answered in text")
    call = manifests[0]
    require(call["run_id"] == run["id"] and call["tool"] == "get_weather", f"a manifest for another call: {call}")
    require(c.call("getRun", run_id=run["id"])["status"] == "action_required", "the run is not action_required")
    pending = c.call("listPendingActions", run_id=run["id"])
    require(call["action_id"] in [p["action_id"] for p in pending], f"the action is not pending: {pending}")
    c.call("updateAction", action_id=call["action_id"], json={"status": "processing"})
    output = json.dumps({"temperature_c": 18, "conditions": "sunny"})
    ids = {"tool_id": call["action_id"], "tool_call_id": call["tool_call_id"]}
    body = message_body(thread["id"], assistant["id"], output, role="tool", **ids)
    require(c.call("submitToolOutput", json=body)["role"] == "tool", "the tool output is not a `tool` message")
    c.call("updateAction", action_id=call["action_id"], json={"status": "completed", "result": {"ok": True}})
    follow_up = c.stream(turn_body(world, assistant, thread, message, run))
    require(follow_up.done and follow_up.text != "", "the next turn did not stream a reply to [DONE]")
    final = c.call("getRun", run_id=run["id"])
    require(final["status"] == "completed", f"the run is {final['status']!r} after the tool output, not completed")
    statuses = [action["status"] for action in final["actions"]]
    require(statuses == ["completed"], f"the action is not completed: {final['actions']}")


def cancel_run(world: World) -> None:
    c, assistant, thread, message, run = chat(world, "Tell me a long story")
    cancelled = c.call("cancelRun", run_id=run["id"])
    require(cancelled["status"] == "cancelled" and cancelled["cancelled_at"], f"not cancelled: {cancelled}")
    c.call("cancelRun", run_id=run["id"], expect=400)  # already finished
    c.call("createCompletion", json={**turn_body(world, assistant, thread, message, run), "stream": False}, expect=409)


def list_pages(world: World) -> None:
    """Three messages, paged: `has_more` is exact, and `order` decides which end comes first."""
    c = world.caller
    thread = create(world, c, "createThread", "deleteThread", "getThread", "thread_id", json={"meta_data": {}})
    body = {"name": world.name("assistant"), "model": MODEL}
    assistant = create(world, c, "createAssistant", "deleteAssistant", "getAssistant", "assistant_id", json=body)
    ids = []
    for n in range(3):
        ids.append(c.call("createMessage", json=message_body(thread["id"], assistant["id"], f"Message {n}"))["id"])
        time.sleep(1.05 if n < 2 else 0)  # created_at counts seconds: one apiece keeps the order observable
    envelope = "list_envelope_conformance"
    page = c.call("listMessages", thread_id=thread["id"], params={"limit": 2})
    require([m["id"] for m in page["data"]] == ids[:2], f"limit=2 does not hold the first two: {page}", envelope)
    require(page["has_more"] is True, "has_more is false, but a third message follows limit=2", envelope)
    whole = c.call("listMessages", thread_id=thread["id"], params={"limit": 3})
    require(whole["has_more"] is False, "has_more is true on a page of limit=3 that holds all 3 messages", envelope)
    newest = c.call("listMessages", thread_id=thread["id"], params={"limit": 3, "order": "desc"})
    require([m["id"] for m in newest["data"]] == ids[::-1], "order=desc is not newest first", envelope)


def cross_user(world: World) -> None:
    """A second user can neither read nor change the first user's data, nor use admin operations."""
    if world.other is None:
        raise Skip("needs a second user: pass --admin-key so the suite can create one")
    c, assistant, thread, message, run = chat(world, "Private question")
    action = c.call("createAction", json={"run_id": run["id"], "tool_name": "get_weather", "function_args": {}})
    file = upload(world, c, "contract-private.txt", b"Mine alone.")
    b, leak = world.other, "no_cross_user_access"  # every refusal below that does not come is a leak
    for operation_id, path in (
        ("getThread", {"thread_id": thread["id"]}),
        ("listMessages", {"thread_id": thread["id"]}),
        ("getMessage", {"message_id": message["id"]}),
        ("getRun", {"run_id": run["id"]}),
        ("getAction", {"action_id": action["id"]}),
        ("getAssistant", {"assistant_id": assistant["id"]}),
        ("cancelRun", {"run_id": run["id"]}),
        ("deleteMessage", {"message_id": message["id"]}),
        ("deleteAction", {"action_id": action["id"]}),
        ("deleteRun", {"run_id": run["id"]}),
        ("deleteThread", {"thread_id": thread["id"]}),
        ("deleteAssistant", {"assistant_id": assistant["id"]}),
        ("getFile", {"file_id": file["id"]}),
        ("getFileAsBase64", {"file_id": file["id"]}),
        ("getFileSignedUrl", {"file_id": file["id"]}),
        ("softDeleteFile", {"file_id": file["id"]}),
        ("deleteFile", {"file_id": file["id"]}),
    ):
        b.call(operation_id, expect=DENIED, check=leak, **path)
    for operation_id, body in (
        ("createMessage", message_body(thread["id"], assistant["id"], "Let me in")),
        ("submitToolOutput", message_body(thread["id"], assistant["id"], "{}", role="tool", tool_id=action["id"])),
        ("saveAssistantMessage", message_body(thread["id"], assistant["id"], "Hi", role="assistant")),
        ("createRun", run_body(assistant["id"], thread["id"])),
        ("createAction", {"run_id": run["id"], "tool_name": "get_weather"}),
    ):
        b.call(operation_id, json=body, expect=DENIED, check=leak)
    b.call("updateThread", thread_id=thread["id"], json={"meta_data": {"owner": "b"}}, expect=DENIED, check=leak)
    b.call("updateAssistant", assistant_id=assistant["id"], json={"name": "Taken"}, expect=DENIED, check=leak)
    vector_flows.stores_kept_from(world, c, b, c.call("validateApiKey")["user_id"], leak)
    require(c.call("getThread", thread_id=thread["id"])["meta_data"] == {}, "another user changed the thread", leak)
    require(c.call("getRun", run_id=run["id"])["status"] == "queued", "another user changed the run", leak)
    c.call("getFileSignedUrl", file_id=file["id"], check=leak)  # neither deleted nor soft-deleted by them
    # Driving the run names its thread: another thread is refused, whoever asks (the run is the credential).
    own = b.call("createThread", json={"meta_data": {}})
    b.call(
        "createCompletion",
        json={**turn_body(world, assistant, own, message, run), "stream": False},
        expect=403,
        check=leak,
    )
    b.call("deleteThread", thread_id=own["id"])
    if world.user_id and world.user_key_prefix:
        key = {"user_id": world.user_id, "key_prefix": world.user_key_prefix}
        b.call("getApiKey", expect=DENIED, check=leak, **key)
        b.call("revokeApiKey", expect=DENIED, check=leak, **key)
        b.call("getUser", user_id=world.user_id, expect=403, check=leak)
        b.call(
            "disassociateAssistantFromUser",
            user_id=world.user_id,
            assistant_id=assistant["id"],
            expect=DENIED,
            check=leak,
        )
        b.call("deleteUser", user_id=world.user_id, expect=403, check=leak)  # admin only
    b.call("createUser", json={"email": f"b-{uuid.uuid4().hex[:8]}@example.com"}, expect=403, check=leak)  # admin only
    provision = {"email": "nobody@example.com", "full_name": "Nobody", "external_reference": "contract-nobody"}
    b.call("provisionUser", json=provision, expect=403, check=leak)  # admin only
    # The platform's web and scratchpad tools are admin only too.
    url = {"url": "https://example.com/contract-tests"}
    for operation_id, body in (
        ("webRead", url),
        ("webScroll", {**url, "page": 0}),
        ("webSearch", {**url, "query": "contract"}),
        ("webSerp", {"query": "contract tests"}),
        ("scratchpadRead", {"thread_id": thread["id"]}),
        ("scratchpadUpdate", {"thread_id": thread["id"], "content": "taken"}),
        ("scratchpadAppend", {"thread_id": thread["id"], "note": "taken"}),
    ):
        b.call(operation_id, json=body, expect=403, check=leak)


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
    user_and_key,
    provision_user,
    text_turn,
    buffered_turn,
    tool_call_turn,
    cancel_run,
    list_pages,
    vector_flows.vector_store,
    *file_flows.FLOWS,  # an upload read back, signed and downloaded without a key
    cross_user,
    *intended.FLOWS,  # what the contract states as intended where the real server differs
    cleanup,
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
