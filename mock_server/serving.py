"""The HTTP server around the app: uvicorn, with the limits a mock left running all day needs.

uvicorn's httptools protocol keeps reading a request's head for as long as a client sends it,
however large or slow: a 100 MB header stalls everyone, and a socket that sends a byte every few
seconds (or nothing) is held for good. `GuardedProtocol` bounds both, in the protocol itself,
since the app only sees a request once its head is complete:

- a request line and headers of more than `max_header_bytes` together (counted as the bytes
  arrive, before the parser has a whole line): 431, and the connection closes;
- a head not complete `header_timeout` seconds after the connection opened (or after the
  previous answer): 408, and the connection closes. That also closes idle sockets.

A body that stalls between chunks is the app's to time out (bodies.read_body: 408), and how much
it may send is the app's limit (413). uvicorn's `limit_concurrency` answers 503 past a number of
connections, before the process runs out of file descriptors.

It also hands each request a way to drop its connection, `scope["extensions"]["mock.abort"]`,
for the faults that ask for one (control/shaping.py), and `scope["extensions"]["mock.body_arrived"]`,
true once what `receive()` would hand over has arrived (bodies.read_body then sets no timer).

The protocol is uvicorn's HttpToolsProtocol, extended where its parser calls back
(tests/mock_server/test_serving.py names each method used, for uvicorn upgrades).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import socket
from typing import Any

import uvicorn
from uvicorn.config import LOG_LEVELS
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.settings import Settings

ABORT = "mock.abort"  # scope["extensions"] key: drops the request's connection
BODY_ARRIVED = "mock.body_arrived"  # scope["extensions"] key: whether receive() would answer at once
REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class GuardedProtocol(HttpToolsProtocol):
    max_header_bytes = 64 * 1024
    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._in_head = True  # between a request's first byte (or the connection's) and its blank line
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:  # counted as it arrives: the parser holds a header until its line ends
            end = data.find(b"\r\n\r\n")  # a body sent on the heels of its head is not head
            self._count(len(data) if end < 0 else end + 4)
            if self._refused:
                return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # the parser's error after a refusal of ours: answered already
            super().send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        if self._head_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()
        # The request's scope is built and its task not started yet: offer the app a way to drop
        # the connection (a fault asks for one; ASGI itself has none).
        extensions = self.scope.setdefault("extensions", {})
        extensions[ABORT] = self.transport.abort  # type: ignore[typeddict-item]
        # And a way to tell that the body has arrived already (the whole of a small one usually
        # comes with its head), so reading it needs no stall timer (bodies.read_body).
        extensions[BODY_ARRIVED] = self.cycle.message_event.is_set  # type: ignore[typeddict-item]

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's head, or an idle keep-alive, has the same time

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            self._refuse(431, f"The request line and headers are larger than {self.max_header_bytes} bytes")

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._head_bytes or self.cycle is None or self.cycle.response_complete:
            if self._head_bytes:
                self._refuse(408, f"The request's headers did not arrive within {self.header_timeout:g} s")
            else:
                self.transport.close()  # an idle connection: nothing to answer

    def _refuse(self, status: int, detail: str) -> None:
        self._refused = True
        body = b'{"detail":"' + detail.encode() + b'"}'
        head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
        self.transport.write(head % (status, REASONS[status], len(body)) + body)
        self.transport.close()


def protocol_for(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class with this run's limits (uvicorn builds one instance per connection)."""
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {"max_header_bytes": settings.max_header_bytes, "header_timeout": settings.header_timeout},
    )


def server_config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "http": protocol_for(settings),
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.max_connections,
        "log_level": "warning",
        # The mock reads no client address, so uvicorn's X-Forwarded-For rewriting is work for nothing.
        "proxy_headers": False,
    }
    options.update(overrides)
    # uvicorn builds each access-log line's client address and path before its logger drops the
    # line, so below `info` (where nothing would be shown) the access log is off, not filtered.
    if "access_log" not in overrides:
        options["access_log"] = _level(options["log_level"]) <= logging.INFO
    return uvicorn.Config(app, **options)


def _level(name: str | int) -> int:
    return name if isinstance(name, int) else LOG_LEVELS.get(str(name).lower(), logging.WARNING)


def listen(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to host:port, for `uvicorn.Server.run(sockets=…)`. Bound before the banner is
    printed: a port in use is an OSError here, not after the URL and key were shown, and port 0's
    free port is known. Bound as asyncio's create_server binds for uvicorn: one socket per address
    the host resolves to, SO_REUSEADDR, IPv6 ones v6-only (so `::` and `0.0.0.0` can coexist)."""
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(sockets) > 1:  # every address on the port the first one was given
                address = (address[0], sockets[0].getsockname()[1], *address[2:])
            sock.bind(address)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def raise_file_limit() -> None:
    """As many open files as the system lets this process have: every connection holds one."""
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
