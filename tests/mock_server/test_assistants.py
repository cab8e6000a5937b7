"""Assistants: creation with the real server's defaults, reserved tool names, listing owned and shared
assistants, owner-only updates and soft or permanent deletion."""

from __future__ import annotations

import re
from typing import Any

import pytest

from contract_tests.sdk_bodies import WEATHER_TOOL
from tests.mock_server.conftest import DEMO_ASSISTANT, Caller

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

ASSISTANT_ID = re.compile(r"asst_[A-Za-z0-9]{22}")
DENIED = {"detail": "You do not have permission to access this assistant."}
NOT_FOUND = {"detail": "Assistant not found"}
# What the SDK's create_assistant sends: all 20 keys, defaults and nulls included.
SDK_PAYLOAD = {
    "id": None,
    "name": "Trip Planner",
    "description": "",
    "model": "hyperbolic/deepseek-ai/DeepSeek-V3",
    "instructions": "Plan short city trips.",
    "tools": None,
    "tool_resources": None,
    "meta_data": None,
    "top_p": 1.0,
    "temperature": 1.0,
    "response_format": "auto",
    "max_tokens": None,
    "max_turns": 1,
    "agent_mode": False,
    "web_access": False,
    "deep_research": False,
    "engineer": False,
    "decision_telemetry": False,
    "webhook_url": None,
    "webhook_secret": None,
}
EVERYTHING = {
    "name": "Weather Bot",
    "description": "Answers weather questions.",
    "model": "m-1",
    "instructions": "Be brief.",
    "tools": [WEATHER_TOOL, {"type": "code_interpreter"}],
    "tool_resources": {"code_interpreter": {"file_ids": ["file_1"]}},
    "meta_data": {"team": "demo", "tier": "free"},
    "top_p": 0.5,
    "temperature": 0.4,
    "response_format": "json_object",
    "max_tokens": 1024,
    "max_turns": 3,
    "agent_mode": True,
    "web_access": True,
    "deep_research": True,
    "engineer": True,
    "decision_telemetry": True,
}


def create(client, owner: Caller, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/assistants", json={"name": "A", "model": "m", **body}, headers=owner.headers)
    assert response.status_code == 200, response.text
    return response.json()


def reserved_error(name: str, tools: list[dict[str, Any]]) -> dict[str, Any]:
    msg = (
        f"Value error, The function name '{name}' is reserved for internal platform use. "
        "Please choose a different name for your custom tool."
    )
    return {
        "detail": [{"type": "value_error", "loc": ["body", "tools"], "msg": msg, "input": tools, "ctx": {"error": {}}}]
    }


# --- create ---------------------------------------------------------------------------------------


def test_the_sdk_payload_creates_an_assistant_with_the_real_servers_defaults(client, alice):
    response = client.post("/v1/assistants", json=SDK_PAYLOAD, headers=alice.headers)
    assert response.status_code == 200
    assistant = response.json()
    assert ASSISTANT_ID.fullmatch(assistant["id"])
    assert isinstance(assistant["created_at"], int)
    assert assistant["owner_id"] == alice.id and assistant["user_id"] is None
    assert assistant["object"] == "assistant"
    assert assistant["tools"] == [] and assistant["vector_stores"] == [] and assistant["webhook_url"] is None
    expected = {k: v for k, v in SDK_PAYLOAD.items() if k not in ("id", "tools", "webhook_url", "webhook_secret")}
    assert {k: assistant[k] for k in expected} == expected


def test_omitted_fields_take_their_defaults(client, alice):
    assistant = create(client, alice)
    assert {k: assistant[k] for k in ("description", "instructions", "top_p", "temperature")} == {
        "description": "",
        "instructions": "",
        "top_p": 1.0,
        "temperature": 1.0,
    }
    assert (assistant["response_format"], assistant["max_turns"], assistant["max_tokens"]) == ("auto", 1, None)
    assert not any(assistant[flag] for flag in ("agent_mode", "web_access", "deep_research", "engineer"))


def test_every_field_written_reads_back_equal(client, alice):
    assistant = create(client, alice, **EVERYTHING)
    assert {k: assistant[k] for k in EVERYTHING} == EVERYTHING
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=alice.headers).json() == assistant


def test_webhook_settings_are_accepted_but_not_kept(client, alice):
    assistant = create(client, alice, webhook_url="https://example.com/hook", webhook_secret="s" * 16)
    assert assistant["webhook_url"] is None
    assert "webhook_secret" not in assistant


def test_a_client_supplied_id_is_kept_and_a_taken_one_is_a_400(client, alice, bob):
    wanted = "asst_ClientChosenId00000001"
    assert create(client, alice, id=wanted)["id"] == wanted
    response = client.post("/v1/assistants", json={"id": wanted, "name": "B", "model": "m"}, headers=bob.headers)
    assert response.status_code == 400
    assert response.json() == {"detail": f"Assistant with ID '{wanted}' already exists"}


def test_the_id_of_a_soft_deleted_assistant_stays_taken(client, alice):
    assistant = create(client, alice)
    client.delete(f"/v1/assistants/{assistant['id']}", headers=alice.headers)
    response = client.post(
        "/v1/assistants", json={"id": assistant["id"], "name": "B", "model": "m"}, headers=alice.headers
    )
    assert response.status_code == 400


RESERVED = "code_interpreter file_search web_search search_web_page scroll_web_page read_web_page perform_web_search"


@pytest.mark.parametrize("name", [*RESERVED.split(), "vector_store_search", "computer"])
def test_a_function_tool_named_like_a_platform_tool_is_rejected(client, alice, name):
    tools = [WEATHER_TOOL, {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}]
    response = client.post("/v1/assistants", json={"name": "A", "model": "m", "tools": tools}, headers=alice.headers)
    assert response.status_code == 422
    assert response.json() == reserved_error(name, tools)
    assert client.get("/v1/assistants", headers=alice.headers).json() == []


def test_platform_tools_themselves_are_allowed(client, alice):
    tools = [{"type": "web_search"}, {"type": "code_interpreter"}]
    assert create(client, alice, tools=tools)["tools"] == tools


@pytest.mark.parametrize(
    ("body", "loc", "kind"),
    [
        ({"name": "A"}, ["body", "model"], "missing"),
        ({"name": "A", "model": "m", "temperature": 3}, ["body", "temperature"], "less_than_equal"),
        ({"name": "A", "model": "m", "top_p": 1.5}, ["body", "top_p"], "less_than_equal"),
        ({"name": "A", "model": "m", "max_turns": 0}, ["body", "max_turns"], "greater_than_equal"),
        ({"name": "A", "model": "m", "webhook_secret": "short"}, ["body", "webhook_secret"], "string_too_short"),
    ],
)
def test_an_invalid_create_body_is_a_422_on_the_field(client, alice, body, loc, kind):
    response = client.post("/v1/assistants", json=body, headers=alice.headers)
    assert response.status_code == 422
    assert [(item["loc"], item["type"]) for item in response.json()["detail"]] == [(loc, kind)]


def test_creating_an_assistant_needs_a_key(client):
    response = client.post("/v1/assistants", json={"name": "A", "model": "m"})
    assert (response.status_code, response.json()) == (401, {"detail": "Missing API Key in 'X-API-Key' header."})


# --- list, read -----------------------------------------------------------------------------------


def test_the_list_holds_owned_and_shared_assistants_oldest_first_and_not_others_or_deleted(client, alice, bob):
    first = create(client, alice, name="first")
    shared = create(client, bob, name="shared")
    create(client, bob, name="bob's own")
    deleted = create(client, alice, name="deleted")
    last = create(client, alice, name="last")
    client.post(f"/v1/users/{alice.id}/assistants/{shared['id']}", headers=bob.headers)
    client.delete(f"/v1/assistants/{deleted['id']}", headers=alice.headers)

    response = client.get("/v1/assistants", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == [first, shared, last]


def test_a_new_user_has_no_assistants_and_the_admin_has_the_demo_one(client, admin, alice):
    assert client.get("/v1/assistants", headers=alice.headers).json() == []
    assert [a["id"] for a in client.get("/v1/assistants", headers=admin.headers).json()] == [DEMO_ASSISTANT]


def test_another_users_assistant_cannot_be_read(client, alice, bob):
    assistant = create(client, alice)
    response = client.get(f"/v1/assistants/{assistant['id']}", headers=bob.headers)
    assert (response.status_code, response.json()) == (403, DENIED)


def test_an_unknown_assistant_is_404(client, alice):
    response = client.get("/v1/assistants/asst_NoSuchAssistant000000000", headers=alice.headers)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# --- update ---------------------------------------------------------------------------------------


def test_an_update_changes_only_the_keys_sent(client, alice):
    assistant = create(client, alice, **EVERYTHING)
    response = client.put(
        f"/v1/assistants/{assistant['id']}", json={"name": "Weather Bot v2", "temperature": 0.2}, headers=alice.headers
    )
    assert response.status_code == 200
    assert response.json() == {**assistant, "name": "Weather Bot v2", "temperature": 0.2}
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=alice.headers).json() == response.json()


def test_an_update_replaces_metadata_and_tools_rather_than_merging(client, alice):
    assistant = create(client, alice, **EVERYTHING)
    body = {"meta_data": {"team": "research"}, "tools": [WEATHER_TOOL]}
    updated = client.put(f"/v1/assistants/{assistant['id']}", json=body, headers=alice.headers).json()
    assert updated["meta_data"] == {"team": "research"}
    assert updated["tools"] == [WEATHER_TOOL]


def test_nulls_clear_optional_fields(client, alice):
    assistant = create(client, alice, **EVERYTHING)
    body = {"max_tokens": None, "meta_data": None, "tools": None}
    updated = client.put(f"/v1/assistants/{assistant['id']}", json=body, headers=alice.headers).json()
    assert (updated["max_tokens"], updated["meta_data"], updated["tools"]) == (None, None, [])


@pytest.mark.parametrize(
    "field", ["name", "model", "top_p", "temperature", "response_format", "max_turns", "agent_mode"]
)
def test_a_null_for_a_field_every_read_requires_is_a_422_and_changes_nothing(client, alice, field):
    # The real server stores some of these nulls, answers 500, and then fails every read.
    assistant = create(client, alice, **EVERYTHING)
    response = client.put(f"/v1/assistants/{assistant['id']}", json={field: None}, headers=alice.headers)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", field]
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=alice.headers).json() == assistant


def test_users_null_removes_every_share_as_the_real_server_does(client, alice, bob):
    assistant = create(client, alice)
    client.put(f"/v1/assistants/{assistant['id']}", json={"users": [bob.id]}, headers=alice.headers)
    assert [a["id"] for a in client.get("/v1/assistants", headers=bob.headers).json()] == [assistant["id"]]
    client.put(f"/v1/assistants/{assistant['id']}", json={"users": None}, headers=alice.headers)
    assert client.get("/v1/assistants", headers=bob.headers).json() == []


def test_vector_stores_and_webhooks_in_an_update_are_accepted_and_not_kept(client, alice):
    assistant = create(client, alice)
    body = {"vector_stores": ["vect_1"], "webhook_url": "https://example.com/h", "webhook_secret": "x" * 16}
    response = client.put(f"/v1/assistants/{assistant['id']}", json=body, headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == assistant


def test_users_in_an_update_set_who_the_assistant_is_shared_with(client, alice, bob, make_user):
    carol = make_user(full_name="Carol")
    assistant = create(client, alice)
    path = f"/v1/assistants/{assistant['id']}"
    body = {"users": [bob.id, carol.id, "user_NoSuchUser0000000000000"]}
    assert client.put(path, json=body, headers=alice.headers).status_code == 200
    assert client.get(path, headers=bob.headers).status_code == 200
    assert client.get(path, headers=carol.headers).status_code == 200
    client.put(path, json={"users": [carol.id]}, headers=alice.headers)
    assert client.get(path, headers=bob.headers).status_code == 403
    assert client.get("/v1/assistants", headers=carol.headers).json() == [assistant]


def test_an_unknown_key_in_an_update_is_a_422(client, alice):
    assistant = create(client, alice)
    for body, name in (({"nickname": "Sunny"}, "nickname"), ({"id": "asst_Other"}, "id")):
        response = client.put(f"/v1/assistants/{assistant['id']}", json=body, headers=alice.headers)
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {
                "type": "extra_forbidden",
                "loc": ["body", name],
                "msg": "Extra inputs are not permitted",
                "input": body[name],
            }
        ]


def test_an_update_cannot_add_a_function_tool_with_a_reserved_name(client, alice):
    assistant = create(client, alice)
    tools = [{"type": "function", "function": {"name": "file_search"}}]
    response = client.put(f"/v1/assistants/{assistant['id']}", json={"tools": tools}, headers=alice.headers)
    assert response.status_code == 422
    assert response.json() == reserved_error("file_search", tools)


def test_only_the_owner_may_update_even_a_user_it_is_shared_with(client, alice, bob, make_user):
    carol = make_user(full_name="Carol")
    assistant = create(client, alice)
    client.post(f"/v1/users/{carol.id}/assistants/{assistant['id']}", headers=alice.headers)
    for caller in (bob, carol):
        response = client.put(f"/v1/assistants/{assistant['id']}", json={"name": "Mine"}, headers=caller.headers)
        assert (response.status_code, response.json()) == (403, DENIED)
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=alice.headers).json()["name"] == "A"


def test_updating_an_unknown_assistant_is_404(client, alice):
    response = client.put("/v1/assistants/asst_NoSuchAssistant000000000", json={"name": "X"}, headers=alice.headers)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# --- delete ---------------------------------------------------------------------------------------


def test_a_soft_deleted_assistant_is_gone_to_reads_updates_lists_and_a_second_soft_delete(client, alice):
    assistant = create(client, alice)
    path = f"/v1/assistants/{assistant['id']}"
    response = client.delete(path, headers=alice.headers)
    assert response.status_code == 204 and response.content == b""
    for gone in (
        client.get(path, headers=alice.headers),
        client.put(path, json={"name": "B"}, headers=alice.headers),
        client.delete(path, headers=alice.headers),
    ):
        assert (gone.status_code, gone.json()) == (404, NOT_FOUND)
    assert client.get("/v1/assistants", headers=alice.headers).json() == []


def test_a_soft_deleted_assistant_is_kept_and_stamped(client, alice, store):
    assistant = create(client, alice)
    client.delete(f"/v1/assistants/{assistant['id']}?permanent=false", headers=alice.headers)
    row = store.assistants.get(assistant["id"])
    assert isinstance(row["_deleted_at"], int) and row["_deleted_at"] >= assistant["created_at"]


def test_a_permanent_delete_removes_the_assistant_and_frees_its_id(client, alice, store):
    assistant = create(client, alice)
    response = client.delete(f"/v1/assistants/{assistant['id']}?permanent=true", headers=alice.headers)
    assert response.status_code == 204
    assert store.assistants.get(assistant["id"]) is None
    assert create(client, alice, id=assistant["id"])["id"] == assistant["id"]


def test_a_permanent_delete_also_removes_a_soft_deleted_assistant(client, alice, store):
    assistant = create(client, alice)
    client.delete(f"/v1/assistants/{assistant['id']}", headers=alice.headers)
    response = client.delete(f"/v1/assistants/{assistant['id']}?permanent=true", headers=alice.headers)
    assert response.status_code == 204
    assert store.assistants.get(assistant["id"]) is None
    again = client.delete(f"/v1/assistants/{assistant['id']}?permanent=true", headers=alice.headers)
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("permanent", ["false", "true"])
def test_another_user_cannot_delete_an_assistant(client, alice, bob, permanent):
    assistant = create(client, alice)
    response = client.delete(f"/v1/assistants/{assistant['id']}?permanent={permanent}", headers=bob.headers)
    assert (response.status_code, response.json()) == (403, DENIED)
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=alice.headers).status_code == 200


def test_permanent_must_be_a_boolean(client, alice):
    assistant = create(client, alice)
    response = client.delete(f"/v1/assistants/{assistant['id']}?permanent=maybe", headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "permanent"]
