"""The pytest plugin, as a user runs it: `pytest -p mock_server.pytest_plugin` on their own tests
(examples/test_with_the_mock.py, the README's example, uses the official SDK), in a fresh pytest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "test_with_the_mock.py"


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "mock_server.pytest_plugin", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_readme_example_passes_with_the_plugin(tmp_path):
    result = run_pytest(str(EXAMPLE), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_each_test_gets_a_session_of_its_own_that_is_forgotten_after_it(tmp_path):
    (tmp_path / "test_isolation.py").write_text(
        """
import httpx

names = []

def test_first(entities_mock):
    names.append(entities_mock.name)
    made = httpx.post(entities_mock.root_url + "/v1/threads", json={}, headers=entities_mock.headers)
    assert made.status_code == 200

def test_second(entities_mock, entities_mock_server):
    assert entities_mock.name != names[0]
    counts = httpx.get(entities_mock.root_url + "/__mock__/sessions", headers=entities_mock.headers).json()
    assert names[0] not in [s["name"] for s in counts["sessions"]]
    assert entities_mock_server.app.mock.sessions.peek(names[0]) is None
"""
    )
    result = run_pytest("test_isolation.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_ini_options_set_the_seed_and_the_admin_key(tmp_path):
    key = "ad_PluginAdminKey0123456789abcdefghijklmnopqrst"
    (tmp_path / "pytest.ini").write_text(f"[pytest]\nentities_mock_seed = 3\nentities_mock_admin_key = {key}\n")
    (tmp_path / "test_settings.py").write_text(
        f"""
def test_settings(entities_mock, entities_mock_server):
    assert entities_mock.admin_key == "{key}"
    assert entities_mock_server.app.mock.settings.seed == 3
"""
    )
    result = run_pytest("test_settings.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
