"""Live resources for the hostile requests to point at, made over HTTP with the admin's key, and
a body each operation would take (its contract example, with the live ids put in)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx

from contract_tests.sdk_bodies import (
    MODEL,
    WEATHER_TOOL,
    file_upload,
    message_body,
    run_body,
    vector_store_body,
    vectors_body,
)
from mock_server.spec import Operation, Resolver

IDS_IN_BODIES = ("thread_id", "assistant_id", "run_id", "message_id", "user_id", "tool_id")


def make(client: httpx.Client) -> dict[str, str]:
    """A user with a key, an assistant, a thread with a message, a run, an action, a file and a
    vector store holding a file; their ids by the parameter names the contract gives them."""

    def post(path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        response = client.post(path, json=body)
        if response.status_code != status:
            raise RuntimeError(f"setting up: POST {path} answered {response.status_code}: {response.text[:300]}")
        return response.json()

    user = post("/v1/users", {"email": f"fuzz-{uuid.uuid4().hex[:12]}@example.com", "full_name": "Fuzz"}, 201)
    key = post(f"/v1/users/{user['id']}/apikeys", {"key_name": "fuzz"}, 201)
    assistant = post("/v1/assistants", {"name": "Fuzz", "model": MODEL, "tools": [WEATHER_TOOL]})
    thread = post("/v1/threads", {"meta_data": {}})
    message = post("/v1/messages", message_body(thread["id"], assistant["id"], "get_weather for Paris"))
    run = post("/v1/runs", run_body(assistant["id"], thread["id"]))
    action = post("/v1/actions", {"run_id": run["id"], "tool_name": "get_weather", "function_args": {}})
    store = post("/v1/vector-stores", vector_store_body("Fuzz"), 201)
    post(
        f"/v1/vector-stores/{store['id']}/vectors", vectors_body(["Fuzz"], [[1.0, 0.0, 0.0]]), 201
    )  # the store holds a file (its file_id is the files one: fuzz has one id per name)
    data, files = file_upload("fuzz.txt", b"A file to attack.")
    file = client.post("/v1/uploads", data=data, files=files)
    if file.status_code != 201:
        raise RuntimeError(f"setting up: POST /v1/uploads answered {file.status_code}: {file.text[:300]}")
    return {
        "user_id": user["id"],
        "target_user_id": user["id"],
        "key_prefix": key["details"]["prefix"],
        "assistant_id": assistant["id"],
        "thread_id": thread["id"],
        "message_id": message["id"],
        "run_id": run["id"],
        "action_id": action["id"],
        "vector_store_id": store["id"],
        "file_id": file.json()["id"],
    }


def bodies(
    operations: dict[str, Operation], document: dict[str, Any], ids: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Each body-taking operation's first request example, pointed at the live ids."""
    found: dict[str, dict[str, Any]] = {}
    resolve = Resolver(document)
    for path_item in document["paths"].values():
        for raw in path_item.values():
            if not isinstance(raw, dict) or "requestBody" not in raw:
                continue
            media = resolve(raw["requestBody"]).get("content", {}).get("application/json", {})
            examples = media.get("examples") or {}
            value = next(iter(examples.values()))["value"] if examples else media.get("example", {})
            if isinstance(value, dict):
                body = copy.deepcopy(value)
                for name in IDS_IN_BODIES:
                    if name in body and name in ids:
                        body[name] = ids[name]
                found[raw["operationId"]] = body
    return {op: body for op, body in found.items() if op in operations}
