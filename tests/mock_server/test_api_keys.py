"""API keys: issuing, listing, reading and revoking a user's keys; expiry; the admin routes that
issue and provision keys; and key validation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mock_server.ids import SEEDED_EPOCH
from tests.mock_server.conftest import Caller

# The same behaviour on the memory store and on a real Redis (conftest.py).
pytestmark = pytest.mark.both_stores

NO_USER = "user_NoSuchUser0000000000000"
INVALID = {"detail": "Invalid or inactive API Key."}
KEYS_DENIED = {"detail": "Not authorized to manage API keys for this user."}
ADMIN_ONLY = {"detail": "Admin privileges required for this operation."}


def create_key(client, caller: Caller, user_id: str | None = None, **body) -> dict:
    response = client.post(f"/v1/users/{user_id or caller.id}/apikeys", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


def whoami(client, key: str):
    return client.get("/v1/auth/validate-key", headers={"X-API-Key": key})


# --- create ---------------------------------------------------------------------------------------


def test_a_user_creates_a_key_that_authenticates_as_them(client, alice):
    created = create_key(client, alice, key_name="Laptop")
    plain, details = created["plain_key"], created["details"]
    assert plain.startswith("ea_") and len(plain) > 8
    assert details["prefix"] == plain[:8]
    assert details["key_name"] == "Laptop" and details["user_id"] == alice.id
    assert details["is_active"] is True
    assert details["expires_at"] is None and details["last_used_at"] is None
    assert whoami(client, plain).json() == {"user_id": alice.id, "valid": True}


def test_a_key_with_an_expiry_expires_that_many_days_after_its_creation(client, alice):
    details = create_key(client, alice, expires_in_days=30)["details"]
    created_at = datetime.fromisoformat(details["created_at"])
    assert datetime.fromisoformat(details["expires_at"]) - created_at == timedelta(days=30)


def test_an_admin_creates_a_key_for_another_user_through_the_users_route(client, admin, alice):
    created = create_key(client, admin, alice.id, key_name="Issued")
    assert created["details"]["user_id"] == alice.id
    assert whoami(client, created["plain_key"]).json()["user_id"] == alice.id


@pytest.mark.parametrize("target", ["another user", "a missing user"])
def test_a_user_cannot_create_keys_for_anyone_else(client, alice, bob, target):
    user_id = bob.id if target == "another user" else NO_USER
    response = client.post(f"/v1/users/{user_id}/apikeys", json={}, headers=alice.headers)
    assert (response.status_code, response.json()) == (403, KEYS_DENIED)


def test_an_admin_creating_a_key_for_an_unknown_user_gets_404(client, admin):
    response = client.post(f"/v1/users/{NO_USER}/apikeys", json={}, headers=admin.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": f"User with ID '{NO_USER}' not found."}


def test_a_key_request_takes_no_other_keys_and_at_least_one_day(client, alice):
    extra = client.post(f"/v1/users/{alice.id}/apikeys", json={"name": "Dev"}, headers=alice.headers)
    assert extra.status_code == 422
    assert extra.json()["detail"] == [
        {"type": "extra_forbidden", "loc": ["body", "name"], "msg": "Extra inputs are not permitted", "input": "Dev"}
    ]
    zero = client.post(f"/v1/users/{alice.id}/apikeys", json={"expires_in_days": 0}, headers=alice.headers)
    assert zero.status_code == 422
    assert zero.json()["detail"][0]["type"] == "greater_than_equal"
    assert zero.json()["detail"][0]["loc"] == ["body", "expires_in_days"]


# --- authentication -------------------------------------------------------------------------------


def test_an_expired_key_gets_401_api_key_has_expired(client, alice, store):
    created = create_key(client, alice, expires_in_days=1)
    assert whoami(client, created["plain_key"]).status_code == 200
    prefix = created["details"]["prefix"]
    store.api_keys.update(prefix, {"_expires_ts": SEEDED_EPOCH})
    response = whoami(client, created["plain_key"])
    assert response.status_code == 401
    assert response.json() == {"detail": "API Key has expired."}
    assert response.headers["WWW-Authenticate"] == "APIKey"


@pytest.mark.parametrize(
    ("key", "detail"),
    [
        (None, "Missing API Key in 'X-API-Key' header."),
        ("ea_short", "Invalid API Key format."),
        ("ea_NoSuchKeyAtAll0000000000000000000000000000", "Invalid or inactive API Key."),
    ],
)
def test_a_missing_malformed_or_unknown_key_gets_401(client, key, detail):
    headers = {"X-API-Key": key} if key else {}
    response = client.get("/v1/auth/validate-key", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}


def test_a_key_with_a_known_prefix_but_a_wrong_tail_is_rejected(client, alice):
    response = whoami(client, alice.key[:8] + "x" * 40)
    assert (response.status_code, response.json()) == (401, INVALID)


# --- list, read -----------------------------------------------------------------------------------


def test_a_users_keys_are_listed_newest_first_without_revoked_ones(client, alice):
    first = create_key(client, alice, key_name="first")["details"]
    second = create_key(client, alice, key_name="second")["details"]
    client.delete(f"/v1/users/{alice.id}/apikeys/{first['prefix']}", headers=alice.headers)
    response = client.get(f"/v1/users/{alice.id}/apikeys", headers=alice.headers)
    assert response.status_code == 200
    assert [k["prefix"] for k in response.json()["keys"]] == [second["prefix"], alice.key[:8]]


def test_include_inactive_lists_revoked_keys_too(client, alice):
    revoked = create_key(client, alice, key_name="old")["details"]
    client.delete(f"/v1/users/{alice.id}/apikeys/{revoked['prefix']}", headers=alice.headers)
    keys = client.get(f"/v1/users/{alice.id}/apikeys?include_inactive=true", headers=alice.headers).json()["keys"]
    assert keys[0] == {**revoked, "is_active": False}
    assert [k["prefix"] for k in keys] == [revoked["prefix"], alice.key[:8]]


def test_include_inactive_must_be_a_boolean(client, alice):
    response = client.get(f"/v1/users/{alice.id}/apikeys?include_inactive=maybe", headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "include_inactive"]


def test_a_keys_details_read_back_equal_those_given_at_creation(client, alice):
    details = create_key(client, alice, key_name="Dev", expires_in_days=7)["details"]
    response = client.get(f"/v1/users/{alice.id}/apikeys/{details['prefix']}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == details
    assert "plain_key" not in response.json()


def test_an_unknown_prefix_or_another_users_prefix_is_not_found_for_this_user(client, alice, bob):
    for prefix in ("ea_Nope0", bob.key[:8]):
        response = client.get(f"/v1/users/{alice.id}/apikeys/{prefix}", headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == {"detail": f"API Key with prefix '{prefix}' not found for this user."}


def test_a_user_cannot_list_read_or_revoke_another_users_keys(client, alice, bob):
    prefix = bob.key[:8]
    for response in (
        client.get(f"/v1/users/{bob.id}/apikeys", headers=alice.headers),
        client.get(f"/v1/users/{bob.id}/apikeys/{prefix}", headers=alice.headers),
        client.delete(f"/v1/users/{bob.id}/apikeys/{prefix}", headers=alice.headers),
    ):
        assert (response.status_code, response.json()) == (403, KEYS_DENIED)
    assert whoami(client, bob.key).status_code == 200


def test_an_admin_lists_any_users_keys_and_gets_404_for_an_unknown_user(client, admin, alice):
    keys = client.get(f"/v1/users/{alice.id}/apikeys", headers=admin.headers).json()["keys"]
    assert [k["prefix"] for k in keys] == [alice.key[:8]]
    missing = client.get(f"/v1/users/{NO_USER}/apikeys", headers=admin.headers)
    assert (missing.status_code, missing.json()) == (404, {"detail": f"User with ID '{NO_USER}' not found."})


# --- revoke ---------------------------------------------------------------------------------------


def test_a_revoked_key_stops_authenticating_at_once(client, alice):
    created = create_key(client, alice)
    prefix = created["details"]["prefix"]
    response = client.delete(f"/v1/users/{alice.id}/apikeys/{prefix}", headers=alice.headers)
    assert response.status_code == 204 and response.content == b""
    denied = whoami(client, created["plain_key"])
    assert (denied.status_code, denied.json()) == (401, INVALID)
    details = client.get(f"/v1/users/{alice.id}/apikeys/{prefix}", headers=alice.headers).json()
    assert details["is_active"] is False
    assert whoami(client, alice.key).status_code == 200


def test_revoking_a_revoked_key_again_is_fine(client, alice):
    prefix = create_key(client, alice)["details"]["prefix"]
    for _ in range(2):
        assert client.delete(f"/v1/users/{alice.id}/apikeys/{prefix}", headers=alice.headers).status_code == 204


def test_a_caller_may_revoke_the_key_it_is_using_and_is_then_locked_out(client, alice):
    response = client.delete(f"/v1/users/{alice.id}/apikeys/{alice.key[:8]}", headers=alice.headers)
    assert response.status_code == 204
    after = client.get(f"/v1/users/{alice.id}", headers=alice.headers)
    assert (after.status_code, after.json()) == (401, INVALID)


def test_revoking_an_unknown_prefix_is_404(client, alice):
    response = client.delete(f"/v1/users/{alice.id}/apikeys/ea_Nope0", headers=alice.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "API Key with prefix 'ea_Nope0' not found for this user."}


def test_an_admin_revokes_a_users_key(client, admin, alice):
    assert client.delete(f"/v1/users/{alice.id}/apikeys/{alice.key[:8]}", headers=admin.headers).status_code == 204
    assert whoami(client, alice.key).status_code == 401


# --- admin: issue for a user ----------------------------------------------------------------------


def test_an_admin_issues_a_key_for_a_user(client, admin, alice):
    response = client.post(f"/v1/admin/users/{alice.id}/keys", json={"key_name": "Onboarding"}, headers=admin.headers)
    assert response.status_code == 201
    created = response.json()
    assert created["details"]["user_id"] == alice.id and created["details"]["key_name"] == "Onboarding"
    assert whoami(client, created["plain_key"]).json() == {"user_id": alice.id, "valid": True}


def test_a_non_admin_cannot_issue_keys_through_the_admin_route(client, alice):
    response = client.post(f"/v1/admin/users/{alice.id}/keys", json={}, headers=alice.headers)
    assert (response.status_code, response.json()) == (403, ADMIN_ONLY)


def test_the_admin_route_answers_404_for_an_unknown_user(client, admin):
    response = client.post(f"/v1/admin/users/{NO_USER}/keys", json={}, headers=admin.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": f"User with ID '{NO_USER}' not found."}


# --- admin: provision -----------------------------------------------------------------------------

GRACE = {"email": "grace@example.com", "full_name": "Grace Hopper", "external_reference": "crm-88213"}


def provision(client, admin, **body):
    response = client.post("/v1/admin/users/provision", json={**GRACE, **body}, headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_provisioning_a_new_account_creates_a_verified_user_with_a_working_key(client, admin):
    result = provision(client, admin)
    user, key = result["user"], result["key"]
    assert (result["user_created"], result["keys_revoked"]) == (True, 0)
    assert user["email"] == "grace@example.com" and user["full_name"] == "Grace Hopper"
    assert user["email_verified"] is True and user["oauth_provider"] == "project-black-bird"
    assert key["details"]["key_name"] == "project-black-bird" and key["details"]["expires_at"] is None
    assert whoami(client, key["plain_key"]).json() == {"user_id": user["id"], "valid": True}
    assert client.get(f"/v1/users/{user['id']}", headers=admin.headers).json() == user


def test_provisioning_again_finds_the_user_and_rotates_the_key(client, admin):
    first = provision(client, admin)
    second = provision(client, admin, full_name="Grace B. Hopper")
    assert second["user"]["id"] == first["user"]["id"]
    assert (second["user_created"], second["keys_revoked"]) == (False, 1)
    assert second["user"]["full_name"] == "Grace B. Hopper"
    assert whoami(client, first["key"]["plain_key"]).status_code == 401
    assert whoami(client, second["key"]["plain_key"]).status_code == 200


def test_provisioning_revokes_only_keys_with_the_same_name(client, admin):
    first = provision(client, admin, key_name="ci")
    other = provision(client, admin, key_name="deploy")
    assert other["keys_revoked"] == 0
    assert whoami(client, first["key"]["plain_key"]).status_code == 200


def test_provisioning_links_an_existing_user_found_by_a_normalised_email(client, admin, alice):
    result = provision(client, admin, email=f"  {alice.user['email'].upper()} ", external_reference="crm-1")
    assert result["user_created"] is False
    assert result["user"]["id"] == alice.id
    assert result["user"]["email_verified"] is True and result["user"]["full_name"] == "Grace Hopper"
    again = provision(client, admin, email="alice.new@example.com", external_reference="crm-1")
    assert again["user"]["id"] == alice.id and again["user"]["email"] == "alice.new@example.com"


def test_provisioning_an_email_and_a_reference_of_two_different_users_is_a_409(client, admin, alice):
    provision(client, admin)
    response = client.post(
        "/v1/admin/users/provision", json={**GRACE, "email": alice.user["email"]}, headers=admin.headers
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "External reference and verified email resolve to different users"}


@pytest.mark.parametrize(
    "change",
    [{"email": "no-at-sign"}, {"full_name": "   "}, {"external_reference": "    "}, {"key_name": " "}],
    ids=["email-without-at", "blank-name", "blank-reference", "blank-key-name"],
)
def test_provisioning_values_blank_once_trimmed_are_the_servers_string_422(client, admin, change):
    response = client.post("/v1/admin/users/provision", json={**GRACE, **change}, headers=admin.headers)
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "email, full_name, external_reference and key_name are required"},
    )


def test_a_non_admin_cannot_provision_users(client, alice):
    response = client.post("/v1/admin/users/provision", json=GRACE, headers=alice.headers)
    assert (response.status_code, response.json()) == (403, ADMIN_ONLY)


def test_a_provisioning_reference_shorter_than_three_characters_is_a_422(client, admin):
    response = client.post(
        "/v1/admin/users/provision", json={**GRACE, "external_reference": "ab"}, headers=admin.headers
    )
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert (item["type"], item["loc"], item["ctx"]) == (
        "string_too_short",
        ["body", "external_reference"],
        {"min_length": 3},
    )


# --- validate -------------------------------------------------------------------------------------


def test_validating_a_key_says_whose_it_is(client, admin, alice):
    assert whoami(client, alice.key).json() == {"user_id": alice.id, "valid": True}
    assert whoami(client, admin.key).json() == {"user_id": admin.id, "valid": True}
