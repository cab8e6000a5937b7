"""`--session NAME` keeps a run out of a shared mock's default data: every request the suite makes
(the preflight, the workflows, the seeding, our checks' probes and Schemathesis' own) carries
`X-Mock-Session: NAME`. Progress goes to stderr: a line per phase start and end when stderr is no
terminal, one live line when it is one."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from contract_tests.progress import Progress
from mock_server import Settings, create_app
from mock_server.store.memory import run_now
from tests.contract_tests.conftest import ADMIN_KEY
from tests.live_server import serve

ROOT = Path(__file__).resolve().parents[2]
SESSION = "contract-run-1"
# Enough for every kind of request (workflows, seeding, probes, every phase, links to follow), and
# quick: createAssistant's coverage phase alone takes seconds, so Schemathesis leaves threads behind.
FEW = ["createThread", "getThread", "deleteThread", "getAssistant", "listAssistants"]
PHASE_LINE = re.compile(
    r"^contract_tests: (?P<phase>[a-z: ]+): (?:started(?: \(\d+ \w+\))?|finished in \d+\.\d s, .*requests?)$"
)


class SessionRecorder:
    """The mock, noting the X-Mock-Session of every request it is sent."""

    def __init__(self) -> None:
        self.app = create_app(Settings(admin_key=ADMIN_KEY, seed=11))
        self.sessions: list[str | None] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.sessions.append(dict(scope["headers"]).get(b"x-mock-session", b"").decode() or None)
        await self.app(scope, receive, send)


def test_a_session_run_leaves_the_default_data_alone_and_its_stderr_names_each_phase(tmp_path):
    server = SessionRecorder()
    default = run_now(server.app.mock.sessions.get(None)).store
    tables = ("users", "api_keys", "assistants", "threads", "messages", "runs", "actions")
    before = {name: run_now(default.repository(name).count()) for name in tables}
    args = ["--api-key", ADMIN_KEY, "--session", SESSION, "--max-examples", "1", "--report-dir", str(tmp_path)]
    args += [arg for operation in FEW for arg in ("--operation", operation)]
    env = {key: value for key, value in os.environ.items() if key not in ("BASE_URL", "API_KEY", "CONTRACT_SESSION")}
    with serve(server) as url:
        done = subprocess.run(
            [sys.executable, "-m", "contract_tests", "--base-url", url, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
    assert done.returncode == 0, done.stdout[-3000:]
    after = {name: run_now(default.repository(name).count()) for name in before}
    assert after == before
    assert run_now(server.app.mock.sessions.peek(SESSION).store.threads.count()) > 0
    assert set(server.sessions) == {SESSION}, "every request carried the session"
    assert "session 'contract-run-1'" in done.stdout.splitlines()[0]

    progress = [line for line in done.stderr.splitlines() if line.startswith("contract_tests: ")]
    assert all(PHASE_LINE.match(line) for line in progress), progress
    phases = [PHASE_LINE.match(line)["phase"] for line in progress if "started" in line]
    schemathesis = [f"schemathesis: {phase}" for phase in ("examples", "coverage", "fuzzing", "stateful")]
    assert phases == ["workflows", "seeding", *schemathesis]
    examples = r"^contract_tests: schemathesis: examples: finished in [\d.]+ s, 5/5 operations, \d+ requests$"
    assert re.search(examples, done.stderr, re.M)
    assert "\r" not in done.stderr and "\x1b" not in done.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_terminal_each_phase_is_one_line_when_it_starts_and_one_when_it_ends():
    clock = iter([0.0, 1.0, 2.0, 3.0, 3.5]).__next__  # start, three steps, finish
    stream = io.StringIO()
    progress = Progress(stream, live=False, clock=clock)
    progress.start("schemathesis: fuzzing", 51)
    for _ in range(3):
        progress.step("GET /v1/threads", requests=4, done=1)
    progress.finish()
    assert stream.getvalue().splitlines() == [
        "contract_tests: schemathesis: fuzzing: started (51 operations)",
        "contract_tests: schemathesis: fuzzing: finished in 3.5 s, 3/51 operations, 12 requests",
    ]


def test_on_a_terminal_one_live_line_shows_the_bar_the_requests_and_the_operation():
    stream = Terminal()
    progress = Progress.to(stream, quiet=False)
    assert progress.live
    progress.start("schemathesis: examples", 4)
    progress.step("POST /v1/threads", requests=7, done=2)
    live = stream.getvalue().split("\r\x1b[2K")[-1]
    assert live.startswith("schemathesis: examples · [############............] 2/4 · 7 requests · ")
    assert live.endswith(" · POST /v1/threads") and "\n" not in live


def test_quiet_prints_nothing():
    stream = Terminal()
    progress = Progress.to(stream, quiet=True)
    with progress.phase("workflows"):
        progress.step("GET /v1/runs", requests=1)
    assert stream.getvalue() == ""
