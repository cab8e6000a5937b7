"""What a run tells people and CI: a summary grouped by operation (its status-code coverage, then
each broken check with a curl to reproduce it), the workflows, and one JUnit XML that merges
Schemathesis' own report with the workflows and the coverage threshold."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from contract_tests.coverage import Matrix
from contract_tests.results import Finding, Run
from contract_tests.world import Result

MARKS = {"passed": "✓", "failed": "✗", "skipped": "-"}


@dataclass
class Outcome:
    base_url: str
    run: Run
    workflows: list[Result]
    matrix: Matrix
    min_coverage: float
    notes: list[str]

    @property
    def failed_workflows(self) -> list[Result]:
        return [result for result in self.workflows if result.status == "failed"]

    @property
    def below_coverage(self) -> bool:
        return self.matrix.percent < self.min_coverage

    @property
    def broken(self) -> bool:
        return bool(self.run.findings or self.run.errors or self.failed_workflows or self.below_coverage)


def summary(outcome: Outcome, report_dir: Path) -> str:
    run, matrix = outcome.run, outcome.matrix
    by_operation: dict[str, list[Finding]] = defaultdict(list)
    for finding in run.findings:
        by_operation[finding.operation].append(finding)
    lines = [
        f"Contract check of {outcome.base_url} against {matrix.contract.path.name} "
        f"({len(matrix.contract.operations)} operations)",
        f"Schemathesis: {run.test_cases} requests in {run.seconds:.1f} s; "
        + ", ".join(f"{status} {count}" for status, count in _count(outcome.workflows).items())
        + " workflows",
        *(f"Note: {note}" for note in outcome.notes),
        "",
        "By operation (✓ kept, ✗ broken; status codes: ✓ exercised, · documented but not seen, ! undocumented)",
    ]
    for op_id, operation in matrix.contract.operations.items():
        findings = by_operation.pop(operation.label, [])
        covered = set(matrix.covered(op_id))
        cells = " ".join(f"{code}{'✓' if code in covered else '·'}" for code in matrix.documented(op_id))
        cells += "".join(f" {code}!" for code in matrix.undocumented(op_id))
        lines.append(f"  {'✗' if findings else '✓'} {op_id:30} {operation.method:6} {operation.path:48} {cells}")
        lines.extend(_finding(finding) for finding in findings)
    for label, findings in by_operation.items():  # stateful sequences, run-level checks
        lines.append(f"  ✗ {label}")
        lines.extend(_finding(finding) for finding in findings)
    lines += ["", "Workflows (the SDK's flows, in order)"]
    for result in outcome.workflows:
        detail = (
            f" — {result.check}: {result.message}"
            if result.status == "failed"
            else (f" — skipped: {result.message}" if result.status == "skipped" else f" ({result.seconds:.1f} s)")
        )
        lines.append(f"  {MARKS[result.status]} {result.name}{detail}")
    if run.errors:
        lines += ["", "Errors (Schemathesis could not check these)"] + [f"  ! {error}" for error in run.errors]
    lines += [
        "",
        f"Status-code coverage: {matrix.hit}/{matrix.total} documented codes exercised ({matrix.percent:.1f}%)"
        + (f", below the minimum of {outcome.min_coverage:g}%" if outcome.below_coverage else ""),
        f"Reports: {report_dir}/ (schemathesis.log, schemathesis.ndjson, coverage.md, coverage.json)",
        _verdict(outcome),
    ]
    return "\n".join(lines)


def _finding(finding: Finding) -> str:
    message = "\n".join(f"        {line}" for line in finding.message.strip().splitlines()[:8])
    text = f"      ✗ {finding.check} — {finding.title}\n{message}"
    if finding.response:
        text += f"\n        answered: {finding.response}"
    if finding.reproduce:
        text += f"\n        reproduce: {finding.reproduce}"
    return text


def _count(results: list[Result]) -> dict[str, int]:
    counts: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}
    for result in results:
        counts[result.status] += 1
    return counts


def _verdict(outcome: Outcome) -> str:
    if not outcome.broken:
        return "Result: the contract is kept (exit 0)"
    parts = []
    if outcome.run.findings:
        operations = {finding.operation for finding in outcome.run.findings}
        parts.append(f"{len(outcome.run.findings)} failures in {len(operations)} operations")
    if outcome.failed_workflows:
        parts.append(f"{len(outcome.failed_workflows)} failed workflows")
    if outcome.run.errors:
        parts.append(f"{len(outcome.run.errors)} errors")
    if outcome.below_coverage:
        parts.append("coverage below the minimum")
    return f"Result: the contract is broken: {', '.join(parts)} (exit 1)"


def write_junit(outcome: Outcome, schemathesis_junit: Path, target: Path) -> None:
    """Schemathesis' suite as it wrote it, plus a `workflows` and a `coverage` suite."""
    root = ET.parse(schemathesis_junit).getroot() if schemathesis_junit.exists() else ET.Element("testsuites")
    workflows = ET.SubElement(root, "testsuite", name="workflows")
    for result in outcome.workflows:
        case = ET.SubElement(workflows, "testcase", name=result.name, time=f"{result.seconds:.3f}")
        if result.status == "failed":
            ET.SubElement(case, "failure", type=result.check, message=result.check).text = result.message
        elif result.status == "skipped":
            ET.SubElement(case, "skipped", message=result.message)
    coverage = ET.SubElement(root, "testsuite", name="coverage")
    matrix = outcome.matrix
    case = ET.SubElement(coverage, "testcase", name=f"status-code coverage >= {outcome.min_coverage:g}%")
    if outcome.below_coverage:
        text = f"{matrix.hit}/{matrix.total} documented status codes exercised ({matrix.percent:.1f}%)"
        ET.SubElement(case, "failure", type="coverage", message="coverage below the minimum").text = text
    for suite in (workflows, coverage):
        _count_suite(suite)
    for attribute in ("tests", "failures", "errors", "skipped"):
        total = sum(int(suite.get(attribute, "0")) for suite in root.iter("testsuite"))
        root.set(attribute, str(total))
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)


def _count_suite(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
