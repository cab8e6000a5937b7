"""Workflows for what the contract states as intended where the real server differs: each step
asks for the documented behaviour, so a server that keeps it passes and one that does not is
named under the check its break belongs to (a 500 is always `not_a_server_error`).

- thread_metadata_kept, action_arguments_kept, burst_order_kept: a thread's `meta_data`, an
  action's `function_args`, and messages posted in one burst (same second) come back as sent, in
  the order they were made;
- nulls_refused: a null for a field every read requires is a 422, and the assistant stays readable;
- tool_output_content: a tool output whose content is an array of parts is stored;
- queries_validated: `order` and an action `status` outside their enums are a 422;
- writes_need_their_target: a reply cannot be saved into a thread that does not exist, and a
  thread's deletion takes its runs;
- ownership: another user cannot touch an action, share an assistant, or run in a thread they
  only take part in;
- bodies_parsed_first: every operation with a JSON body reads it before the key, as FastAPI does
  (a 400 for bytes it cannot decode, a 422 json_invalid for bad JSON, with no key at all); one
  that takes a form (the upload) never reads a body as JSON: without a key, it is a 401.
- vector_store_files_checked: a file id in use is a 409, a path or a file a store does not hold
  is a 404 (a file is changed only through its own store), a soft-deleted store takes no file,
  and an admin cannot make a store for a user who does not exist, nor with an id too long to keep.
"""

from __future__ import annotations

import uuid

from contract_tests import vector_flows
from contract_tests.client import Skip
from contract_tests.sdk_bodies import MODEL, message_body, run_body, vector_store_body
from contract_tests.world import DENIED, World, chat, create, require

KEPT = "kept_as_sent"
ORPHAN = "orphan_write"
LEAK = "no_cross_user_access"
REFUSED = "negative_data_rejection"


def thread_metadata_kept(world: World) -> None:
    c = world.caller
    meta = {"topic": "contract-suite", "n": 1}
    thread = create(world, c, "createThread", "deleteThread", "getThread", "thread_id", json={"meta_data": meta})
    require(thread["meta_data"] == meta, f"createThread answered meta_data {thread['meta_data']}, not {meta}", KEPT)
    read = c.call("getThread", thread_id=thread["id"])["meta_data"]
    require(read == meta, f"getThread reads meta_data {read}, not the {meta} it was created with", KEPT)


def action_arguments_kept(world: World) -> None:
    c, _, _, _, run = chat(world, "Keep my arguments")
    arguments = {"city": "Paris", "units": "metric"}
    action = c.call("createAction", json={"run_id": run["id"], "tool_name": "get_weather", "function_args": arguments})
    require(
        action["function_args"] == arguments, f"createAction answered function_args {action['function_args']}", KEPT
    )
    read = c.call("getAction", action_id=action["id"])["function_args"]
    require(read == arguments, f"getAction reads function_args {read}, not {arguments}", KEPT)


def burst_order_kept(world: World) -> None:
    c, assistant, thread, _, _ = chat(world, "Four at once")
    ids = [
        c.call("createMessage", json=message_body(thread["id"], assistant["id"], f"Burst {n}"))["id"] for n in range(4)
    ]
    listed = c.call("listMessages", thread_id=thread["id"], params={"limit": 10, "order": "asc"})["data"]
    order = "list_envelope_conformance"
    require(
        [m["id"] for m in listed][-4:] == ids, "messages made in one second are not listed in creation order", order
    )
    newest = c.call("listMessages", thread_id=thread["id"], params={"limit": 4, "order": "desc"})["data"]
    require([m["id"] for m in newest] == ids[::-1], "order=desc is not the reverse of the creation order", order)


def nulls_refused(world: World) -> None:
    c = world.caller
    body = {"name": world.name("assistant"), "model": MODEL}
    assistant = create(world, c, "createAssistant", "deleteAssistant", "getAssistant", "assistant_id", json=body)
    c.call("updateAssistant", assistant_id=assistant["id"], json={"top_p": None}, expect=422, check=REFUSED)
    read = c.call("getAssistant", assistant_id=assistant["id"])
    require(read["top_p"] == assistant["top_p"], f"top_p is {read['top_p']} after a refused null", KEPT)
    c.call("listAssistants")


def tool_output_content(world: World) -> None:
    c, assistant, thread, _, _ = chat(world, "Here is a tool's output")
    parts = [{"type": "text", "text": "18 °C and sunny"}]
    body = message_body(thread["id"], assistant["id"], parts, role="tool", tool_call_id="call_contract")  # type: ignore[arg-type]
    stored = c.call("submitToolOutput", json=body)
    require(stored["content"] == parts, f"the tool output's content reads {stored['content']!r}", KEPT)


def queries_validated(world: World) -> None:
    c, _, thread, _, run = chat(world, "Sort me sideways")
    c.call("listMessages", thread_id=thread["id"], params={"order": "sideways"}, expect=422, check=REFUSED)
    c.call("listActionsByStatus", run_id=run["id"], params={"status": "bogus"}, expect=422, check=REFUSED)


def writes_need_their_target(world: World) -> None:
    c = world.caller
    body = {"name": world.name("assistant"), "model": MODEL}
    assistant = create(world, c, "createAssistant", "deleteAssistant", "getAssistant", "assistant_id", json=body)
    missing = f"thread_{uuid.uuid4().hex[:22]}"
    orphan = message_body(missing, assistant["id"], "An orphan", role="assistant")
    c.call("saveAssistantMessage", json=orphan, expect=404, check="orphan_write")
    thread = c.call("createThread", json={"meta_data": {}})
    run = c.call("createRun", json=run_body(assistant["id"], thread["id"]))
    # Whatever the server does with the run, the cleanup leaves nothing behind.
    world.undo.append((f"run {run['id']}", lambda: c.call("deleteRun", run_id=run["id"], expect=(200, 404, 405))))
    c.call("deleteThread", thread_id=thread["id"])
    c.call("getRun", run_id=run["id"], expect=404, check="deleted_then_not_found")


def ownership(world: World) -> None:
    if world.other is None:
        raise Skip("needs a second user: pass --admin-key so the suite can create one")
    c, assistant, thread, _, run = chat(world, "My actions are mine")
    action = c.call("createAction", json={"run_id": run["id"], "tool_name": "get_weather", "function_args": {}})
    b = world.other
    b.call("updateAction", action_id=action["id"], json={"status": "failed"}, expect=DENIED, check=LEAK)
    b.call("listPendingActions", run_id=run["id"], expect=DENIED, check=LEAK)
    b.call("listActionsByStatus", run_id=run["id"], expect=DENIED, check=LEAK)
    b_id = b.call("validateApiKey")["user_id"]
    b.call("associateAssistantWithUser", user_id=b_id, assistant_id=assistant["id"], expect=403, check=LEAK)
    c.call("updateThread", thread_id=thread["id"], json={"participant_ids": [b_id]})
    own = b.call("createAssistant", json={"name": world.name("assistant"), "model": MODEL})
    try:
        b.call("createRun", json=run_body(own["id"], thread["id"]), expect=DENIED, check=LEAK)
    finally:
        b.call("deleteAssistant", assistant_id=own["id"])
    require(c.call("getAction", action_id=action["id"])["status"] == "pending", "another user changed the action", LEAK)


UNDECODABLE = b'{"content": "\xff\xfe"}'  # not UTF-8


def bodies_parsed_first(world: World) -> None:
    anonymous = world.api.as_key(None, "NO_KEY")
    for operation in world.api.contract.operations.values():
        if not operation.takes_body or operation.id in world.api.excluded:
            continue
        path = {name: f"{name}_contract" for name in operation.path_parameters}
        if "application/json" not in operation.body_media_types:  # a form: a JSON body is no form at all
            anonymous.send_raw(operation.id, UNDECODABLE, expect=401, **path)
            continue
        anonymous.send_raw(operation.id, UNDECODABLE, expect=400, **path)
        anonymous.send_raw(operation.id, b'{"content": ', expect=422, **path)


def vector_store_files_checked(world: World) -> None:
    c = world.caller
    store, other = vector_flows.make_store(world, c), vector_flows.make_store(world, c)
    sid, oid = store["id"], other["id"]
    record = c.call("addVectorStoreFile", vector_store_id=sid, json=vector_flows.file_body(status="queued"), expect=201)
    taken = vector_flows.file_body("again.md", file_id=record["id"])
    c.call("addVectorStoreFile", vector_store_id=oid, json=taken, expect=409)
    c.call(
        "deleteVectorStoreFile", vector_store_id=sid, params={"file_path": "/docs/none.md"}, expect=404, check=ORPHAN
    )
    missing = f"vsf_{uuid.uuid4()}"
    c.call("updateVectorStoreFileStatus", vector_store_id=sid, file_id=missing, json={"status": "failed"}, expect=404)
    c.call(
        "updateVectorStoreFileStatus",
        vector_store_id=oid,
        file_id=record["id"],
        json={"status": "failed"},
        expect=404,
        check=ORPHAN,
    )
    files = c.call("listVectorStoreFiles", vector_store_id=sid)
    require([f["status"] for f in files] == ["queued"], f"a file changed through another store: {files}", KEPT)
    c.call("deleteVectorStore", vector_store_id=oid, expect=204)
    c.call("addVectorStoreFile", vector_store_id=oid, json=vector_flows.file_body(), expect=404, check=ORPHAN)
    require(
        c.call("getVectorStore", vector_store_id=oid)["file_count"] == 0, "a soft-deleted store took a file", ORPHAN
    )
    if world.admin is not None:
        body = vector_store_body(world.name("store"))
        params = {"owner_id": f"user_{uuid.uuid4().hex[:22]}"}
        world.admin.call("createVectorStore", params=params, json=body, expect=404, check=ORPHAN)
        world.admin.call("createVectorStore", json={**body, "shared_id": "vect_" + "x" * 60}, expect=422, check=REFUSED)


FLOWS = [
    thread_metadata_kept,
    action_arguments_kept,
    burst_order_kept,
    nulls_refused,
    tool_output_content,
    queries_validated,
    writes_need_their_target,
    ownership,
    bodies_parsed_first,
    vector_store_files_checked,
]
