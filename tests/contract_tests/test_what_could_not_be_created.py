"""Against a server that refuses to create runs, the summary says so at the top, names what that
left untested (from the contract: whatever takes a `run_id`, and what a run would have made), and
reports the five workflows that stopped at the same refusal as one finding."""

from __future__ import annotations

import pytest

from contract_tests import contract, runner
from contract_tests.options import parse
from contract_tests.report import summary
from tests.contract_tests import broken
from tests.contract_tests.conftest import ADMIN_KEY
from tests.live_server import serve

# What the chat workflows need up to the run, and a few operations that need a run.
SCOPE = ["createAssistant", "createThread", "createMessage", "createRun", "getRun", "cancelRun", "getAction"]
STOPPED = [
    "text_turn",
    "buffered_turn",
    "tool_call_turn",
    "cancel_run",
    "cross_user",
    "action_arguments_kept",
    "burst_order_kept",
    "tool_output_content",
    "queries_validated",
    "ownership",
]


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory):
    report_dir = tmp_path_factory.mktemp("refused")
    args = ["--phases", "examples", "--max-examples", "1", "--report-dir", str(report_dir)]
    args += [arg for operation in SCOPE for arg in ("--operation", operation)]
    with serve(broken.broken_mock(broken.runs_refused)) as url:
        outcome = runner.check(parse(["--base-url", url, "--api-key", ADMIN_KEY, *args]))
    return outcome, summary(outcome, report_dir)


def test_the_summary_says_first_that_runs_could_not_be_created_and_what_went_untested(refused):
    outcome, text = refused
    header = text.split("\n\n", 1)[0].splitlines()
    (line,) = [i for i, line in enumerate(header) if line.startswith("Could not create runs: ")]
    assert header[line].startswith('Could not create runs: POST /v1/runs (createRun) answered 422 {"detail": ')
    assert "tried by seeding, " in header[line]
    assert header[line + 1] == "  therefore not tested: getRun, cancelRun, getAction (3 operations)"
    # bodies_parsed_first stopped there too, on another request (its undecodable body).
    assert header[line + 2] == f"  and these workflows stopped there: {', '.join([*STOPPED, 'bodies_parsed_first'])}"
    # createRun too: broken, and never seen working
    assert outcome.untested == ["createRun", "getRun", "cancelRun", "getAction"]


def test_an_operation_never_answered_with_a_documented_success_is_untested_not_kept(refused):
    outcome, text = refused
    table = text.split("\nBy operation", 1)[1].splitlines()[1 : 1 + len(contract.load().operations)]
    rows = {line.split()[1]: line.split()[0] for line in table}
    assert {rows[op] for op in ("getRun", "cancelRun", "getAction")} == {"?"}
    assert rows["createRun"] == "✗" and rows["createThread"] == "✓" and rows["listRuns"] == "-"
    assert "; 4 operations untested (no documented success seen) (exit 1)" in text.splitlines()[-1]


def test_the_workflows_stopped_by_the_same_refusal_are_one_finding_that_lists_them(refused):
    outcome, _ = refused
    (finding,) = [f for f in outcome.findings if f.check == "workflow" and "expected 200" in f.cause]
    expected = ("POST /v1/runs", "answered 422, expected 200 or 201 or 204", STOPPED)
    assert (finding.where, finding.cause, finding.workflows) == expected
    assert finding.reproduce.startswith('curl -X POST -H "X-API-Key: $API_KEY" ')
    assert finding.reproduce.endswith("/v1/runs") and '"thread_id":"thread_' in finding.reproduce
