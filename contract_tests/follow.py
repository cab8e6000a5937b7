"""Follows Schemathesis' NDJSON report while it is written, for the progress display: the events
of Schemathesis 4.32 (`schemathesis/reporting/ndjson.py` writes one `{EventName: {…}}` per line)
name each phase as it starts and ends (`PhaseStarted`, `PhaseFinished`, with `phase.name`),
and each operation's scenario as it finishes (`ScenarioFinished`, with the operation's label and
its requests in `recorder`). `LoadingFinished` says how many operations were selected. The
report is read from where the last read stopped; a line still being written waits for its end."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from contract_tests.progress import Progress

PHASES = ("examples", "coverage", "fuzzing", "stateful")
POLL = 0.25  # seconds


class Follower:
    def __init__(self, path: Path, progress: Progress, poll: float = POLL) -> None:
        self.path, self.progress, self.poll = path, progress, poll
        self.operations: int | None = None
        self._offset = 0
        self._pending = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="contract_tests-follow", daemon=True)

    def __enter__(self) -> Follower:
        if self.progress.enabled:
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
            self.drain()  # what was written after the last poll
        if self.progress.enabled:
            self.progress.finish()  # a phase Schemathesis did not end (it stopped early)

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            self.drain()

    def drain(self) -> None:
        try:
            with self.path.open("rb") as report:
                report.seek(self._offset)
                chunk = report.read()
        except FileNotFoundError:
            return
        self._offset += len(chunk)
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        for line in lines:
            if line.strip():
                self.handle(json.loads(line))

    def handle(self, event: dict[str, Any]) -> None:
        kind, payload = next(iter(event.items()))
        if kind == "LoadingFinished":
            self.operations = ((payload.get("statistic") or {}).get("operations") or {}).get("selected")
        elif kind == "PhaseStarted" and _phase(payload) in PHASES:
            name = _phase(payload)
            if name == "stateful":
                self.progress.start("schemathesis: stateful", None, "scenarios")
            else:
                self.progress.start(f"schemathesis: {name}", self.operations, "operations")
        elif kind == "ScenarioFinished" and payload.get("phase") in PHASES and not payload.get("is_final"):
            recorder = payload.get("recorder") or {}
            label = recorder.get("label") or ""
            self.progress.step(
                label if label.split(" ")[0].isupper() else "", len(recorder.get("interactions") or {}), 1
            )
        elif kind == "PhaseFinished" and _phase(payload) in PHASES:
            self.progress.finish()


def _phase(payload: dict[str, Any]) -> str:
    """The phase an event names; "" for one the options turned off (Schemathesis still announces it)."""
    phase = payload.get("phase")
    if isinstance(phase, dict):
        return phase.get("name", "") if phase.get("is_enabled", True) else ""
    return str(phase or "")
