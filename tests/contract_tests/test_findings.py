"""One cause, one entry: sightings of the same check, at the same place, with the same cause (once
ids, numbers, times and generated values are taken out) are one finding, counted and listing the
workflows that ran into it; findings are ranked server errors and security, contract breaks, the
rest; and the summary lists them first, numbered, with nothing dangling."""

from __future__ import annotations

import re

import httpx
import pytest

from contract_tests import catalog, checks, contract, coverage
from contract_tests.causes import cause, normalise
from contract_tests.client import Break
from contract_tests.findings import Sighting, from_workflows, group
from contract_tests.outcome import Outcome
from contract_tests.report import summary
from contract_tests.results import Run
from contract_tests.world import Result

SPEC = contract.load()
THREAD = "POST /v1/threads"


def sighting(check: str, where: str = THREAD, status: int | None = 200, title: str = "", message: str = "") -> Sighting:
    title = title or catalog.title(check)
    return Sighting(check, where, title, message, cause(check, title, message, status), status)


def test_the_same_bug_seen_with_other_ids_numbers_times_and_emails_has_one_cause():
    first = (
        "A second user could read the first user's resource: GET /v1/threads/{thread_id} with "
        "{'thread_id': 'thread_Ab3dEf6hIj9kLm2nOp5qRs'} answered 200 to their key (expected 403 or 404)"
    )
    again = first.replace("Ab3dEf6hIj9kLm2nOp5qRs", "Zz9yXw8vUt7sRq6pOn5mLk")
    assert normalise(first) == normalise(again)
    assert "'thread_id': '<value>'" in normalise(first) and "answered 200" in normalise(first)
    pages = [
        "has_more is True at limit=3, but limit=4 returns 3 items",
        "has_more is True at limit=7, but limit=8 returns 7 items",
    ]
    assert normalise(pages[0]) == normalise(pages[1]) == "has_more is True at limit=N, but limit=N returns N items"
    stamped = "user contract-3f2a9b1c4d5e@example.com made at 2026-11-24T10:00:01Z, run run_Q1w2E3r4T5y6U7i8O9p0As"
    assert normalise(stamped) == "user <email> made at <time>, run run_<id>"


def test_a_status_code_stays_in_the_cause_and_a_quoted_response_body_does_not():
    one = (
        'GET /v1/threads/{thread_id} (getThread) answered 404 right after: {"detail": "thread_Ab3dEf6hIj9kLm2nOp5qRs"}'
    )
    other = one.replace("404", "500").replace("right after: ", "right after: {}")
    assert normalise(one) == "GET /v1/threads/{thread_id} (getThread) answered 404 right after"
    assert normalise(one) != normalise(other)
    assert cause("not_a_server_error", "Server error", "", 503) == "Server error: answered 503"


def test_a_schema_violation_keeps_what_the_schema_wanted_and_where_but_not_the_rejected_value():
    def violation(value: str) -> str:
        schema = "Schema at /properties/created_at:\n\n    {}"
        return f'{value} is not of type "integer"\n\n{schema}\n\nValue:\n\n    {value}'

    title = "Response violates schema"
    check = "response_schema_conformance"
    assert cause(check, title, violation('"it is 10 past 3"'), 200) == cause(check, title, violation("null"), 200)
    assert cause(check, title, violation("null"), 200) == (
        'Response violates schema: <value> is not of type "integer" (schema at /properties/created_at)'
    )
    required = '"created_at" is a required property\n\nSchema at /required:'
    assert '"created_at" is a required property' in cause(check, title, required, 200)


def test_failures_of_one_check_on_one_operation_with_one_cause_are_one_counted_finding(tmp_path):
    seen = [sighting("not_a_server_error", status=500) for _ in range(3)]
    seen.append(sighting("not_a_server_error", "GET /v1/runs", status=500))
    seen.append(sighting("not_a_server_error", status=502))
    found = group(seen, tmp_path)
    assert [(f.where, f.cause, len(f.sightings)) for f in found] == [
        (THREAD, "Server error: answered 500", 3),  # seen most, listed first
        ("GET /v1/runs", "Server error: answered 500", 1),
        (THREAD, "Server error: answered 502", 1),
    ]


def broke(label: str, status: int, workflow: str, check: str = "workflow") -> tuple[Result, Break]:
    method, path = label.split(" ")
    request = httpx.Request(method, f"http://127.0.0.1:9{path}", json={"n": workflow}, headers={"X-API-Key": "k"})
    message = f"{label} answered {status}, expected 200: run_{workflow.upper()}0123456789"
    response = httpx.Response(status, request=request)
    error = Break(check, message, operation=SPEC.by_label[label], response=response, key_variable="API_KEY")
    error.cause = f"answered {status}"
    return Result(workflow, "failed", message, check), error


def test_workflows_stopped_by_the_same_refusal_are_one_finding_listing_them_with_a_reproduction(tmp_path):
    stopped = [broke("POST /v1/runs", 422, name) for name in ("text_turn", "buffered_turn", "cancel_run")]
    other = broke("POST /v1/runs", 500, "cross_user")
    passed = Result("list_pages", "passed")
    found = group(
        from_workflows([r for r, _ in [*stopped, other]] + [passed], [b for _, b in [*stopped, other]]), tmp_path
    )
    assert [(f.check, f.where, f.cause, f.workflows) for f in found] == [
        ("workflow", "POST /v1/runs", "answered 500", ["cross_user"]),  # a server error ranks first
        ("workflow", "POST /v1/runs", "answered 422", ["text_turn", "buffered_turn", "cancel_run"]),
    ]
    assert found[1].reproduce.startswith('curl -X POST -H "X-API-Key: $API_KEY" ')


def test_findings_are_ranked_server_errors_and_security_then_contract_breaks_then_the_rest(tmp_path):
    seen = [
        sighting("negative_data_rejection", status=200),
        sighting("object_string_conformance", message="`object` is 'msg', the contract says 'message'"),
        sighting("ignored_auth", title="API accepts requests without authentication", message="Expected 401 or 403"),
        sighting("positive_data_acceptance", status=500),
        sighting("workflow", where="provision_user", status=None, message="validateApiKey answered 200, not 401"),
    ]
    tiers = [(f.check, catalog.TIER_TITLES[f.tier]) for f in group(seen, tmp_path)]
    assert tiers == [
        ("positive_data_acceptance", "Server errors and security"),  # answered 500
        ("ignored_auth", "Server errors and security"),
        ("object_string_conformance", "Contract breaks"),
        ("workflow", "Contract breaks"),
        ("negative_data_rejection", "The rest"),
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("id_prefix_matches_object", checks.IdPrefixMismatch),
        ("object_string_conformance", checks.ObjectStringMismatch),
        ("list_envelope_conformance", checks.BrokenListEnvelope),
        ("created_then_readable", checks.CreatedButNotReadable),
        ("deleted_then_not_found", checks.DeletedButStillReadable),
        ("no_cross_user_access", checks.CrossUserAccess),
    ],
)
def test_each_of_our_checks_is_listed_under_its_failure_title(name, kind):
    # The same words as the check's own failures, so a workflow's break and Schemathesis' sighting share a cause.
    assert catalog.title(name) == kind.kind_title


def test_the_summary_lists_numbered_findings_first_and_leaves_nothing_dangling(tmp_path):
    seen = [
        sighting("not_a_server_error", status=500),
        sighting("status_code_conformance", message="Received: 500\n\n"),
        Sighting("after_run", "run", "Found after the run", "", "Found after the run"),  # nothing but a title
    ]
    run = Run(finished=True)
    outcome = Outcome("http://127.0.0.1:9", run, [], coverage.build(SPEC, [], []), 0.0, [], group(seen, tmp_path))
    for number, finding in enumerate(outcome.findings, start=1):
        finding.number = number
    text = summary(outcome, tmp_path)
    findings = text.split("\n\nFindings (3, most severe first)\n", 1)[1].split("\n\nBy operation", 1)[0]
    assert re.findall(r"^ +(\d+)\. ", findings, re.M) == ["1", "2", "3"]
    assert "    not_a_server_error — Server error\n      1. POST /v1/threads (createThread) — " in findings
    assert all(line.strip() and not line.rstrip().endswith(":") for line in findings.splitlines())
