"""The suite against stand-ins for the real server: silent where the real server is right (issue
#10's items 1-9: the SDK's run body, provider-prefixed models, the tool_call frame, provisioning's
409 and string 422, non-null instructions, a null tool_call_id, FastAPI's 400 for undecodable
bodies, its 405 to OPTIONS, its lax coercion), and naming each of its deviations under its check."""

from __future__ import annotations

import pytest

from tests.contract_tests.conftest import found
from tests.contract_tests.real_server import faithful
from tests.contract_tests.real_server_deviations import Deviations
from tests.live_server import serve

WORKFLOWS_ONLY = ["--phases", "examples", "--max-examples", "1"]


def test_the_suite_reports_nothing_against_a_server_that_is_right_where_the_real_one_is(run_suite):
    with serve(faithful()) as url:
        code, outcome = run_suite(url, "--max-examples", "3")
    assert [(f.check, f.where, f.cause) for f in outcome.findings] == []
    assert {w.name: w.message for w in outcome.workflows if w.status != "passed"} == {}
    assert outcome.run.errors == []
    assert code == 0


@pytest.fixture(scope="module")
def deviating(tmp_path_factory):
    from contract_tests import runner
    from contract_tests.options import parse
    from tests.contract_tests.conftest import ADMIN_KEY

    report = tmp_path_factory.mktemp("deviations")
    with serve(Deviations()) as url:
        options = parse(["--base-url", url, "--api-key", ADMIN_KEY, "--report-dir", str(report), *WORKFLOWS_ONLY])
        return runner.check(options)


@pytest.mark.parametrize(
    ("check", "workflow", "words"),
    [
        ("kept_as_sent", "thread_metadata_kept", "meta_data"),
        ("kept_as_sent", "action_arguments_kept", "function_args"),
        ("list_envelope_conformance", "burst_order_kept", "creation order"),
        ("not_a_server_error", "nulls_refused", "500"),
        ("not_a_server_error", "tool_output_content", "500"),
        ("orphan_write", "writes_need_their_target", "answered 200"),
        ("negative_data_rejection", "queries_validated", "answered 200"),
        ("no_cross_user_access", "ownership", "answered 200"),
        ("not_a_server_error", "vector_store_files_checked", "500"),
    ],
    ids=[
        "thread meta_data dropped",
        "createAction drops function_args",
        "unstable list order",
        "a null top_p is a 500",
        "array tool-output content is a 500",
        "no thread check on assistant messages",
        "order and status not validated",
        "no ownership on actions, shares and runs",
        "vector-store file errors are 500s",
    ],
)
def test_each_real_server_deviation_is_named_under_its_check(deviating, check, workflow, words):
    hits = found(deviating, check, workflow)
    assert any(words in hit for hit in hits), (
        check,
        workflow,
        hits,
        [(w.name, w.check, w.message) for w in deviating.workflows],
    )


def test_a_server_without_the_sdk_only_vector_routes_skips_the_vector_workflow_after_checking_the_rest(deviating):
    (flow,) = [w for w in deviating.workflows if w.name == "vector_store"]
    assert (flow.status, flow.message) == (
        "skipped",
        "no SDK-only vector routes (storing vectors, search): the rest of the store's life passed",
    )
