"""Message handlers: create variants, read back, update, delete, exact pagination, formatted history."""

from __future__ import annotations

import json

import pytest

from tests.mock_server.conftest import message_body

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores


@pytest.fixture
def post(client, alice, thread):
    def post(content="Hello", path="/v1/messages", **extra):
        response = client.post(path, json=message_body(thread["id"], content, **extra), headers=alice.headers)
        assert response.status_code == 200, response.text
        return response.json()

    return post


def test_a_message_reads_back_as_written(client, alice, thread, post):
    created = post("What's the weather?", meta_data={"client": "web"})
    read = client.get(f"/v1/messages/{created['id']}", headers=alice.headers).json()
    assert read == created
    assert read["content"] == "What's the weather?" and read["meta_data"] == {"client": "web"}
    assert read["object"] == "message" and read["thread_id"] == thread["id"]
    assert read["run_id"] is None and read["status"] is None and read["completed_at"] is None


def test_a_multimodal_content_array_is_stored_as_sent(post):
    parts = [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:,"}}]
    assert post(parts)["content"] == parts


def test_roles_are_taken_or_forced_by_the_endpoint(post):
    assert post(role="system")["role"] == "system"
    assert post(path="/v1/messages/tools", role="user", tool_call_id="call_1")["role"] == "tool"
    reply = post(path="/v1/messages/assistant", role="user")
    assert reply["role"] == "assistant" and reply["completed_at"] is not None


def test_an_unknown_role_is_a_422_naming_the_field(client, alice, thread):
    response = client.post("/v1/messages", json=message_body(thread["id"], role="robot"), headers=alice.headers)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "role"] and error["type"] == "string_pattern_mismatch"


def test_a_role_in_any_case_is_taken_and_stored_lower_case_as_the_real_server_does(post):
    assert post(role="USER")["role"] == "user"


def test_posting_to_an_unknown_thread_is_404(client, alice):
    response = client.post("/v1/messages", json=message_body("thread_missing"), headers=alice.headers)
    assert (response.status_code, response.json()) == (404, {"detail": "Thread not found"})


def test_only_the_owner_may_post_a_participant_gets_403(client, alice, bob):
    thread = client.post("/v1/threads", json={"participant_ids": [bob.id]}, headers=alice.headers).json()
    response = client.post("/v1/messages", json=message_body(thread["id"]), headers=bob.headers)
    assert response.status_code == 403


def test_update_changes_only_the_keys_sent(client, alice, post):
    created = post("before", meta_data={"k": "v"})
    updated = client.put(f"/v1/messages/{created['id']}", json={"content": "after"}, headers=alice.headers).json()
    assert updated["content"] == "after" and updated["meta_data"] == {"k": "v"}


def test_a_deleted_message_is_gone(client, alice, post):
    created = post()
    deleted = client.delete(f"/v1/messages/{created['id']}", headers=alice.headers).json()
    assert deleted == {"id": created["id"], "object": "thread.message.deleted", "deleted": True}
    assert client.get(f"/v1/messages/{created['id']}", headers=alice.headers).status_code == 404


def test_another_users_message_is_forbidden(client, bob, post):
    response = client.get(f"/v1/messages/{post()['id']}", headers=bob.headers)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "You do not have permission to access this message."},
    )


@pytest.mark.parametrize(
    ("limit", "order", "expected", "has_more"),
    [(2, "asc", [0, 1], True), (3, "asc", [0, 1, 2], False), (2, "desc", [2, 1], True), (5, "desc", [2, 1, 0], False)],
)
def test_pages_are_exact_in_both_orders(client, alice, thread, post, limit, order, expected, has_more):
    ids = [post(f"m{i}")["id"] for i in range(3)]
    page = client.get(
        f"/v1/threads/{thread['id']}/messages", params={"limit": limit, "order": order}, headers=alice.headers
    ).json()
    assert [m["id"] for m in page["data"]] == [ids[i] for i in expected]
    assert page["first_id"] == ids[expected[0]] and page["last_id"] == ids[expected[-1]]
    assert page["has_more"] is has_more


def test_an_empty_thread_lists_an_empty_page(client, alice, thread):
    page = client.get(f"/v1/threads/{thread['id']}/messages", headers=alice.headers).json()
    assert page == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "order=sideways"])
def test_out_of_range_list_parameters_are_a_422(client, alice, thread, query):
    response = client.get(f"/v1/threads/{thread['id']}/messages?{query}", headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_formatted_history_shapes_tool_rows_and_tool_calls_for_the_llm(client, alice, thread, post):
    calls = [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]
    post("Weather?")
    post(json.dumps(calls), path="/v1/messages/assistant")
    post('{"temp": 18}', path="/v1/messages/tools", tool_call_id="call_1")
    history = client.get(f"/v1/threads/{thread['id']}/formatted_messages", headers=alice.headers).json()
    assert history == [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 18}'},
    ]


def test_a_message_row_holds_nothing_private_so_pages_may_serve_it_as_stored(store, client, alice, post):
    created = post()
    assert not [key for key in store.messages.get(created["id"]) if key.startswith("_")]
