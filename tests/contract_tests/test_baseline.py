"""A team records today's failures (`--write-baseline`) and later runs exit 0 while only those recur
(`--baseline`), 1 on a new one; the summary tells new from known and lists what was fixed. The keys
survive other generated data: a run with another seed names the same bug the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract_tests import baseline, coverage, runner
from contract_tests.__main__ import main
from contract_tests.baseline import Baseline, Entry
from contract_tests.causes import cause
from contract_tests.contract import load
from contract_tests.findings import Sighting, group
from contract_tests.options import parse
from contract_tests.outcome import Outcome
from contract_tests.report import summary
from contract_tests.results import Run
from mock_server import Settings, create_app
from tests.contract_tests import broken
from tests.contract_tests.conftest import ADMIN_KEY
from tests.live_server import serve

THREADS = ["--operation", "createThread", "--exclude-workflow", "all", "--quiet"]
SERVER_ERROR = "not_a_server_error | POST /v1/threads | Server error: answered 500"
UNDOCUMENTED = "status_code_conformance | POST /v1/threads | Undocumented status code: Received: 500"


def check(url: str, report_dir: Path, *args: str) -> tuple[int, Outcome]:
    outcome = runner.check(parse(["--base-url", url, "--api-key", ADMIN_KEY, "--report-dir", str(report_dir), *args]))
    return runner.exit_code(outcome), outcome


def test_a_recorded_baseline_lets_the_same_bug_found_with_other_data_pass_and_lists_what_was_fixed(tmp_path):
    recorded = tmp_path / "baseline.json"
    budget = ["--phases", "fuzzing", "--max-examples", "5"]  # seeds 1 and 7 both find the 500, each on other bodies
    with serve(broken.broken_mock(broken.server_error_on_a_bad_thread_body)) as url:
        code, first = check(url, tmp_path / "1", *THREADS, *budget, "--seed", "1", "--write-baseline", str(recorded))
    assert code == 1, "writing a baseline does not change the exit code"
    assert [entry["key"] for entry in json.loads(recorded.read_text())["findings"]] == [SERVER_ERROR, UNDOCUMENTED]

    with serve(broken.broken_mock(broken.server_error_on_a_bad_thread_body)) as url:
        code, again = check(url, tmp_path / "2", *THREADS, *budget, "--seed", "7", "--baseline", str(recorded))
    bodies = [{s.request.body for f in outcome.findings for s in f.sightings} for outcome in (first, again)]
    assert bodies[0] != bodies[1], "the second run generated other requests"
    assert code == 0
    assert {f.key for f in again.known_findings} == {SERVER_ERROR, UNDOCUMENTED} and not again.new_findings
    text = summary(again, tmp_path / "2")
    assert "New findings: none\n" in text and "\nKnown findings, in the baseline (2 recur)\n" in text
    assert "Fixed since the baseline: none" in text
    assert text.endswith("Result: no new failures (2 known, in the baseline) (exit 0)")

    with serve(create_app(Settings(admin_key=ADMIN_KEY, seed=4))) as url:
        code, fixed = check(
            url, tmp_path / "3", *THREADS, "--phases", "examples", "--max-examples", "1", "--baseline", str(recorded)
        )
    assert code == 0
    assert [entry.key for entry in fixed.comparison.fixed] == [SERVER_ERROR, UNDOCUMENTED]
    assert f"Fixed since the baseline (2):\n  ✓ {SERVER_ERROR}\n  ✓ {UNDOCUMENTED}" in summary(fixed, tmp_path / "3")


def outcome_of(sightings: list[Sighting], known: Baseline, tmp_path: Path, left_out: set[str] = frozenset()) -> Outcome:
    contract = load()
    found = group(sightings, tmp_path)
    comparison = baseline.compare(found, known, left_out)
    return Outcome(
        "http://x", Run(finished=True), [], coverage.build(contract, [], []), 0.0, [], found, comparison=comparison
    )


def server_error(where: str) -> Sighting:
    return Sighting(
        "not_a_server_error", where, "Server error", "", cause("not_a_server_error", "Server error", "", 500), 500
    )


def test_a_finding_missing_from_the_baseline_is_new_and_fails_the_run(tmp_path):
    known = Baseline(tmp_path / "b.json", (Entry(SERVER_ERROR),))
    outcome = outcome_of([server_error("POST /v1/threads"), server_error("GET /v1/runs")], known, tmp_path)
    assert [f.where for f in outcome.new_findings] == ["GET /v1/runs"]
    assert [f.where for f in outcome.known_findings] == ["POST /v1/threads"]
    assert outcome.broken


def test_an_entry_whose_check_or_operation_the_run_left_out_is_not_called_fixed(tmp_path):
    entries = (
        Entry(SERVER_ERROR, "not_a_server_error", "POST /v1/threads"),
        Entry("workflow | POST /v1/runs | answered 422"),
    )
    outcome = outcome_of([], Baseline(tmp_path / "b.json", entries), tmp_path, {"POST /v1/threads"})
    assert [e.key for e in outcome.comparison.unchecked] == [SERVER_ERROR]
    assert [e.key for e in outcome.comparison.fixed] == ["workflow | POST /v1/runs | answered 422"]
    assert not outcome.broken


def test_writing_the_same_findings_twice_gives_the_same_file(tmp_path):
    found = group([server_error("POST /v1/threads"), server_error("GET /v1/runs")], tmp_path)
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    baseline.write(found, one)
    baseline.write(list(reversed(found)), two)
    assert one.read_bytes() == two.read_bytes()
    assert baseline.load(one).keys == {f.key for f in found}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the baseline"),
        ("{not json", "is not JSON"),
        ('{"findings": []}', "is not a contract_tests baseline"),
        ('{"format": "contract_tests baseline 1"}', 'has no "findings" list'),
        ('{"format": "contract_tests baseline 1", "findings": [{"check": "x"}]}', 'findings[0] has no "key" string'),
    ],
)
def test_a_baseline_that_cannot_be_read_is_exit_2_with_a_reason_before_any_request(tmp_path, capsys, content, message):
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    assert main(["--base-url", "http://127.0.0.1:9", "--api-key", "k", "--baseline", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "could not run" not in err
