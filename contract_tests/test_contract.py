"""The contract suite as pytest tests, for teams whose CI runs pytest: one run of the whole suite
per session, reported as one test per operation, per workflow, and for the run itself.

    pytest --pyargs contract_tests --base-url http://127.0.0.1:9000 --api-key KEY --junitxml=contract.xml
"""

from __future__ import annotations

import pytest

from contract_tests import contract, runner
from contract_tests.findings import Finding
from contract_tests.options import OptionsError, parse
from contract_tests.outcome import Outcome
from contract_tests.report import summary
from contract_tests.workflows import NAMES

OPERATIONS = list(contract.load().operations.values())


@pytest.fixture(scope="session")
def outcome(contract_argv: list[str]) -> Outcome:
    try:
        options = parse(contract_argv)
    except OptionsError as error:
        pytest.fail(f"bad contract suite options: {error or 'see above'}", pytrace=False)
    try:
        result = runner.check(options)
    except runner.CouldNotRun as error:
        pytest.fail(f"could not run: {error}", pytrace=False)
    print(summary(result, options.report_dir))
    return result


def _described(findings: list[Finding]) -> str:
    return "\n\n".join(
        f"{f.number}. {f.where} {f.check}: {f.cause}\n{f.example.message}\n{f.reproduce}" for f in findings
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.id)
def test_operation_keeps_the_contract(outcome: Outcome, operation: contract.Operation) -> None:
    broken = [f for f in outcome.new_findings if f.where == operation.label]
    assert not broken, _described(broken)


def test_stateful_sequences_keep_the_contract(outcome: Outcome) -> None:
    labels = {operation.label for operation in OPERATIONS}
    broken = [f for f in outcome.new_findings if f.where not in labels and not f.workflows]
    assert not broken, _described(broken)


@pytest.mark.parametrize("name", NAMES)
def test_workflow(outcome: Outcome, name: str) -> None:
    (result,) = [r for r in outcome.workflows if r.name == name]
    if result.status == "skipped":
        pytest.skip(result.message)
    known = any(f.known for f in outcome.findings if name in f.workflows)
    assert result.status == "passed" or known, f"{result.check}: {result.message}"


def test_schemathesis_checked_everything_it_tried(outcome: Outcome) -> None:
    assert not outcome.run.errors, "\n".join(outcome.run.errors)


def test_status_code_coverage_reaches_the_minimum(outcome: Outcome) -> None:
    matrix = outcome.matrix
    assert not outcome.below_coverage, f"{matrix.hit}/{matrix.total} ({matrix.percent:.1f}%) < {outcome.min_coverage}%"
