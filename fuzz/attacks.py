"""Socket-level attacks on a running mock, and the measure of what they cost everyone else: the
longest another client waited for a small request while the attack ran."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx


@dataclass
class Waits:
    """A client sending a cheap request in a loop, recording how long each took."""

    url: str
    headers: dict[str, str]
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        stop = threading.Event()

        def loop() -> None:
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    try:
                        client.get(self.url, headers=self.headers)
                    except httpx.HTTPError as error:
                        self.errors.append(repr(error))
                    self.seconds.append(time.perf_counter() - started)
                    time.sleep(0.005)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=35)

    @property
    def worst_ms(self) -> float:
        return max(self.seconds, default=0.0) * 1000


def connect(host: str, port: int, timeout: float = 15.0) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def status_of(sock: socket.socket) -> int | None:
    """The status of the answer on the socket (None when the mock closed without one)."""
    try:
        data = sock.recv(65536)
    except OSError:
        return None
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data.split(b" ", 2)[1])


def big_header(host: str, port: int, size: int) -> int | None:
    with connect(host, port) as sock:
        try:
            sock.sendall(b"GET /v1/assistants HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
        except OSError:
            pass  # the mock may close while we still send
        return status_of(sock)


def slow_head(host: str, port: int, interval: float, give_up: float) -> tuple[int | None, float]:
    """A request head sent a byte at a time; the status it got and after how long."""
    started = time.monotonic()
    with connect(host, port, timeout=give_up) as sock:
        head = b"GET /v1/assistants HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000
        for byte in head:
            try:
                sock.send(bytes([byte]))
            except OSError:
                break
            sock.settimeout(interval)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                if time.monotonic() - started > give_up:
                    return None, give_up
                continue
            except OSError:
                break
            status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None
            return status, time.monotonic() - started
    return None, time.monotonic() - started


def declared_body(host: str, port: int, path: str, key: str, declared: int, sent: int) -> int | None:
    """A POST declaring `declared` bytes that sends `sent` and hangs up (or reads the answer)."""
    with connect(host, port) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {declared}\r\n\r\n"
        ).encode()
        try:
            sock.sendall(head)
            chunk = b"x" * 65536
            for _ in range(sent // len(chunk)):
                sock.sendall(chunk)
        except OSError:
            pass
        return status_of(sock)


def idle_sockets(host: str, port: int, count: int, hold: float, check: Callable[[], bool]) -> tuple[bool, int]:
    """Open `count` sockets that send nothing; whether the mock still serves meanwhile (`check`),
    and how many the mock closed within `hold` seconds."""
    socks = []
    for _ in range(count):
        with contextlib.suppress(OSError):
            socks.append(connect(host, port))
    serves = check()
    time.sleep(hold)
    closed = 0
    for sock in socks:
        sock.settimeout(0.1)
        try:
            closed += sock.recv(1) == b""
        except (TimeoutError, OSError):
            pass
        sock.close()
    return serves, closed
