"""What a Schemathesis run found, read back from its NDJSON report: every request it sent and the
status it got (for the coverage matrix), every failed check with a curl to reproduce it, and the
errors that kept it from checking something."""

from __future__ import annotations

import base64
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One broken promise: where, which check, what it said, and how to see it again."""

    operation: str  # "GET /v1/threads/{thread_id}", or the workflow's name
    check: str
    title: str
    message: str
    reproduce: str = ""
    response: str = ""  # "[422] {"detail": …}", what the server answered


@dataclass
class Run:
    finished: bool = False
    seconds: float = 0.0
    test_cases: int = 0
    exercised: set[tuple[str, int]] = field(default_factory=set)  # (operation label, status)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read(path: Path) -> Run:
    run = Run()
    if not path.exists():
        return run
    seen: set[tuple[str, str, str]] = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            kind, payload = next(iter(event.items()))
            if kind == "ScenarioFinished":
                _scenario(payload.get("recorder") or {}, run, seen)
            elif kind == "NonFatalError":
                value = payload.get("value") or {}
                text = f"{payload.get('label')}: {value.get('type')}: {value.get('message')}"
                # With `--operation`, the links may all point outside the selection: nothing to chain.
                (run.notes if value.get("type") == "NoLinksFound" else run.errors).append(text.splitlines()[0])
            elif kind == "FatalError":
                run.errors.append(f"Schemathesis failed: {payload}")
            elif kind == "EngineFinished":
                run.finished = True
                run.seconds = payload.get("running_time") or 0.0
                for failure in payload.get("failures") or []:
                    _add(
                        run,
                        seen,
                        Finding(
                            failure.get("operation") or "run",
                            "after_run",
                            failure.get("title", ""),
                            failure.get("message", ""),
                        ),
                    )
    return run


def _scenario(recorder: dict[str, Any], run: Run, seen: set[tuple[str, str, str]]) -> None:
    cases = {case_id: entry.get("value", {}) for case_id, entry in (recorder.get("cases") or {}).items()}
    interactions = recorder.get("interactions") or {}
    for case_id, interaction in interactions.items():
        case = cases.get(case_id)
        response = interaction.get("response")
        if case and response:
            run.test_cases += 1
            run.exercised.add((f"{case['method'].upper()} {case['path']}", response["status_code"]))
    for case_id, checks in (recorder.get("checks") or {}).items():
        for check in checks:
            failure = (check.get("failure_info") or {}).get("failure")
            if check.get("status") != "failure" or not failure:
                continue
            case = cases.get(case_id) or {}
            operation = failure.get("operation") or f"{case.get('method', '?')} {case.get('path', '?')}"
            finding = Finding(
                operation=operation,
                check=check["name"],
                title=failure.get("title", ""),
                message=failure.get("message", ""),
                reproduce=_curl(interactions.get(case_id, {}).get("request")),
                response=_answer(interactions.get(case_id, {}).get("response")),
            )
            _add(run, seen, finding)


def _add(run: Run, seen: set[tuple[str, str, str]], finding: Finding) -> None:
    # Schemathesis reports one failure per operation and kind; phases can find it again.
    key = (finding.operation, finding.check, finding.title)
    if key not in seen:
        seen.add(key)
        run.findings.append(finding)


def _answer(response: dict[str, Any] | None) -> str:
    if not response:
        return ""
    content = response.get("content")
    body = ""
    if isinstance(content, dict) and "$base64" in content:
        body = base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return f"[{response.get('status_code')}] {body[:300]}"


def _curl(request: dict[str, Any] | None) -> str:
    if not request:
        return ""
    parts = ["curl", "-X", request.get("method", "GET")]
    for name, value in (request.get("headers") or {}).items():
        value = value[0] if isinstance(value, list) else value
        if name.lower() == "x-api-key":
            value = "$API_KEY"  # never print the key; the report filters it anyway
            parts += ["-H", f'"{name}: {value}"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = request.get("body")
    if isinstance(body, dict) and "$base64" in body:
        parts += ["-d", shlex.quote(base64.b64decode(body["$base64"]).decode("utf-8", "replace"))]
    parts.append(shlex.quote(request.get("uri", "")))
    return " ".join(parts)
