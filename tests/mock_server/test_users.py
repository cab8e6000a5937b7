"""Users: admin-only creation and erasure, self-or-admin reads and updates, the erasure's cascade,
and sharing assistants with users."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.mock_server.conftest import DEMO_ASSISTANT, Caller, message_body

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

USER_ID = re.compile(r"user_[A-Za-z0-9]{22}")
ADA = {
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "picture_url": "https://example.com/ada.png",
    "email_verified": True,
    "oauth_provider": "github",
    "provider_user_id": "gh-1815",
}


def new_assistant(client, owner: Caller, name: str = "Helper") -> dict[str, Any]:
    response = client.post("/v1/assistants", json={"name": name, "model": "m"}, headers=owner.headers)
    assert response.status_code == 200, response.text
    return response.json()


# --- create, read ---------------------------------------------------------------------------------


def test_an_admin_creates_a_user_and_reads_back_what_was_written(client, admin):
    created = client.post("/v1/users", json=ADA, headers=admin.headers)
    assert created.status_code == 201
    user = created.json()
    assert USER_ID.fullmatch(user["id"])
    written = {k: v for k, v in ADA.items() if k != "provider_user_id"}
    assert {k: user[k] for k in written} == written
    assert "provider_user_id" not in user and "is_admin" not in user
    assert user["created_at"] == user["updated_at"]
    assert client.get(f"/v1/users/{user['id']}", headers=admin.headers).json() == user


def test_a_new_user_defaults_to_an_unverified_local_account(client, admin):
    body = {**dict.fromkeys(ADA), "email": "plain@example.com"}
    user = client.post("/v1/users", json=body, headers=admin.headers).json()
    assert user["email_verified"] is False
    assert user["oauth_provider"] == "local"


def test_a_non_admin_cannot_create_users(client, alice):
    response = client.post("/v1/users", json={"email": "x@example.com"}, headers=alice.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Admin privileges required to create users."}


def test_creating_a_user_without_a_key_is_unauthorized(client):
    response = client.post("/v1/users", json={"email": "x@example.com"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing API Key in 'X-API-Key' header."}
    assert response.headers["WWW-Authenticate"] == "APIKey"


def test_a_second_user_with_the_same_email_is_a_conflict(client, admin, alice):
    response = client.post("/v1/users", json={"email": alice.user["email"]}, headers=admin.headers)
    assert response.status_code == 409
    assert response.json() == {"detail": f"User with email {alice.user['email']} already exists."}


def test_users_without_an_email_do_not_conflict(client, admin):
    first = client.post("/v1/users", json={"email": None, "full_name": "A"}, headers=admin.headers)
    second = client.post("/v1/users", json={"email": None, "full_name": "B"}, headers=admin.headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


def test_a_wrongly_typed_field_is_a_422_on_that_field(client, admin):
    response = client.post("/v1/users", json={"email_verified": "maybe"}, headers=admin.headers)
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["body", "email_verified"]]


def test_a_user_reads_themself(client, alice):
    response = client.get(f"/v1/users/{alice.id}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == alice.user


@pytest.mark.parametrize("whose", ["another user's", "a missing"])
def test_a_user_cannot_read_another_user_whether_or_not_they_exist(client, alice, bob, whose):
    target = bob.id if whose == "another user's" else "user_NoSuchUser0000000000000"
    response = client.get(f"/v1/users/{target}", headers=alice.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to access this user."}


def test_an_admin_reads_any_user_and_gets_404_for_an_unknown_one(client, admin, alice):
    assert client.get(f"/v1/users/{alice.id}", headers=admin.headers).json() == alice.user
    response = client.get("/v1/users/user_NoSuchUser0000000000000", headers=admin.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


# --- update ---------------------------------------------------------------------------------------


def test_an_update_changes_the_keys_sent_keeps_the_rest_and_moves_updated_at(client, alice):
    response = client.put(
        f"/v1/users/{alice.id}", json={"full_name": "Alice King", "email_verified": True}, headers=alice.headers
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["full_name"] == "Alice King" and updated["email_verified"] is True
    assert updated["email"] == alice.user["email"]
    assert updated["created_at"] == alice.user["created_at"]
    assert updated["updated_at"] > alice.user["updated_at"]
    assert client.get(f"/v1/users/{alice.id}", headers=alice.headers).json() == updated


def test_an_update_with_nulls_or_unchanged_values_changes_nothing(client, alice):
    body = {"full_name": None, "email": alice.user["email"]}
    response = client.put(f"/v1/users/{alice.id}", json=body, headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == alice.user


def test_an_admin_updates_any_user(client, admin, alice):
    response = client.put(f"/v1/users/{alice.id}", json={"given_name": "Al"}, headers=admin.headers)
    assert response.status_code == 200
    assert client.get(f"/v1/users/{alice.id}", headers=alice.headers).json()["given_name"] == "Al"


def test_a_user_cannot_update_another_user(client, alice, bob):
    response = client.put(f"/v1/users/{bob.id}", json={"full_name": "Mallory"}, headers=alice.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to access this user."}
    assert client.get(f"/v1/users/{bob.id}", headers=bob.headers).json()["full_name"] == "Bob"


def test_an_update_of_an_unknown_user_by_an_admin_is_404(client, admin):
    response = client.put("/v1/users/user_NoSuchUser0000000000000", json={"full_name": "X"}, headers=admin.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


def test_an_update_to_another_users_email_is_a_conflict(client, alice, bob):
    response = client.put(f"/v1/users/{alice.id}", json={"email": bob.user["email"]}, headers=alice.headers)
    assert response.status_code == 409
    assert response.json() == {"detail": f"User with email {bob.user['email']} already exists."}


def test_an_update_with_a_wrongly_typed_field_is_a_422(client, alice):
    response = client.put(f"/v1/users/{alice.id}", json={"full_name": 42}, headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "full_name"]


# --- delete ---------------------------------------------------------------------------------------


def test_a_non_admin_cannot_delete_users(client, alice, bob):
    response = client.delete(f"/v1/users/{bob.id}", headers=alice.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Admin privileges required to delete users."}
    assert client.get(f"/v1/users/{bob.id}", headers=bob.headers).status_code == 200


def test_an_admin_cannot_delete_themself(client, admin):
    response = client.delete(f"/v1/users/{admin.id}", headers=admin.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Admin self-deletion via API is disallowed."}
    assert client.get(f"/v1/users/{admin.id}", headers=admin.headers).status_code == 200


def test_deleting_an_unknown_user_is_404(client, admin):
    response = client.delete("/v1/users/user_NoSuchUser0000000000000", headers=admin.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


def test_a_deleted_user_is_gone_and_their_keys_stop_authenticating(client, admin, alice, store):
    response = client.delete(f"/v1/users/{alice.id}", headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": f"User {alice.id} deleted."}
    assert client.get(f"/v1/users/{alice.id}", headers=admin.headers).status_code == 404
    denied = client.get("/v1/auth/validate-key", headers=alice.headers)
    assert denied.status_code == 401
    assert denied.json() == {"detail": "Invalid or inactive API Key."}
    assert store.api_keys.of_user(alice.id) == []
    assert client.delete(f"/v1/users/{alice.id}", headers=admin.headers).status_code == 404


def test_deleting_a_user_erases_their_threads_messages_runs_and_actions(client, admin, alice, bob, store):
    thread = client.post("/v1/threads", json={"meta_data": {}}, headers=alice.headers).json()
    message = client.post("/v1/messages", json=message_body(thread["id"]), headers=alice.headers).json()
    bobs_thread = client.post("/v1/threads", json={"meta_data": {}}, headers=bob.headers).json()
    # Runs and actions are put in directly: this test is about the erasure, not the run lifecycle.
    store.runs.add({"id": "run_Alice", "user_id": alice.id, "thread_id": bobs_thread["id"]})
    store.runs.add({"id": "run_OnAlicesThread", "user_id": bob.id, "thread_id": thread["id"]})
    store.runs.add({"id": "run_Bob", "user_id": bob.id, "thread_id": bobs_thread["id"]})
    for run_id in ("run_Alice", "run_OnAlicesThread", "run_Bob"):
        store.actions.add({"id": f"act_{run_id}", "run_id": run_id})

    assert client.delete(f"/v1/users/{alice.id}", headers=admin.headers).status_code == 200

    assert store.threads.get(thread["id"]) is None
    assert store.messages.get(message["id"]) is None
    assert store.runs.get("run_Alice") is None and store.actions.get("act_run_Alice") is None
    assert store.runs.get("run_OnAlicesThread") is None and store.actions.get("act_run_OnAlicesThread") is None
    assert store.runs.get("run_Bob") is not None and store.actions.get("act_run_Bob") is not None
    assert client.get(f"/v1/threads/{bobs_thread['id']}", headers=bob.headers).status_code == 200


def test_deleting_a_user_removes_them_from_other_users_threads_and_shares(client, admin, alice, bob):
    created = client.post("/v1/threads", json={"participant_ids": [alice.id], "meta_data": {}}, headers=bob.headers)
    thread = created.json()
    assistant = new_assistant(client, bob)
    client.post(f"/v1/users/{alice.id}/assistants/{assistant['id']}", headers=bob.headers)

    client.delete(f"/v1/users/{alice.id}", headers=admin.headers)

    after = client.get(f"/v1/threads/{thread['id']}", headers=bob.headers).json()
    assert [p["id"] for p in after["participants"]] == [bob.id]
    response = client.delete(f"/v1/users/{alice.id}/assistants/{assistant['id']}", headers=bob.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


def test_deleting_a_user_soft_deletes_their_own_assistants_and_orphans_shared_ones(client, admin, alice, bob, store):
    private = new_assistant(client, alice, "Private")
    shared = new_assistant(client, alice, "Shared")
    client.post(f"/v1/users/{bob.id}/assistants/{shared['id']}", headers=alice.headers)

    client.delete(f"/v1/users/{alice.id}", headers=admin.headers)

    assert client.get(f"/v1/assistants/{private['id']}", headers=admin.headers).status_code == 404
    assert store.assistants.get(private["id"])["_deleted_at"] is not None
    kept = client.get(f"/v1/assistants/{shared['id']}", headers=bob.headers)
    assert kept.status_code == 200
    assert kept.json() == {**shared, "owner_id": None}
    assert [a["id"] for a in client.get("/v1/assistants", headers=bob.headers).json()] == [shared["id"]]


# --- a user's assistants and sharing ----------------------------------------------------------------


def test_a_users_assistants_are_those_they_own_and_those_shared_with_them_oldest_first(client, alice, bob):
    shared_early = new_assistant(client, bob, "Bob's early")
    own = new_assistant(client, alice, "Alice's")
    gone = new_assistant(client, alice, "Deleted")
    new_assistant(client, bob, "Bob's private")
    client.post(f"/v1/users/{alice.id}/assistants/{shared_early['id']}", headers=bob.headers)
    client.delete(f"/v1/assistants/{gone['id']}", headers=alice.headers)

    response = client.get(f"/v1/users/{alice.id}/assistants", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == [shared_early, own]


def test_a_user_with_no_assistants_gets_an_empty_list(client, alice):
    assert client.get(f"/v1/users/{alice.id}/assistants", headers=alice.headers).json() == []


def test_a_user_cannot_list_another_users_assistants_but_an_admin_can(client, admin, alice, bob):
    own = new_assistant(client, alice)
    denied = client.get(f"/v1/users/{alice.id}/assistants", headers=bob.headers)
    assert denied.status_code == 403
    assert denied.json() == {"detail": "You do not have permission to access this user."}
    assert client.get(f"/v1/users/{alice.id}/assistants", headers=admin.headers).json() == [own]
    missing = client.get("/v1/users/user_NoSuchUser0000000000000/assistants", headers=admin.headers)
    assert (missing.status_code, missing.json()) == (404, {"detail": "User not found"})


def test_sharing_an_assistant_lets_the_user_read_and_list_it_and_is_idempotent(client, alice, bob):
    assistant = new_assistant(client, alice)
    for _ in range(2):
        response = client.post(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"message": "Assistant associated with user successfully"}
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=bob.headers).json() == assistant
    assert client.get("/v1/assistants", headers=bob.headers).json() == [assistant]


def test_only_the_owner_or_an_admin_may_share_an_assistant(client, admin, alice, bob, make_user):
    carol = make_user(full_name="Carol")
    assistant = new_assistant(client, alice)
    denied = client.post(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=bob.headers)
    assert denied.status_code == 403
    assert denied.json() == {"detail": "You do not have permission to access this assistant."}
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=bob.headers).status_code == 403
    assert client.post(f"/v1/users/{carol.id}/assistants/{assistant['id']}", headers=admin.headers).status_code == 200
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=carol.headers).status_code == 200


@pytest.mark.parametrize("method", ["post", "delete"])
def test_sharing_with_an_unknown_user_or_assistant_is_404(client, alice, method):
    assistant = new_assistant(client, alice)
    send = getattr(client, method)
    no_user = send(f"/v1/users/user_NoSuchUser0000000000000/assistants/{assistant['id']}", headers=alice.headers)
    assert (no_user.status_code, no_user.json()) == (404, {"detail": "User not found"})
    no_assistant = send(f"/v1/users/{alice.id}/assistants/asst_NoSuchAssistant000000000", headers=alice.headers)
    assert (no_assistant.status_code, no_assistant.json()) == (404, {"detail": "Assistant not found"})


def test_a_soft_deleted_assistant_cannot_be_shared(client, alice, bob):
    assistant = new_assistant(client, alice)
    client.delete(f"/v1/assistants/{assistant['id']}", headers=alice.headers)
    response = client.post(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=alice.headers)
    assert (response.status_code, response.json()) == (404, {"detail": "Assistant not found"})


def test_unsharing_removes_access_and_unsharing_again_is_a_400(client, alice, bob):
    assistant = new_assistant(client, alice)
    client.post(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=alice.headers)
    removed = client.delete(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=alice.headers)
    assert removed.status_code == 204 and removed.content == b""
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=bob.headers).status_code == 403
    assert client.get("/v1/assistants", headers=bob.headers).json() == []
    again = client.delete(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=alice.headers)
    assert again.status_code == 400
    assert again.json() == {"detail": "Assistant not associated with the user"}


def test_a_user_an_assistant_is_shared_with_cannot_unshare_it(client, alice, bob):
    assistant = new_assistant(client, alice)
    client.post(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=alice.headers)
    response = client.delete(f"/v1/users/{bob.id}/assistants/{assistant['id']}", headers=bob.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to access this assistant."}
    assert client.get(f"/v1/assistants/{assistant['id']}", headers=bob.headers).status_code == 200


def test_the_seeded_admin_owns_the_demo_assistant(client, admin):
    owned = client.get(f"/v1/users/{admin.id}/assistants", headers=admin.headers).json()
    assert [a["id"] for a in owned] == [DEMO_ASSISTANT]
