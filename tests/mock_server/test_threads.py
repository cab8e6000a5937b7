"""Thread handlers: ownership, participants, merge vs replace of metadata, cascading delete."""

from __future__ import annotations

import pytest

from tests.mock_server.conftest import message_body

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores


def test_a_new_thread_is_owned_by_its_creator_who_is_its_first_participant(client, alice, thread):
    assert thread["owner_id"] == alice.id
    assert [p["id"] for p in thread["participants"]] == [alice.id]
    assert thread["object"] == "thread" and thread["tool_resources"] == {}


def test_a_thread_keeps_the_metadata_it_was_created_with(client, alice):
    created = client.post("/v1/threads", json={"meta_data": {"topic": "billing"}}, headers=alice.headers).json()
    read = client.get(f"/v1/threads/{created['id']}", headers=alice.headers).json()
    assert read["meta_data"] == {"topic": "billing"}


def test_unknown_participants_are_a_400_not_a_500(client, alice):
    response = client.post("/v1/threads", json={"participant_ids": ["user_nope"]}, headers=alice.headers)
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid user IDs"}


def test_a_participant_may_read_the_thread_but_not_change_it(client, alice, bob):
    body = {"participant_ids": [bob.id]}
    thread = client.post("/v1/threads", json=body, headers=alice.headers).json()
    assert client.get(f"/v1/threads/{thread['id']}", headers=bob.headers).status_code == 200
    denied = client.put(f"/v1/threads/{thread['id']}", json={"meta_data": {"x": 1}}, headers=bob.headers)
    assert denied.status_code == 403
    assert denied.json() == {"detail": "You do not have permission to modify this thread."}


def test_an_outsider_cannot_read_a_thread(client, thread, bob):
    response = client.get(f"/v1/threads/{thread['id']}", headers=bob.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to access this thread."}


def test_update_merges_metadata_and_replaces_tool_resources(client, alice, thread):
    url = f"/v1/threads/{thread['id']}"
    client.put(
        url, json={"meta_data": {"a": 1}, "tool_resources": {"file_search": {"ids": [1]}}}, headers=alice.headers
    )
    updated = client.put(
        url, json={"participant_ids": None, "meta_data": {"b": 2}, "tool_resources": {"code_interpreter": {}}},
        headers=alice.headers,
    ).json()  # fmt: skip
    assert updated["meta_data"] == {"a": 1, "b": 2}
    assert updated["tool_resources"] == {"code_interpreter": {}}


def test_the_metadata_endpoint_replaces_metadata(client, alice, thread):
    url = f"/v1/threads/{thread['id']}"
    client.put(url, json={"meta_data": {"a": 1}}, headers=alice.headers)
    replaced = client.put(f"{url}/metadata", json={"b": 2}, headers=alice.headers).json()
    assert replaced["meta_data"] == {"b": 2}


def test_update_can_replace_participants_but_keeps_the_owner(client, alice, bob, thread):
    url = f"/v1/threads/{thread['id']}"
    updated = client.put(url, json={"participant_ids": [bob.id]}, headers=alice.headers).json()
    assert [p["id"] for p in updated["participants"]] == [alice.id, bob.id]
    assert client.get("/v1/threads/user/" + bob.id, headers=bob.headers).json() == [thread["id"]]


def test_deleting_a_thread_deletes_its_messages_then_answers_404(client, alice, thread):
    message = client.post("/v1/messages", json=message_body(thread["id"]), headers=alice.headers).json()
    deleted = client.delete(f"/v1/threads/{thread['id']}", headers=alice.headers)
    assert deleted.json() == {"id": thread["id"], "object": "thread.deleted", "deleted": True}
    assert client.get(f"/v1/messages/{message['id']}", headers=alice.headers).status_code == 404
    again = client.delete(f"/v1/threads/{thread['id']}", headers=alice.headers)
    assert (again.status_code, again.json()) == (404, {"detail": "Thread not found"})


def test_listing_another_users_threads_is_forbidden_but_an_admin_may(client, alice, bob, admin, thread):
    assert client.get(f"/v1/threads/user/{alice.id}", headers=bob.headers).status_code == 403
    listed = client.get(f"/v1/threads/user/{alice.id}/records", headers=admin.headers)
    assert [t["id"] for t in listed.json()] == [thread["id"]]
    assert "participants" not in listed.json()[0]
