"""The suite against the reference implementation, with the CI budget: nothing to report, every
workflow passes, and every documented status code the mock can produce is exercised."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract_tests import contract, runner
from contract_tests.options import parse
from contract_tests.report import summary
from contract_tests.workflows import NAMES
from mock_server import Settings, create_app
from tests.contract_tests.conftest import ADMIN_KEY
from tests.live_server import serve

# Documented, but no request can make the mock answer them (each says why).
UNPRODUCIBLE = {
    ("createCompletion", "502"): "needs a failing model turn, i.e. an `error` rule the default fixtures lack",
    # The platform's browser and search services failing: the mock's scripted web never fails.
    ("webRead", "500"): "the mock's web never fails (ask with Prefer: code=500)",
    ("webScroll", "500"): "the mock's web never fails (ask with Prefer: code=500)",
    ("webSearch", "500"): "the mock's web never fails (ask with Prefer: code=500)",
    ("webSerp", "500"): "the mock's web never fails (ask with Prefer: code=500)",
}


def takes_no_input(operation: contract.Operation) -> bool:
    """No body, no query, and path parameters any non-empty string fits: nothing to fail validation,
    so the documented 422 (FastAPI documents one everywhere) cannot happen."""
    spec = contract.load()
    raw = spec.document["paths"][operation.path][operation.method.lower()]
    parameters = [
        spec.resolve(p)
        for p in [*spec.document["paths"][operation.path].get("parameters", []), *raw.get("parameters", [])]
    ]
    # The mock-only headers are not sent by the suite (contract.without_mock_only).
    parameters = [p for p in parameters if not p.get("x-mock-only")]
    loose = all(p["in"] == "path" and set(spec.resolve(p["schema"])) <= {"type", "minLength"} for p in parameters)
    return "requestBody" not in raw and loose


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    report_dir = tmp_path_factory.mktemp("contract-report")
    junit = report_dir / "junit.xml"
    with serve(create_app(Settings(admin_key=ADMIN_KEY, seed=3))) as url:
        options = parse(
            ["--base-url", url, "--api-key", ADMIN_KEY, "--report-dir", str(report_dir), "--junit", str(junit)]
        )
        outcome = runner.check(options)
    return outcome, report_dir, junit


def test_the_mock_keeps_the_contract_under_the_ci_budget(run):
    outcome, _, _ = run
    assert [(f.where, f.check, f.example.message, f.example.response) for f in outcome.findings] == []
    assert outcome.run.errors == []
    assert runner.exit_code(outcome) == 0
    assert outcome.run.test_cases > 1000, "Schemathesis ran every phase"


def test_every_workflow_passes_against_the_mock(run):
    outcome, _, _ = run
    assert {w.name: (w.status, w.message) for w in outcome.workflows} == {name: ("passed", "") for name in NAMES}


def test_every_documented_status_code_the_mock_can_produce_is_exercised(run):
    outcome, _, _ = run
    missing = {(op, code) for op in outcome.matrix.contract.operations for code in outcome.matrix.missing(op)}
    operations = contract.load().operations.values()
    unproducible_422 = {(op.id, "422") for op in operations if "422" in op.statuses and takes_no_input(op)}
    # The mock's own limits: a body of more than 10 MiB (413), or one that stalls (408). The suite
    # does not test a server's limits: the real server has none.
    limits = {(op.id, status) for op in operations if op.takes_body for status in ("408", "413")}
    # The store being unavailable: only a mock on Redis answers it, with Redis down
    # (tests/mock_server/test_replicas.py); this mock's store is its memory.
    store_down = {(op.id, "503") for op in operations}
    assert missing == set(UNPRODUCIBLE) | unproducible_422 | limits | store_down


def test_the_junit_report_merges_schemathesis_the_workflows_and_coverage(run):
    _, _, junit = run
    root = ET.parse(junit).getroot()
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"schemathesis", "workflows", "coverage"}
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert [case.get("name") for case in suites["workflows"].iter("testcase")] == NAMES
    assert int(suites["schemathesis"].get("tests")) >= 51


def test_the_summary_lists_every_operation_with_its_status_codes_and_the_verdict(run):
    outcome, report_dir, _ = run
    text = summary(outcome, report_dir)
    for operation in contract.load().operations.values():
        assert f"✓ {operation.id} " in text
    assert "200✓ 401✓ 403✓ 404✓" in text
    assert text.endswith("Result: the contract is kept (exit 0)")


def test_no_report_holds_the_api_key(run):
    _, report_dir, _ = run
    leaks = [
        path.name for path in Path(report_dir).iterdir() if path.is_file() and ADMIN_KEY in path.read_text("utf-8")
    ]
    assert leaks == []
