"""Start, wait for and stop the servers the bench measures, each in a process group of its own on
127.0.0.1 and a free port, so that stopping one also stops whatever it spawned."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SPEC = ROOT / "openapi.yaml"
PRISM = BENCH / "node_modules" / ".bin" / "prism"
MOCKOON = BENCH / "node_modules" / ".bin" / "mockoon-cli"
HOST = "127.0.0.1"
ADMIN_KEY = "ad_BenchAdminKey0123456789abcdefghijklmnopqrstu"
HEADERS = {"X-API-Key": ADMIN_KEY}
MOCK_READY_PATH = "/v1/auth/validate-key"  # 200 once the mock serves authenticated requests


_handed_out: set[int] = set()


def free_port() -> int:
    """A port free on 127.0.0.1 now, and not handed out before by this process."""
    while True:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


class Server:
    """One server process: its command, where it listens, its log (shown when it fails to start)."""

    def __init__(self, name: str, command: list[str], port: int, *, cwd: Path = ROOT) -> None:
        self.name = name
        self.command = command
        self.port = port
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Server:
        fd, log_name = tempfile.mkstemp(prefix=f"bench-{self.name.split()[0]}-", suffix=".log")
        os.close(fd)
        self.log_path = Path(log_name)
        with self.log_path.open("ab") as log:  # the child appends; output() reads by path
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def wait_ready(
        self, path: str, headers: dict[str, str], timeout: float = 60.0, statuses: tuple[int, ...] = (200,)
    ) -> float:
        """Poll GET `path` until it answers one of `statuses`; the seconds that took. Raises on
        timeout or when the process dies first."""
        assert self.process is not None, "start() first"
        started = time.monotonic()
        deadline = started + timeout
        with httpx.Client(base_url=self.url, headers=headers, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.output()}")
                try:
                    if client.get(path).status_code in statuses:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.name} did not answer {statuses} on {path} in {timeout:.0f} s:\n{self.output()}"
                    )
                time.sleep(0.01)

    def output(self, limit: int = 4000) -> str:
        try:
            return self.log_path.read_bytes().decode(errors="replace")[-limit:] if self.log_path else ""
        except FileNotFoundError:
            return ""

    def wait_for_line(self, prefix: str, timeout: float) -> str:
        """The first line of the server's output that starts with `prefix` (waiting for it)."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.output(limit=100_000).splitlines():
                if line.startswith(prefix):
                    return line
            if self.process is None or self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} printed no line starting {prefix!r}:\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # the group is the process's own (start_new_session)


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    """Start the servers; stop every one of them on the way out, whatever happened."""
    try:
        for server in servers:
            server.start()
            if server.name == "redis-server":  # the Redis-backed mocks refuse to start without it
                wait_redis(server)
        yield servers
    finally:
        for server in servers:
            server.stop()


def mock_server(*extra: str, seed: int | None = 1) -> Server:
    """The mock as users run it: full request and response validation."""
    port = free_port()
    command = [sys.executable, "-m", "mock_server", "--port", str(port), "--admin-key", ADMIN_KEY]
    command += ["--seed", str(seed)] if seed is not None else []
    return Server("mock", [*command, *extra], port)


def bare_server() -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_app", "--port", str(port), "--admin-key", ADMIN_KEY, "--seed", "1"]
    return Server("bare", command, port)


def prism_server() -> Server:
    port = free_port()
    command = [str(PRISM), "mock", str(SPEC), "-h", HOST, "-p", str(port), "--verboseLevel", "silent"]
    return Server("prism", command, port, cwd=BENCH)


def mockoon_server() -> Server:
    """Mockoon's CLI importing the same openapi.yaml (its routes answer the examples). `-X`: no log
    file (its maintainers' advice for speed); its one JSON line per request goes to the server's log."""
    port = free_port()
    command = [str(MOCKOON), "start", "--data", str(SPEC), "--port", str(port), "--hostname", HOST]
    return Server("mockoon", [*command, "--disable-log-to-file", "--disable-admin-api"], port, cwd=BENCH)


def filled_mock(messages: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.filled_mock", "--messages", str(messages), "--port", str(port)]
    return Server(f"mock with {messages} messages", [*command, "--admin-key", ADMIN_KEY], port)


def redis_store() -> Server:
    """A redis-server for the Redis-backed mocks: 127.0.0.1, a free port, nothing written to disk."""
    port = free_port()
    binary = shutil.which("redis-server") or "redis-server"
    command = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    return Server("redis-server", command, port)


def wait_redis(server: Server, timeout: float = 30.0) -> None:
    """Until the redis-server answers PING (it speaks no HTTP, so `wait_ready` cannot ask it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with socket.create_connection((HOST, server.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer on port {server.port} in {timeout:.0f} s:\n{server.output()}")


def mock_on_redis(name: str, store_url: str, workers: int) -> Server:
    """The mock as `make bench` runs the memory one, its state in Redis, in `workers` processes."""
    server = mock_server("--store", store_url, "--workers", str(workers))
    server.name = name
    return server


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (`apt-get install -y wrk`; `make bench` and `make profile` do)")


def ensure_tools() -> None:
    """wrk on the PATH; Prism and Mockoon installed from bench/package-lock.json (npm ci) when missing."""
    ensure_wrk()
    if not (PRISM.exists() and MOCKOON.exists()):
        if shutil.which("npm") is None:
            raise SystemExit("bench: npm is needed to install Prism and Mockoon (bench/package.json)")
        print("bench: installing Prism and Mockoon (npm ci --prefix bench) ...", flush=True)
        subprocess.run(
            ["npm", "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund", "--loglevel=error"],
            check=True,
            timeout=600,
        )
