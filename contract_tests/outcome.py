"""What one run found, put together: the findings of the workflows and of Schemathesis grouped and
ranked, held against the baseline, the operations that got no documented success, and what the
suite could not create. The exit code follows from it: 1 on a new finding, a Schemathesis error,
or coverage under `--min-coverage`; known findings and untested operations alone do not fail a
run (`--min-coverage` is the way to require that operations are exercised)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from contract_tests import baseline, blocked, findings
from contract_tests.client import Break, CallLog
from contract_tests.contract import Contract
from contract_tests.coverage import Matrix
from contract_tests.findings import Finding
from contract_tests.options import Options
from contract_tests.results import Run
from contract_tests.world import Result


@dataclass
class Outcome:
    base_url: str
    run: Run
    workflows: list[Result]
    matrix: Matrix
    min_coverage: float
    notes: list[str]
    findings: list[Finding] = field(default_factory=list)  # ranked: the new ones, then the known ones
    blocked: list[blocked.Blocked] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)  # operationIds the run left out
    comparison: baseline.Comparison | None = None  # with --baseline
    session: str | None = None

    @property
    def new_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.known]

    @property
    def known_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.known]

    @property
    def failed_workflows(self) -> list[Result]:
        return [result for result in self.workflows if result.status == "failed"]

    @property
    def below_coverage(self) -> bool:
        return self.matrix.percent < self.min_coverage

    @property
    def untested(self) -> list[str]:
        """Operations in scope that were never answered with a documented success."""
        return [
            op for op in self.matrix.contract.operations if op not in self.excluded and not self.matrix.succeeded(op)
        ]

    @property
    def broken(self) -> bool:
        return bool(self.new_findings or self.run.errors or self.below_coverage)

    def against(self, label: str) -> list[Finding]:
        return [f for f in self.findings if f.where == label]


def assemble(
    options: Options,
    contract: Contract,
    run: Run,
    flows: list[Result],
    log: CallLog,
    seeding: tuple[str, Break | None],  # the seeding's problem, and the refusal behind it
    matrix: Matrix,
    notes: list[str],
    excluded: set[str],
    report_dir: Path,
) -> Outcome:
    ranked = findings.group([*findings.from_workflows(flows, log.breaks), *run.failures], report_dir / "bodies")
    comparison = None
    if options.baseline is not None:
        left_out = {*options.exclude_checks, *options.exclude_workflows}
        left_out |= {contract.operations[op].label for op in excluded}
        comparison = baseline.compare(ranked, options.baseline, left_out)
    ranked = [f for f in ranked if not f.known] + [f for f in ranked if f.known]
    for number, finding in enumerate(ranked, start=1):
        finding.number = number
    problem, seeding_break = seeding
    attempts = [("seeding", seeding_break)] if seeding_break is not None else []
    for result in flows:
        error = findings.break_of(result, log.breaks)
        if error is not None:
            attempts.append((result.name, error))
    cannot_create = blocked.find(contract, attempts, matrix, excluded)
    if problem and not any("seeding" in b.by for b in cannot_create):
        notes = [*notes, problem]  # the summary's "Could not create" line says it otherwise
    return Outcome(
        base_url=options.base_url,
        run=run,
        workflows=flows,
        matrix=matrix,
        min_coverage=options.min_coverage,
        notes=notes,
        findings=ranked,
        blocked=cannot_create,
        excluded=excluded,
        comparison=comparison,
        session=options.session,
    )
