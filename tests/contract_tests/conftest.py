"""Fixtures for the contract suite's own tests: a way to run the suite in-process against a
server on a free port, and the keys the mock is started with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contract_tests import runner
from contract_tests.options import parse
from contract_tests.report import Outcome

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
    """What the run reported under `check` (for `operation`, a label or a workflow name, if given):
    Schemathesis' findings and the failed workflows alike."""
    hits = [
        f"{f.operation}: {f.message}"
        for f in outcome.run.findings
        if f.check == check and operation in (None, f.operation)
    ]
    hits += [
        f"{w.name}: {w.message}"
        for w in outcome.workflows
        if w.status == "failed" and w.check == check and operation in (None, w.name)
    ]
    return hits
