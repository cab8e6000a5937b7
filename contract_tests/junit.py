"""One JUnit XML for CI: Schemathesis' own report as it wrote it, plus a `workflows` suite (a test
case per workflow) and a `coverage` suite (the `--min-coverage` threshold). It lists every failure,
known or new: the baseline decides the exit code, not what the report shows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from contract_tests.outcome import Outcome


def write(outcome: Outcome, schemathesis_junit: Path, target: Path) -> None:
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
