"""What a run tells people: a summary that starts with what to fix. After the header, what the
suite could not create (and therefore did not test), then the findings, numbered and ranked (server
errors and security, contract breaks, the rest), each under the check that found it, with what the
server answered and a `curl` to reproduce it; with a baseline, the new ones apart from the known
ones and the baseline's entries that no longer occur. Below: every operation with its status-code
coverage and the numbers of the findings against it, the workflows, and the verdict."""

from __future__ import annotations

from pathlib import Path

from contract_tests import catalog
from contract_tests.contract import Contract, Operation
from contract_tests.findings import Finding
from contract_tests.outcome import Outcome

MARKS = {"passed": "✓", "failed": "✗", "skipped": "-"}
MESSAGE_LINES = 6
SHORT = 160  # characters of a message or an answer quoted on one line
KEY_VARIABLES = {
    "$ADMIN_KEY": "the admin key",
    "$OTHER_USER_KEY": "a key of another user (the suite's second user is deleted after the run)",
    "$USER_KEY": "a key of a user the suite created, and deleted again",
}


def summary(outcome: Outcome, report_dir: Path) -> str:
    run, matrix = outcome.run, outcome.matrix
    session = f", session {outcome.session!r}" if outcome.session else ""
    lines = [
        f"Contract check of {outcome.base_url} against {matrix.contract.path.name} "
        f"({len(matrix.contract.operations)} operations{session})",
        f"Schemathesis: {run.test_cases} requests in {run.seconds:.1f} s; "
        + ", ".join(f"{status} {count}" for status, count in _count(outcome).items())
        + " workflows",
        *(f"Note: {note}" for note in outcome.notes),
        *_blocked(outcome),
        "",
        *_findings(outcome),
        "",
        *_operations(outcome),
        "",
        *_workflows(outcome),
    ]
    if run.errors:
        lines += ["", "Errors (Schemathesis could not check these)"] + [f"  ! {error}" for error in run.errors]
    lines += [
        "",
        f"Status-code coverage: {matrix.hit}/{matrix.total} documented codes exercised ({matrix.percent:.1f}%)"
        + (f", below the minimum of {outcome.min_coverage:g}%" if outcome.below_coverage else ""),
        f"Reports: {report_dir}/ (schemathesis.log, schemathesis.ndjson, coverage.md, coverage.json, bodies/)",
        _verdict(outcome),
    ]
    return "\n".join(lines)


def _blocked(outcome: Outcome) -> list[str]:
    lines = []
    for blocked in outcome.blocked:
        status, _, body = blocked.answer.removeprefix("[").partition("] ")
        lines.append(
            f"Could not create {blocked.resource}: {blocked.operation.label} ({blocked.operation.id}) answered "
            f"{status}{' ' + _short(body) if body else ''} (tried by {', '.join(blocked.by)})"
        )
        if blocked.untested:
            untested = f"{', '.join(blocked.untested)} ({_plural(len(blocked.untested), 'operation')})"
            lines.append(f"  therefore not tested: {untested}")
        if blocked.workflows:
            lines.append(f"  and these workflows stopped there: {', '.join(blocked.workflows)}")
    return lines


def _findings(outcome: Outcome) -> list[str]:
    if not outcome.findings and outcome.comparison is None:
        return ["Findings: none"]
    new, known, contract = outcome.new_findings, outcome.known_findings, outcome.matrix.contract
    if outcome.comparison is None:
        lines = [f"Findings ({len(new)}, most severe first)"]
    else:
        lines = [f"New findings ({len(new)}, not in the baseline), most severe first" if new else "New findings: none"]
    lines += _ranked(new, contract)
    if outcome.comparison is not None:
        if known:
            lines += ["", f"Known findings, in the baseline ({len(known)} recur)"] + _ranked(known, contract)
        fixed, unchecked = outcome.comparison.fixed, outcome.comparison.unchecked
        lines += ["", f"Fixed since the baseline ({len(fixed)}):" if fixed else "Fixed since the baseline: none"]
        lines += [f"  ✓ {entry.key}" for entry in fixed]
        if unchecked:
            lines += [f"In the baseline, not checked in this run (left out) ({len(unchecked)}):"]
            lines += [f"  - {entry.key}" for entry in unchecked]
    variables = [f"{name}: {what}" for name, what in KEY_VARIABLES.items() if any(name in f.reproduce for f in new)]
    if any(f.reproduce for f in outcome.findings):
        lines += ["", "Reproductions read the key from $API_KEY" + ("; " + "; ".join(variables) if variables else "")]
    return lines


def _ranked(found: list[Finding], contract: Contract) -> list[str]:
    lines: list[str] = []
    tier = check = None
    for finding in found:
        if finding.tier != tier:
            tier, check = finding.tier, None
            lines.append(f"  {catalog.TIER_TITLES[finding.tier]}")
        if finding.check != check:
            check = finding.check
            lines.append(f"    {check} — {catalog.title(check)}")
        lines += _finding(finding, contract.by_label.get(finding.where))
    return lines


def _finding(finding: Finding, operation: Operation | None) -> list[str]:
    example, indent = finding.example, " " * 9
    named = f" ({operation.id})" if operation else ""
    lines = [f"      {finding.number}. {finding.where}{named} — {finding.cause}"]
    seen = []
    if finding.requests:
        seen.append(f"{finding.requests} Schemathesis request{'s' if finding.requests > 1 else ''}")
    if finding.workflows:
        seen.append(f"workflow{'s' if len(finding.workflows) > 1 else ''} {', '.join(finding.workflows)}")
    if seen:
        lines.append(f"{indent}seen in: {'; '.join(seen)}")
    message = [line.rstrip() for line in example.message.splitlines() if line.strip()]
    lines += [f"{indent}{line}" for line in message[:MESSAGE_LINES]]
    answered_body = example.response.partition("] ")[2]
    if example.response and (not answered_body or answered_body[:40] not in example.message):
        lines.append(f"{indent}answered: {_short(example.response, 300)}")
    if finding.reproduce:
        lines.append(f"{indent}reproduce: {finding.reproduce}")
    return lines


def _operations(outcome: Outcome) -> list[str]:
    matrix = outcome.matrix
    lines = [
        "By operation (✓ kept, ✗ broken, ~ only known failures, ? untested: no documented success seen, - left out; "
        "status codes: ✓ exercised, · documented but not seen, ! undocumented)"
    ]
    for op_id, operation in matrix.contract.operations.items():
        against = outcome.against(operation.label)
        covered = set(matrix.covered(op_id))
        cells = " ".join(f"{code}{'✓' if code in covered else '·'}" for code in matrix.documented(op_id))
        cells += "".join(f" {code}!" for code in matrix.undocumented(op_id))
        refs = f"   finding{'s' if len(against) > 1 else ''} {', '.join(str(f.number) for f in against)}"
        line = f"  {_mark(outcome, op_id, against)} {op_id:30} {operation.method:6} {operation.path:48} {cells}"
        lines.append(line + (refs if against else ""))
    return lines


def _mark(outcome: Outcome, op_id: str, against: list[Finding]) -> str:
    if op_id in outcome.excluded:
        return "-"
    if any(not f.known for f in against):
        return "✗"
    if against:
        return "~"
    return "✓" if outcome.matrix.succeeded(op_id) else "?"


def _workflows(outcome: Outcome) -> list[str]:
    lines = ["Workflows (the SDK's flows, in order)"]
    for result in outcome.workflows:
        if result.status == "failed":
            number = next((f.number for f in outcome.findings if result.name in f.workflows), None)
            see = f"finding {number}, " if number else ""
            detail = f" — {see}{result.check}: {_short(result.message)}"
        elif result.status == "skipped":
            detail = f" — skipped: {result.message}"
        else:
            detail = f" ({result.seconds:.1f} s)"
        lines.append(f"  {MARKS[result.status]} {result.name}{detail}")
    return lines


def _count(outcome: Outcome) -> dict[str, int]:
    counts: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}
    for result in outcome.workflows:
        counts[result.status] += 1
    return counts


def _verdict(outcome: Outcome) -> str:
    untested = outcome.untested
    also = f"; {_plural(len(untested), 'operation')} untested (no documented success seen)" if untested else ""
    known = len(outcome.known_findings)
    if not outcome.broken:
        if known:
            return f"Result: no new failures ({known} known, in the baseline){also} (exit 0)"
        return f"Result: the contract is kept{also} (exit 0)"
    parts = []
    new = outcome.new_findings
    if new:
        operations = {f.where for f in new if f.where in outcome.matrix.contract.by_label}
        workflows = {w for f in new for w in f.workflows}
        where = [_plural(len(operations), "operation")] + ([_plural(len(workflows), "workflow")] if workflows else [])
        parts.append(f"{_plural(len(new), 'new finding' if outcome.comparison else 'finding')} ({', '.join(where)})")
    if outcome.run.errors:
        parts.append(_plural(len(outcome.run.errors), "error"))
    if outcome.below_coverage:
        parts.append("coverage below the minimum")
    return f"Result: the contract is broken: {', '.join(parts)}{also} (exit 1)"


def _short(text: str, limit: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
