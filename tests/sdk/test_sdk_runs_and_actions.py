"""The SDK's run and action calls against the mock: runs are created queued with the server's
defaults, read back with their actions, listed, patched, cancelled and deleted; actions move
through their statuses and show up in the pending listings."""

from __future__ import annotations

import httpx
import pytest

from contract_tests.sdk_bodies import WEATHER_TOOL


@pytest.fixture
def setup(user_sdk):
    """A user, their SDK client, an assistant with a function tool and a thread with a question."""
    user, sdk = user_sdk
    assistant = sdk.assistants.create_assistant(
        name="Weather", model="hyperbolic/deepseek-ai/DeepSeek-V3", instructions="Be brief.", tools=[WEATHER_TOOL]
    )
    thread = sdk.threads.create_thread()
    message = sdk.messages.create_message(thread.id, "What does get_weather say about Paris?", assistant.id)
    return user, sdk, assistant, thread, message


def test_a_run_starts_queued_with_a_server_id_and_the_assistants_instructions(setup):
    user, sdk, assistant, thread, _ = setup
    run = sdk.runs.create_run(assistant.id, thread.id)
    assert run.id.startswith("run_") and run.status.value == "queued" and run.object == "thread.run"
    assert run.instructions == "Be brief."
    assert run.expires_at == run.created_at + 3600
    detailed = sdk.runs.retrieve_run(run.id)
    assert detailed.user_id == user.id and detailed.actions == []


def test_runs_are_listed_per_thread_and_overall_in_both_orders(setup):
    _, sdk, assistant, thread, _ = setup
    ids = [sdk.runs.create_run(assistant.id, thread.id).id for _ in range(3)]
    page = sdk.runs.list_runs(thread.id, limit=2, order="asc")
    assert [r.id for r in page.data] == ids[:2] and page.has_more is True
    assert [r.id for r in sdk.runs.list_all_runs(limit=10, order="desc").data] == ids[::-1]


def test_run_fields_merge_metadata_and_cancel_stamps_the_run(setup):
    _, sdk, assistant, thread, _ = setup
    run = sdk.runs.create_run(assistant.id, thread.id, meta_data={"a": 1})
    patched = sdk.runs.update_run_fields(run.id, meta_data={"b": 2}, last_error="rate_limit_exceeded")
    assert patched.meta_data == {"a": 1, "b": 2} and patched.last_error == "rate_limit_exceeded"
    cancelled = sdk.runs.cancel_run(run.id)
    assert cancelled.status.value == "cancelled" and cancelled.cancelled_at is not None
    with pytest.raises(httpx.HTTPStatusError) as error:
        sdk.runs.cancel_run(run.id)
    assert error.value.response.status_code == 400


def test_only_an_admin_may_force_a_run_status(setup, admin_sdk):
    _, sdk, assistant, thread, _ = setup
    run = sdk.runs.create_run(assistant.id, thread.id)
    with pytest.raises(httpx.HTTPStatusError) as error:
        sdk.runs.update_run_status(run.id, "in_progress")
    assert error.value.response.status_code == 403
    assert admin_sdk.runs.update_run_status(run.id, "expired").status.value == "expired"


def test_a_deleted_run_is_gone(setup):
    _, sdk, assistant, thread, _ = setup
    run = sdk.runs.create_run(assistant.id, thread.id)
    assert sdk.runs.delete_run(run.id) == {"id": run.id, "object": "thread.run.deleted", "deleted": True}
    with pytest.raises(httpx.HTTPStatusError):
        sdk.runs.retrieve_run(run.id)


def test_an_action_moves_through_its_statuses_and_leaves_the_pending_list(setup):
    _, sdk, assistant, thread, _ = setup
    run = sdk.runs.create_run(assistant.id, thread.id)
    action = sdk.actions.create_action("get_weather", run.id, function_args={"city": "Paris"}, tool_call_id="call_1")
    assert action.id.startswith("act_") and action.status == "pending"
    assert sdk.actions.get_action(action.id).function_args == {"city": "Paris"}
    (pending,) = sdk.actions.get_pending_actions(run.id)
    assert pending["action_id"] == action.id and pending["function_arguments"] == {"city": "Paris"}
    assert [a["id"] for a in sdk.actions.get_actions_by_status(run.id, "pending")] == [action.id]
    done = sdk.actions.update_action(action.id, status="completed", result={"temp": 18})
    assert done.status == "completed" and done.result == {"temp": 18} and done.is_processed is True
    assert sdk.actions.get_pending_actions(run.id) == []
    assert sdk.runs.retrieve_run(run.id).actions[0].id == action.id


def test_another_user_cannot_read_or_cancel_my_run(setup, new_user):
    _, sdk, assistant, thread, _ = setup
    run = sdk.runs.create_run(assistant.id, thread.id)
    _, intruder = new_user("Mallory")
    for attempt in (lambda: intruder.runs.retrieve_run(run.id), lambda: intruder.runs.cancel_run(run.id)):
        with pytest.raises(httpx.HTTPStatusError) as error:
            attempt()
        assert error.value.response.status_code == 403
