"""The SDK's thread and message calls against the mock: what it writes it reads back, lists page
as it expects, and the error paths it handles itself (404 on delete → None) work."""

from __future__ import annotations

import httpx
import pytest

from tests.sdk.conftest import DEMO_ASSISTANT


def test_a_thread_created_by_the_sdk_reads_back_with_its_metadata(user_sdk):
    user, sdk = user_sdk
    thread = sdk.threads.create_thread(meta_data={"topic": "weather"})
    again = sdk.threads.retrieve_thread(thread.id)
    assert thread.id.startswith("thread_")
    assert again.id == thread.id
    assert again.meta_data == {"topic": "weather"}
    assert again.owner_id == user.id


def test_updating_a_thread_merges_its_metadata_and_metadata_put_replaces_it(user_sdk):
    _, sdk = user_sdk
    thread = sdk.threads.create_thread(meta_data={"a": 1})
    merged = sdk.threads.update_thread(thread.id, meta_data={"b": 2})
    assert merged.meta_data == {"a": 1, "b": 2}
    assert [p.id for p in merged.participants] == [merged.owner_id]
    replaced = sdk.threads.update_thread_metadata(thread.id, {"c": 3})
    assert replaced.meta_data == {"c": 3}


def test_the_sdk_lists_a_users_threads_as_ids_and_as_records(user_sdk):
    user, sdk = user_sdk
    first = sdk.threads.create_thread()
    second = sdk.threads.create_thread()
    assert sdk.threads.list_threads(user.id) == [first.id, second.id]
    assert [t.id for t in sdk.threads.list_thread_records(user.id)] == [first.id, second.id]


def test_deleting_a_thread_deletes_its_messages_and_a_second_delete_returns_none(user_sdk):
    _, sdk = user_sdk
    thread = sdk.threads.create_thread()
    message = sdk.messages.create_message(thread.id, "Hello", DEMO_ASSISTANT)
    deleted = sdk.threads.delete_thread(thread.id)
    assert deleted.id == thread.id and deleted.deleted is True
    assert sdk.threads.delete_thread(thread.id) is None
    with pytest.raises(httpx.HTTPStatusError) as error:
        sdk.messages.retrieve_message(message.id)
    assert error.value.response.status_code == 404


def test_a_message_created_by_the_sdk_reads_back_and_updates(user_sdk):
    _, sdk = user_sdk
    thread = sdk.threads.create_thread()
    message = sdk.messages.create_message(thread.id, "What's the weather?", DEMO_ASSISTANT, meta_data={"k": "v"})
    assert message.id.startswith("message_") and message.object == "message"
    read = sdk.messages.retrieve_message(message.id)
    assert (read.content, read.role, read.thread_id, read.meta_data) == (
        "What's the weather?",
        "user",
        thread.id,
        {"k": "v"},
    )
    updated = sdk.messages.update_message(message.id, content="edited")
    assert updated.content == "edited"
    assert sdk.messages.retrieve_message(message.id).content == "edited"


def test_the_sdk_pages_through_messages_in_both_orders(user_sdk):
    _, sdk = user_sdk
    thread = sdk.threads.create_thread()
    ids = [sdk.messages.create_message(thread.id, f"m{i}", DEMO_ASSISTANT).id for i in range(5)]
    page = sdk.messages.list_messages(thread.id, limit=2, order="asc")
    assert [m.id for m in page.data] == ids[:2]
    assert (page.first_id, page.last_id, page.has_more) == (ids[0], ids[1], True)
    newest = sdk.messages.list_messages(thread.id, limit=5, order="desc")
    assert [m.id for m in newest.data] == ids[::-1]
    assert newest.has_more is False


def test_tool_output_and_assistant_replies_are_messages_of_their_role(user_sdk):
    _, sdk = user_sdk
    thread = sdk.threads.create_thread()
    sdk.messages.create_message(thread.id, "Weather in Paris?", DEMO_ASSISTANT)
    tool = sdk.messages.submit_tool_output(
        thread_id=thread.id, content='{"temp": 18}', assistant_id=DEMO_ASSISTANT, tool_id="act_x", tool_call_id="call_1"
    )
    assert tool["role"] == "tool" and tool["tool_call_id"] == "call_1"
    reply = sdk.messages.save_assistant_message_chunk(
        thread_id=thread.id,
        content="It is 18 °C.",
        role="assistant",
        assistant_id=DEMO_ASSISTANT,
        sender_id=DEMO_ASSISTANT,
        is_last_chunk=True,
    )
    assert reply.role == "assistant" and reply.content == "It is 18 °C."
    history = sdk.messages.get_formatted_messages(thread.id, system_message="Be brief.")
    assert [m["role"] for m in history] == ["system", "user", "tool", "assistant"]
    assert history[2] == {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 18}'}


def test_deleting_a_message_removes_it_from_the_thread(user_sdk):
    _, sdk = user_sdk
    thread = sdk.threads.create_thread()
    keep = sdk.messages.create_message(thread.id, "keep", DEMO_ASSISTANT)
    drop = sdk.messages.create_message(thread.id, "drop", DEMO_ASSISTANT)
    assert sdk.messages.delete_message(drop.id).id == drop.id
    assert [m.id for m in sdk.messages.list_messages(thread.id).data] == [keep.id]


def test_another_user_cannot_read_or_post_to_my_thread(new_user):
    _, alice = new_user("Alice")
    _, bob = new_user("Bob")
    thread = alice.threads.create_thread()
    message = alice.messages.create_message(thread.id, "private", DEMO_ASSISTANT)
    for attempt in (
        lambda: bob.threads.retrieve_thread(thread.id),
        lambda: bob.messages.retrieve_message(message.id),
        lambda: bob.messages.list_messages(thread.id),
        lambda: bob.messages.create_message(thread.id, "intrusion", DEMO_ASSISTANT),
    ):
        with pytest.raises(httpx.HTTPStatusError) as error:
            attempt()
        assert error.value.response.status_code == 403
