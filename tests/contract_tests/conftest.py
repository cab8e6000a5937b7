"""Fixtures for the contract suite's own tests: a way to run the suite in-process against a
server on a free port, and the keys the mock is started with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contract_tests import runner
from contract_tests.options import parse
from contract_tests.outcome import Outcome

ADMIN_KEY = "ad_ContractSuiteAdminKey0123456789abcdefghij"
# Small but real: every phase runs; the budget only bounds how many cases each generates.
QUICK = ["--max-examples", "3"]


@pytest.fixture
def run_suite(tmp_path: Path) -> Callable[..., tuple[int, Outcome]]:
    """Run the suite against `base_url` with `args`; returns (exit code, outcome)."""

    def run(base_url: str, *args: str, api_key: str = ADMIN_KEY) -> tuple[int, Outcome]:
        options = parse(["--base-url", base_url, "--api-key", api_key, "--report-dir", str(tmp_path), *args])
        outcome = runner.check(options)
        return runner.exit_code(outcome), outcome

    return run


def found(outcome: Outcome, check: str, operation: str | None = None) -> list[str]:
    """What the run reported under `check` (for `operation`, a label or a workflow name, if given),
    one "where: message" per finding: Schemathesis' and the workflows' alike. A finding a workflow
    ran into is named by the workflow when `operation` names one."""
    hits = []
    for finding in outcome.findings:
        if finding.check != check:
            continue
        if operation in finding.workflows:
            example = next(s for s in finding.sightings if s.workflow == operation)
            hits.append(f"{operation}: {example.message}")
        elif operation in (None, finding.where):
            hits.append(f"{finding.where}: {finding.example.message}")
    return hits
