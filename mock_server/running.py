"""The mock (or any ASGI app) served by uvicorn on 127.0.0.1 and a free port, in a background
thread of this process: for tests whose client is a real HTTP client (the official SDK), and for
the pytest plugin. The server stops when the block exits."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from mock_server.serving import server_config
from mock_server.settings import Settings


@contextlib.contextmanager
def serve(app: Any, settings: Settings | None = None, *, start_timeout: float = 10) -> Iterator[str]:
    """Yields the base URL. `settings`: the HTTP server's limits (the mock's header size and
    timeouts), if not the defaults."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(server_config(app, settings or Settings(), lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the mock did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
