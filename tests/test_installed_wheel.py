"""The toolkit works installed, not only from its checkout: `python -m build` makes an sdist and,
from it, a wheel; the wheel goes into a fresh virtualenv outside the repository (the base install,
then `[contract]`), and everything runs from a directory outside the repository, so nothing can
come from the source tree.

Slow (about a minute with a warm pip cache; it needs PyPI otherwise): `pytest -m "not wheel"`
skips it. The steps share one build and one virtualenv, in the order a user takes them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mock_server", "contract_tests", "codegen")
ADMIN_KEY = "ad_InstalledWheelAdminKey0000000000000"
SLOW = 300  # seconds for one pip or build step on a cold CI machine


@dataclass(frozen=True)
class Venv:
    path: Path
    cwd: Path  # outside the repository
    base_packages: frozenset[str]  # what the base install alone brought in

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=self.cwd, env=env_for(self.path), capture_output=True, text=True, timeout=timeout
        )


def env_for(venv: Path) -> dict[str, str]:
    """The environment of a user of that virtualenv: nothing of the toolkit's own .venv or checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def checked(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` from the working tree: the sdist, then the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    checked(
        subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=SLOW,
        )
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Venv:
    """A fresh virtualenv with the wheel installed, non-editable, without extras."""
    home = tmp_path_factory.mktemp("user")
    path = home / "venv"
    checked(subprocess.run([sys.executable, "-m", "venv", str(path)], capture_output=True, text=True, timeout=SLOW))
    pip = [str(path / "bin" / "python"), "-m", "pip"]
    checked(
        subprocess.run(
            [*pip, "install", "-q", str(wheel)],
            cwd=home,
            env=env_for(path),
            capture_output=True,
            text=True,
            timeout=SLOW,
        )
    )
    listed = checked(
        subprocess.run([*pip, "list", "--format=freeze"], env=env_for(path), capture_output=True, text=True)
    )
    names = frozenset(line.split("==")[0].lower().replace("_", "-") for line in listed.stdout.split())
    return Venv(path, home, names)


@pytest.fixture(scope="module")
def contract_venv(venv: Venv, wheel: Path) -> Venv:
    """The same virtualenv, with the `[contract]` extra added."""
    checked(venv.run(venv.python, "-m", "pip", "install", "-q", f"{wheel}[contract]", timeout=SLOW))
    return venv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def validate_key(base_url: str) -> int:
    request = urllib.request.Request(f"{base_url}/v1/auth/validate-key", headers={"X-API-Key": ADMIN_KEY})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.fixture(scope="module")
def mock_url(venv: Venv):
    """`entities-mock` from the virtualenv on 127.0.0.1 and a free port, stopped after the module."""
    port = free_port()
    log = venv.cwd / "mock.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(venv.path / "bin" / "entities-mock"), "--port", str(port), "--admin-key", ADMIN_KEY],
            cwd=venv.cwd,
            env=env_for(venv.path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                validate_key(base_url)
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, f"entities-mock exited {process.returncode}:\n{log.read_text()}"
                assert time.monotonic() < deadline, f"entities-mock did not listen within 30 s:\n{log.read_text()}"
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_wheel_holds_every_module_the_fixtures_the_type_markers_and_the_contract(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True, text=True, check=True)
    assert set(tracked.stdout.split()) <= names  # every module, fixture and py.typed git holds
    assert {"mock_server/engine/turns.py", "mock_server/handlers/runs.py", "mock_server/store/memory.py"} <= names
    assert {"mock_server/fixtures/default.yaml", *(f"{p}/py.typed" for p in PACKAGES)} <= names
    contract = (ROOT / "openapi.yaml").read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("mock_server/openapi.yaml") == contract
        assert archive.read("contract_tests/openapi.yaml") == contract
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_the_sdist_carries_the_contract_once_at_its_root(dist):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        contracts = [name.split("/", 1)[1] for name in archive.getnames() if name.endswith("openapi.yaml")]
    assert contracts == ["openapi.yaml"]


def test_the_base_install_is_the_mocks_runtime_without_the_suite_or_the_tools(venv):
    assert {"connexion", "uvicorn", "jsonschema-rs", "orjson", "pyyaml"} <= venv.base_packages
    assert not {"schemathesis", "hypothesis", "pytest", "projectdavid", "datamodel-code-generator"} & venv.base_packages


def test_both_installed_entry_points_answer_help_from_outside_the_repository(venv):
    for command in ([str(venv.path / "bin" / "entities-mock"), "--help"], [venv.python, "-m", "mock_server", "--help"]):
        assert "--admin-key" in checked(venv.run(*command)).stdout


def test_the_installed_mock_reads_the_contract_its_package_carries(venv):
    code = "from mock_server.settings import SPEC_PATH; print(SPEC_PATH)"
    spec = Path(checked(venv.run(venv.python, "-c", code)).stdout.strip())
    assert spec.is_relative_to(venv.path) and spec.parent.name == "mock_server"


def test_the_installed_mock_serves_and_accepts_its_admin_key(mock_url):
    assert validate_key(mock_url) == 200


def test_with_the_contract_extra_the_suite_cli_answers_help_and_reads_its_own_contract_copy(contract_venv):
    assert "--base-url" in checked(contract_venv.run(contract_venv.python, "-m", "contract_tests", "--help")).stdout
    code = "import sys, contract_tests.contract as c; print(c.DEFAULT_SPEC, 'mock_server' in sys.modules)"
    spec, mock_loaded = checked(contract_venv.run(contract_venv.python, "-c", code)).stdout.split()
    assert Path(spec).is_relative_to(contract_venv.path) and Path(spec).parent.name == "contract_tests"
    assert mock_loaded == "False"


def test_the_installed_suite_passes_against_the_installed_mock(contract_venv, mock_url):
    result = contract_venv.run(
        contract_venv.python,
        "-m",
        "contract_tests",
        *("--base-url", mock_url, "--api-key", ADMIN_KEY),
        *("--phases", "examples", "--max-examples", "1", "--report-dir", str(contract_venv.cwd / "report")),
        timeout=SLOW,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
