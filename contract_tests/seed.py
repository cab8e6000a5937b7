"""Live resources made before Schemathesis runs and handed to it as dictionaries: a path parameter
or body field named `thread_id` (and so on) then takes a real id half of the time, so generated
requests reach real objects instead of stopping at 404. A fresh user's server has nothing for the
suite to find otherwise.

They belong to the key under test. `user_id` names a throwaway user when we have admin rights
(Schemathesis deletes whichever user it is handed), or else the caller, whom a non-admin cannot
delete. Nothing is seeded for `key_prefix`: revoking the key under test would end the run."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from contract_tests.client import Break, Client
from contract_tests.sdk_bodies import (
    MODEL,
    WEATHER_TOOL,
    file_upload,
    message_body,
    run_body,
    vector_store_body,
    vectors_body,
)

PROBABILITY = 0.5


@dataclass
class Seeded:
    ids: dict[str, list[str]] = field(default_factory=dict)  # field name -> live ids
    # (caller, operation, path parameters, query): what deletes each seeded resource.
    undo: list[tuple[Client, str, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    problem: str = ""

    def add(self, name: str, value: str) -> None:
        self.ids.setdefault(name, []).append(value)

    def remove(self) -> None:
        """Delete what is left, newest first; Schemathesis may have deleted some already."""
        for client, operation_id, path, query in reversed(self.undo):
            with contextlib.suppress(Break, httpx.HTTPError):
                client.call(operation_id, expect=(200, 204, 403, 404), params=query or None, **path)


def seed(api: Client, admin: Client | None, caller_id: str | None) -> Seeded:
    seeded = Seeded()
    try:
        _resources(api, seeded)
        _users(admin, caller_id, seeded)
    except (Break, httpx.HTTPError, KeyError, TypeError) as error:
        seeded.problem = f"could not seed resources for Schemathesis ({error}); it runs with what it has"
    return seeded


def _resources(c: Client, seeded: Seeded) -> None:
    for n, tools in enumerate(([WEATHER_TOOL], [])):
        body = {"name": f"contract-suite seed {n}", "model": MODEL, "tools": tools}
        assistant = _make(c, seeded, "createAssistant", "deleteAssistant", "assistant_id", body)
        thread = _make(c, seeded, "createThread", "deleteThread", "thread_id", {"meta_data": {}})
        message = message_body(thread, assistant, "What does get_weather say for Paris?")
        _make(c, seeded, "createMessage", "deleteMessage", "message_id", message)
        run = _make(c, seeded, "createRun", "deleteRun", "run_id", run_body(assistant, thread))
        call = {"run_id": run, "tool_name": "get_weather", "function_args": {"city": "Paris"}}
        _make(c, seeded, "createAction", "deleteAction", "action_id", call)
    file = c.call("uploadFile", form=file_upload("contract-seed.txt", b"A file for Schemathesis."), expect=201)["id"]
    seeded.undo.append((c, "deleteFile", {"file_id": file}, {}))
    seeded.add("file_id", file)
    _vector_store(c, seeded)


def _vector_store(c: Client, seeded: Seeded) -> None:
    """A 3-dimensional store with one file of two chunks, removed for good afterwards (a soft
    delete would leave it readable)."""
    store = c.call("createVectorStore", json=vector_store_body("contract-suite seed store"), expect=201)["id"]
    seeded.undo.append((c, "deleteVectorStore", {"vector_store_id": store}, {"permanent": True}))
    seeded.add("vector_store_id", store)
    body = vectors_body(
        ["Refunds are paid within 14 days.", "Our office opens at nine."], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    )
    stored = c.call("addVectorStoreVectors", vector_store_id=store, json=body, expect=(201, 404))
    record = (
        stored["file"] if "file" in stored else c.call("addVectorStoreFile", vector_store_id=store, json=body["file"])
    )
    seeded.add("file_id", record["id"])


def _users(admin: Client | None, caller_id: str | None, seeded: Seeded) -> None:
    if admin is None:
        if caller_id:
            seeded.add("user_id", caller_id)
        return
    email = f"contract-seed-{uuid.uuid4().hex[:12]}@example.com"
    user = admin.call("createUser", json={"email": email, "full_name": "Contract suite: seed user"}, expect=201)
    seeded.undo.append((admin, "deleteUser", {"user_id": user["id"]}, {}))
    seeded.add("user_id", user["id"])
    seeded.add("target_user_id", user["id"])


def _make(c: Client, seeded: Seeded, create: str, delete: str, name: str, body: dict[str, Any]) -> str:
    made = c.call(create, json=body)["id"]
    seeded.undo.append((c, delete, {name: made}, {}))
    seeded.add(name, made)
    return made


def config(seeded: Seeded) -> dict[str, Any]:
    """The `dictionaries` and `parameters` sections of the Schemathesis config (a binding for a
    field an operation does not have is dropped for that operation)."""
    parameters: dict[str, Any] = {}
    for name in seeded.ids:
        for location in ("path", "body"):
            parameters[f"{location}.{name}"] = {"dictionary": name, "probability": PROBABILITY}
    return {
        "dictionaries": {name: {"values": values} for name, values in seeded.ids.items()},
        "parameters": parameters,
    }
