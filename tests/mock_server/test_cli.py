"""`python -m mock_server`: prints where it listens and the admin key, serves, stops cleanly, and
refuses a broken fixture file with exit code 2."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

KEY = "ad_CliTestAdminKey00000000000000000000000"


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
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/auth/validate-key", headers={"X-API-Key": KEY})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the mock did not start listening"
                time.sleep(0.1)
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
