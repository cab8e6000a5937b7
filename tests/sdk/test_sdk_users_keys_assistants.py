"""The SDK's user, key and assistant calls against the mock: what it writes it reads back, keys
authenticate until revoked, assistants are shared and deleted as the SDK expects."""

from __future__ import annotations

import httpx
import pytest

from tests.sdk.conftest import ADMIN_KEY

MODEL = "hyperbolic/deepseek-ai/DeepSeek-V3"


def status_of(call) -> int:
    with pytest.raises(httpx.HTTPStatusError) as error:
        call()
    return error.value.response.status_code


def test_an_admin_creates_reads_updates_and_deletes_a_user(admin_sdk):
    user = admin_sdk.users.create_user(email="grace@example.com", full_name="Grace Hopper", given_name="Grace")
    assert user.id.startswith("user_") and user.email == "grace@example.com"
    assert admin_sdk.users.retrieve_user(user.id).given_name == "Grace"
    updated = admin_sdk.users.update_user(user.id, full_name="Grace B. Hopper")
    assert updated.full_name == "Grace B. Hopper"
    assert admin_sdk.users.retrieve_user(user.id).full_name == "Grace B. Hopper"
    deleted = admin_sdk.users.delete_user(user.id)
    assert deleted.success is True
    assert status_of(lambda: admin_sdk.users.retrieve_user(user.id)) == 404


def test_a_user_reads_themself_but_may_not_create_users(user_sdk):
    user, sdk = user_sdk
    assert sdk.users.retrieve_user(user.id).id == user.id
    assert status_of(lambda: sdk.users.create_user(email="x@example.com")) == 403


def test_a_users_own_keys_are_listed_described_and_revoked(user_sdk, entity_for):
    user, sdk = user_sdk
    created = sdk.keys.create_key(user.id, key_name="laptop", expires_in_days=30)
    assert created.plain_key.startswith("ea_") and created.details.prefix == created.plain_key[:8]
    assert created.details.expires_at is not None
    prefixes = [key.prefix for key in sdk.keys.list_keys(user.id)]
    assert created.details.prefix == prefixes[0], "newest first"
    assert sdk.keys.get_key_details(user.id, created.details.prefix).key_name == "laptop"
    laptop = entity_for(created.plain_key)
    assert laptop.users.retrieve_user(user.id).id == user.id
    assert sdk.keys.revoke_key(user.id, created.details.prefix) is True
    assert status_of(lambda: laptop.users.retrieve_user(user.id)) == 401


def test_an_admin_issues_a_key_for_a_user(admin_sdk, user_sdk, entity_for):
    user, _ = user_sdk
    issued = admin_sdk.keys.create_key_for_user(user.id, key_name="issued")
    assert issued.details.user_id == user.id
    assert entity_for(issued.plain_key).users.retrieve_user(user.id).id == user.id


def test_an_assistant_round_trips_through_create_update_list_and_delete(user_sdk):
    _, sdk = user_sdk
    assistant = sdk.assistants.create_assistant(
        name="Planner", model=MODEL, instructions="Plan trips.", temperature=0.3
    )
    assert assistant.id.startswith("asst_") and assistant.object == "assistant"
    assert sdk.assistants.retrieve_assistant(assistant.id).instructions == "Plan trips."
    updated = sdk.assistants.update_assistant(assistant.id, name="Trip Planner", meta_data={"v": 2})
    assert (updated.name, updated.meta_data, updated.temperature) == ("Trip Planner", {"v": 2}, 0.3)
    assert [a.id for a in sdk.assistants.list()] == [assistant.id]
    assert sdk.assistants.delete_assistant(assistant.id)["deleted"] is True
    assert sdk.assistants.list_assistants() == []
    assert status_of(lambda: sdk.assistants.retrieve_assistant(assistant.id)) == 404


def test_an_assistant_shared_with_another_user_shows_up_in_their_list(new_user):
    alice, alice_sdk = new_user("Alice")
    bob, bob_sdk = new_user("Bob")
    assistant = alice_sdk.assistants.create_assistant(name="Shared", model=MODEL)
    alice_sdk.assistants.associate_assistant_with_user(bob.id, assistant.id)
    assert [a.id for a in bob_sdk.users.list_assistants_by_user(bob.id)] == [assistant.id]
    alice_sdk.assistants.disassociate_assistant_from_user(bob.id, assistant.id)
    assert bob_sdk.users.list_assistants_by_user(bob.id) == []


def test_the_admin_key_from_the_settings_authenticates_the_seeded_admin(admin_sdk):
    assert ADMIN_KEY.startswith("ad_")
    assert [a.name for a in admin_sdk.assistants.list()] == ["Demo Weather Assistant"]
