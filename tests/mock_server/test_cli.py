"""`python -m mock_server`: prints where it listens and the admin key, serves, stops cleanly, and
refuses what it cannot use (a taken port, a bad flag or variable, a broken fixture file) in one
line on stderr, before the banner, with exit code 2."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.settings import SettingsError

KEY = "ad_CliTestAdminKey00000000000000000000000"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI run to its end: for starts that must fail (one that succeeds would serve until the timeout)."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith("MOCK_")}
    command = [sys.executable, "-m", "mock_server", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={**environ, **(env or {})})


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused start prints, after checking it printed nothing else."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == "", "nothing of the banner (URL, admin key) is printed"
    (line,) = result.stderr.splitlines()
    assert line.startswith("mock_server: cannot start: ")
    return line


def wait_until_serving(base_url: str, key: str) -> httpx.Response:
    deadline = time.monotonic() + 15
    while True:
        try:
            return httpx.get(f"{base_url}/v1/auth/validate-key", headers={"X-API-Key": key})
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "the mock did not start listening"
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_cli_prints_the_base_url_and_admin_key_and_serves_with_them():
    port = free_port()
    command = [sys.executable, "-m", "mock_server", "--port", str(port), "--admin-key", KEY, "--seed", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = [process.stdout.readline() for _ in range(2)]
        assert f"http://127.0.0.1:{port}" in banner[0]
        assert KEY in banner[1]
        response = wait_until_serving(f"http://127.0.0.1:{port}", KEY)
        assert response.status_code == 200 and response.json()["valid"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_broken_fixture_file_exits_with_2_and_says_why(tmp_path):
    broken = tmp_path / "seed.yaml"
    broken.write_text("threads:\n  - owner: nobody\n")
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "--fixtures", str(broken)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "cannot start" in result.stderr and "nobody" in result.stderr


def test_port_0_serves_on_a_free_port_that_the_banner_names():
    command = [sys.executable, "-m", "mock_server", "--port", "0", "--admin-key", KEY]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base_url = re.search(r"http://127\.0\.0\.1:(\d+)", process.stdout.readline())
        assert base_url and int(base_url.group(1)) > 0
        assert wait_until_serving(base_url.group(0), KEY).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_port_in_use_is_named_and_exits_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused(run_cli("--port", str(port)))
    assert f"port {port} on 127.0.0.1 is already in use" in line and "--port" in line


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--port", "99999"], "--port 99999 is not a port: ports are 1 to 65535, and 0 picks a free one"),
        (["--port", "-1"], "--port -1 is not a port"),
        (["--admin-key", "secret"], "--admin-key 'secret' is not an API key: a key is more than 8 characters"),
        (["--max-sessions", "0"], "--max-sessions 0 must be greater than 0"),
        (["--header-timeout", "nan"], "--header-timeout nan must be a finite number"),
        (["--tokens-per-second", "-5"], "--tokens-per-second -5.0 must be a finite number greater than 0"),
    ],
)
def test_a_flag_the_mock_cannot_use_is_named_and_exits_2(args, said):
    assert said in refused(run_cli(*args))


@pytest.mark.parametrize(
    ("variable", "said"),
    [
        ("MOCK_SEED=abc", "MOCK_SEED='abc' is not a valid int"),
        ("MOCK_ADMIN_KEY=secret", "MOCK_ADMIN_KEY='secret' is not an API key"),
        ("MOCK_MAX_BODY_BYTES=-1", "MOCK_MAX_BODY_BYTES='-1' must be greater than 0"),
    ],
)
def test_an_environment_variable_the_mock_cannot_use_is_named_and_exits_2(variable, said):
    name, value = variable.split("=")
    line = refused(run_cli(env={name: value}))
    assert said in line and "Traceback" not in line


def test_the_admin_key_rule_is_the_one_authentication_applies():
    """A key one character longer than the prefix authenticates; one the length of the prefix would
    be "Invalid API Key format." on every request, so it is refused at start."""
    app = create_app(Settings(admin_key="ad_12345X"))
    response = app.test_client().get("/v1/auth/validate-key", headers={"X-API-Key": "ad_12345X"})
    assert response.status_code == 200
    with pytest.raises(SettingsError, match=r"admin_key='ad_12345'\) is not an API key"):
        Settings(admin_key="ad_12345")


def test_each_problem_of_a_fixture_file_is_printed_on_a_line_of_its_own(tmp_path):
    path = tmp_path / "fixtures.yaml"
    path.write_text("assistants:\n  - {name: A, model: m, temperature: hot}\nmessages:\n  - content: no thread\n")
    result = run_cli("--fixtures", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"mock_server: cannot start: {path}: assistants[0].temperature: 'hot' is not of type 'number'",
        f"mock_server: cannot start: {path}: messages[0].thread: missing, and required",
    ]


def test_a_fixture_file_that_does_not_parse_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "fixtures.yaml"
    path.write_text("users:\n  - ref: a\n   email: misindented\n")
    assert f"{path}: not valid YAML: line 3" in refused(run_cli("--fixtures", str(path)))


def test_a_fixture_file_with_many_problems_prints_the_first_twenty_and_counts_the_rest(tmp_path):
    path = tmp_path / "fixtures.yaml"
    path.write_text("assistants:\n" + "  - {name: A, model: m, temperature: hot}\n" * 25)
    lines = run_cli("--fixtures", str(path)).stderr.splitlines()
    assert len(lines) == 21 and "assistants[19].temperature" in lines[19]
    assert lines[20] == "mock_server: cannot start: … and 5 more problems"
