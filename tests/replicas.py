"""Mock processes for the multi-replica tests: `python -m mock_server --store redis://…` on
127.0.0.1 and a free port (`--port 0`, read back from the banner), stopped by the test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ADMIN_KEY = "ad_ReplicaAdminKey0123456789abcdefghijklmnopq"
BANNER = re.compile(r"Entities API mock on (http://\S+)")


@contextmanager
def replica(store: str, *args: str, startup: float = 30.0) -> Iterator[str]:
    """One mock process on the store; yields its base URL."""
    command = [sys.executable, "-m", "mock_server", "--store", store, "--port", "0", "--admin-key", ADMIN_KEY, *args]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ}
    )
    try:
        url = _banner(process, startup)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _banner(process: subprocess.Popen[str], startup: float) -> str:
    deadline = time.monotonic() + startup
    seen: list[str] = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the mock exited before serving ({process.wait()}): {''.join(seen)}")
        seen.append(line)
        found = BANNER.search(line)
        if found:
            url = found.group(1)
            _ready(url)
            return url
    raise RuntimeError(f"the mock did not start within {startup} s: {''.join(seen)}")


def _ready(url: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(f"{url}/__mock__/health", headers={"X-API-Key": ADMIN_KEY}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} never answered its health check")


@contextmanager
def replicas(store: str, count: int, *args: str) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(replica(store, *args)) for _ in range(count)]
