"""What a Schemathesis run found, read back from its NDJSON report: every request it sent and the
status it got (for the coverage matrix), every failed check on every request (a `Sighting`, with
the request to reproduce it; `findings.py` groups them), and the errors that kept it from checking
something."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests import causes, probes, reproduce
from contract_tests.findings import Sighting

# Which key a reproduction sends, by check: the replay of `no_cross_user_access` is the same
# request with the second user's key; `ignored_auth` sent none, or an invalid one (both filtered
# in the report, so an invalid stand-in is written).
SECOND_USER_KEY = "OTHER_USER_KEY"
INVALID_KEY = "not-a-valid-key"


@dataclass
class Run:
    finished: bool = False
    seconds: float = 0.0
    test_cases: int = 0
    exercised: set[tuple[str, int]] = field(default_factory=set)  # (operation label, status)
    failures: list[Sighting] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read(path: Path, session: str | None = None) -> Run:
    """`session` is the run's `--session`: the report filters it, the reproductions need it."""
    run = Run()
    restore = {probes.SESSION_HEADER.lower(): session} if session else {}
    if not path.exists():
        return run
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            kind, payload = next(iter(event.items()))
            if kind == "ScenarioFinished":
                _scenario(payload.get("recorder") or {}, run, restore)
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
                    title, message = failure.get("title", ""), failure.get("message", "")
                    where = failure.get("operation") or "run"
                    cause = causes.cause("after_run", title, message)
                    run.failures.append(Sighting("after_run", where, title, message, cause))
    return run


def _scenario(recorder: dict[str, Any], run: Run, restore: dict[str, str]) -> None:
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
            interaction = interactions.get(case_id) or {}
            response = interaction.get("response") or {}
            status = response.get("status_code")
            name, title, message = check["name"], failure.get("title", ""), failure.get("message", "")
            run.failures.append(
                Sighting(
                    check=name,
                    where=failure.get("operation") or f"{case.get('method', '?').upper()} {case.get('path', '?')}",
                    title=title,
                    message=message,
                    cause=causes.cause(name, title, message, status),
                    status=status,
                    response=_answer(response),
                    request=_request(interaction.get("request"), name, title, restore),
                )
            )


def _request(
    request: dict[str, Any] | None, check: str, title: str, restore: dict[str, str]
) -> reproduce.Request | None:
    if not request:
        return None
    if check == "no_cross_user_access":
        return reproduce.from_schemathesis(request, SECOND_USER_KEY, restore=restore)
    if check == "ignored_auth" and "invalid" in title.lower():
        return reproduce.from_schemathesis(request, key_literal=INVALID_KEY, restore=restore)
    if check == "ignored_auth":
        headers = {name: value for name, value in (request.get("headers") or {}).items() if name.lower() != "x-api-key"}
        return reproduce.from_schemathesis({**request, "headers": headers}, restore=restore)
    return reproduce.from_schemathesis(request, restore=restore)


def _answer(response: dict[str, Any]) -> str:
    if not response:
        return ""
    content = response.get("content")
    body = ""
    if isinstance(content, dict) and "$base64" in content:
        body = base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return f"[{response.get('status_code')}] {body[:300]}".rstrip()
