"""`python -m contract_tests` as CI calls it: exit code 0 kept, 1 broken, 2 could not run, and
the options that let a team adopt the suite gradually."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from contract_tests import runner
from contract_tests.__main__ import main
from contract_tests.options import parse
from mock_server import Settings, create_app
from tests.contract_tests import broken
from tests.contract_tests.conftest import ADMIN_KEY, found
from tests.live_server import serve

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--phases", "examples", "--max-examples", "1"]


@pytest.fixture(scope="module")
def mock_url():
    with serve(create_app(Settings(admin_key=ADMIN_KEY, seed=6))) as url:
        yield url


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess, without the environment variables it would read."""
    env = {key: value for key, value in os.environ.items() if key not in ("BASE_URL", "API_KEY", "ADMIN_KEY")}
    command = [sys.executable, "-m", "contract_tests", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def test_the_cli_names_each_break_and_exits_1_against_a_broken_server(tmp_path):
    junit = tmp_path / "junit.xml"
    with serve(broken.broken_mock(broken.message_object_is_msg)) as url:
        args = ["--base-url", url, "--api-key", ADMIN_KEY, "--operation", "createMessage", "--max-examples", "3"]
        done = cli(*args, "--junit", str(junit), "--report-dir", str(tmp_path / "report"), cwd=ROOT)
    assert done.returncode == 1, done.stderr
    findings, operations = done.stdout.split("\nBy operation", 1)
    block = findings.split("object_string_conformance — Wrong `object` string\n", 1)[1]
    number, where = re.match(r" +(\d+)\. (.*) — ", block).groups()
    assert where == "POST /v1/messages (createMessage)"
    details = re.split(r"\n {0,6}\S", block, maxsplit=1)[0]  # up to the next finding, check or section
    assert "reproduce: curl -X POST" in details
    (row,) = [line for line in operations.splitlines() if " createMessage " in line]
    assert row.startswith("  ✗ ") and "finding" in row and number in row.split("finding")[1]
    assert done.stdout.rstrip().endswith("(exit 1)")
    root = ET.parse(junit).getroot()
    assert int(root.get("failures")) >= 1


def test_an_unreachable_server_is_exit_2_not_a_contract_failure(tmp_path):
    done = cli("--base-url", "http://127.0.0.1:9", "--api-key", "k", "--report-dir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert "could not run: cannot reach http://127.0.0.1:9" in done.stderr


def test_a_rejected_key_is_exit_2(mock_url, tmp_path):
    code = main(["--base-url", mock_url, "--api-key", "ea_NotAKeyAtAll0000000000", "--report-dir", str(tmp_path)])
    assert code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--base-url and --api-key are required"),
        (["--base-url", "localhost:9000"], "must be an http(s) URL"),
        (["--exclude-operation", "getThreads"], "unknown operation(s): getThreads"),
        (["--exclude-check", "not_a_check"], "unknown check(s): not_a_check"),
        (["--exclude-workflow", "chat"], "unknown workflow(s): chat"),
        (["--phases", "examples,warmup"], "unknown phase(s): warmup"),
        (["--min-coverage", "120"], "--min-coverage is 0..100"),
    ],
)
def test_bad_options_are_exit_2_with_a_reason(args, message, capsys, monkeypatch):
    for name in ("BASE_URL", "API_KEY", "ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    defaults = {"--base-url": "http://127.0.0.1:9000", "--api-key": "k"}
    argv = [item for key, value in defaults.items() if key not in args for item in (key, value)] if args else []
    assert main([*argv, *args]) == 2
    assert message in capsys.readouterr().err


def test_min_coverage_fails_a_run_that_exercised_too_little(run_suite, mock_url):
    code, outcome = run_suite(mock_url, *QUICK, "--operation", "getThread", "--min-coverage", "50")
    assert not outcome.findings and outcome.below_coverage
    assert code == 1


def test_an_excluded_operation_is_neither_fuzzed_nor_called_by_the_workflows(run_suite, mock_url):
    _, outcome = run_suite(mock_url, *QUICK, "--exclude-operation", "createCompletion")
    assert outcome.matrix.covered("createCompletion") == []
    turns = {w.name: w.message for w in outcome.workflows if w.name.endswith("_turn")}
    assert turns == {name: "uses excluded operation createCompletion" for name in turns} and len(turns) == 3


def test_without_admin_rights_the_cross_user_checks_are_skipped_and_the_summary_says_why(run_suite, mock_url):
    admin = {"X-API-Key": ADMIN_KEY}
    user = httpx.post(f"{mock_url}/v1/users", json={"email": "plain@example.com"}, headers=admin).json()
    key = httpx.post(f"{mock_url}/v1/users/{user['id']}/apikeys", json={}, headers=admin).json()["plain_key"]
    code, outcome = run_suite(mock_url, *QUICK, api_key=key)
    assert code == 0
    assert any("no admin rights" in note for note in outcome.notes)
    skipped = {w.name for w in outcome.workflows if w.status == "skipped"}
    assert skipped == {"user_and_key", "provision_user", "cross_user", "ownership"}
    assert not found(outcome, "no_cross_user_access")


def test_the_same_seed_against_the_same_fresh_server_repeats_the_run(tmp_path):
    args = [
        "--operation",
        "createThread",
        "--operation",
        "listRuns",
        "--max-examples",
        "5",
        "--exclude-workflow",
        "all",
    ]
    runs = []
    for n in range(2):
        with serve(create_app(Settings(admin_key=ADMIN_KEY, seed=9))) as url:
            options = parse(["--base-url", url, "--api-key", ADMIN_KEY, "--report-dir", str(tmp_path / str(n)), *args])
            outcome = runner.check(options)
        runs.append((outcome.run.test_cases, sorted(outcome.run.exercised), outcome.matrix.hit))
    assert runs[0] == runs[1] and runs[0][0] > 20
