"""The suite has teeth: against deliberately broken servers it names each break, under the right
check and operation, and exits 1. Each run is focused on the operations the break touches."""

from __future__ import annotations

import pytest

from tests.contract_tests import broken
from tests.contract_tests.conftest import found
from tests.live_server import serve

FOCUSED = ["--max-examples", "5"]
WORKFLOWS_ONLY = ["--phases", "examples", "--max-examples", "1"]  # Schemathesis barely runs


def only(*operation_ids: str) -> list[str]:
    return [arg for op in operation_ids for arg in ("--operation", op)]


def test_a_message_whose_object_is_msg_is_reported_as_a_wrong_object_string(run_suite):
    with serve(broken.broken_mock(broken.message_object_is_msg)) as url:
        code, outcome = run_suite(url, *FOCUSED, *only("createMessage", "getMessage"))
    assert code == 1
    assert found(outcome, "object_string_conformance", "POST /v1/messages")
    assert found(outcome, "object_string_conformance", "GET /v1/messages/{message_id}")
    assert "'msg', the contract says 'message'" in found(outcome, "object_string_conformance")[0]


def test_a_thread_without_its_required_created_at_violates_the_response_schema(run_suite):
    with serve(broken.broken_mock(broken.thread_without_created_at)) as url:
        code, outcome = run_suite(url, *FOCUSED, *only("createThread", "getThread"))
    assert code == 1
    assert '"created_at" is a required property' in found(outcome, "response_schema_conformance", "POST /v1/threads")[0]
    assert found(outcome, "response_schema_conformance", "GET /v1/threads/{thread_id}")


def test_has_more_on_every_full_page_is_reported_by_the_envelope_check(run_suite):
    with serve(broken.broken_mock(broken.has_more_when_the_page_is_full)) as url:
        code, outcome = run_suite(url, *FOCUSED, *only("listMessages"))
    assert code == 1
    (problem,) = found(outcome, "list_envelope_conformance", "GET /v1/threads/{thread_id}/messages")
    assert "has_more" in problem


def test_has_more_on_every_full_page_fails_the_paging_workflow(run_suite):
    with serve(broken.broken_mock(broken.has_more_when_the_page_is_full)) as url:
        code, outcome = run_suite(url, *WORKFLOWS_ONLY)
    assert code == 1
    assert found(outcome, "list_envelope_conformance", "list_pages")


def test_a_thread_another_user_can_read_is_reported_as_cross_user_access(run_suite):
    leak = broken.ThreadReadableByAnyone()
    with serve(broken.broken_mock(leak.remember, on_request=leak.on_request)) as url:
        code, outcome = run_suite(url, *FOCUSED, *only("getThread"))
    assert code == 1
    (problem,) = found(outcome, "no_cross_user_access", "GET /v1/threads/{thread_id}")
    assert "A second user could read the first user's resource" in problem and "answered 200" in problem


def test_a_thread_another_user_can_read_fails_the_cross_user_workflow(run_suite):
    leak = broken.ThreadReadableByAnyone()
    with serve(broken.broken_mock(leak.remember, on_request=leak.on_request)) as url:
        code, outcome = run_suite(url, *WORKFLOWS_ONLY)
    assert code == 1
    (problem,) = found(outcome, "no_cross_user_access", "cross_user")
    assert problem.startswith("cross_user: GET /v1/threads/{thread_id} (getThread) answered 200, expected 403 or 404")


def test_a_500_to_a_bad_body_is_reported_as_a_server_error(run_suite):
    with serve(broken.broken_mock(broken.server_error_on_a_bad_thread_body)) as url:
        code, outcome = run_suite(url, *FOCUSED, *only("createThread"))
    assert code == 1
    assert found(outcome, "not_a_server_error", "POST /v1/threads")
    assert "Received: 500" in found(outcome, "status_code_conformance", "POST /v1/threads")[0]


@pytest.mark.parametrize("check", ["object_string_conformance", "response_schema_conformance"])
def test_a_team_can_exclude_a_check_it_knows_it_breaks(run_suite, check):
    with serve(broken.broken_mock(broken.message_object_is_msg)) as url:
        _, outcome = run_suite(url, *FOCUSED, *only("createMessage", "getMessage"), "--exclude-check", check)
    assert not found(outcome, check)
    assert outcome.findings, "the other check still reports the break"
