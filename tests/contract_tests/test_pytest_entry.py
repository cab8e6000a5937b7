"""`pytest --pyargs contract_tests --base-url … --api-key …`: the same suite for teams whose CI runs
pytest, one test per operation and per workflow."""

from __future__ import annotations

import subprocess
import sys

from contract_tests import contract
from contract_tests.workflows import NAMES
from mock_server import Settings, create_app
from tests.contract_tests import broken
from tests.contract_tests.conftest import ADMIN_KEY
from tests.live_server import serve


def pytest_against(url: str, tmp_path, *contract_args: str) -> subprocess.CompletedProcess[str]:
    args = " ".join(["--report-dir", str(tmp_path), *contract_args])
    command = [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "--base-url", url, "--api-key", ADMIN_KEY]
    command += ["--contract-args", args, "-q", "-p", "no:cacheprovider", "--junitxml", str(tmp_path / "pytest.xml")]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_the_pytest_entry_point_passes_against_the_mock_with_a_test_per_operation(tmp_path):
    with serve(create_app(Settings(admin_key=ADMIN_KEY, seed=8))) as url:
        done = pytest_against(url, tmp_path, "--phases", "examples", "--max-examples", "1")
    assert done.returncode == 0, done.stdout[-3000:]
    # A test per operation, the stateful sequences, each workflow, Schemathesis' errors, coverage.
    assert f"{len(contract.load().operations) + 1 + len(NAMES) + 2} passed" in done.stdout


def test_the_pytest_entry_point_fails_the_broken_operation_only(tmp_path):
    with serve(broken.broken_mock(broken.message_object_is_msg)) as url:
        done = pytest_against(
            url, tmp_path, "--operation", "createMessage", "--max-examples", "5", "--exclude-workflow", "all"
        )
    assert done.returncode == 1
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert failed == [line for line in failed if "test_operation_keeps_the_contract[createMessage]" in line]
    assert len(failed) == 1
