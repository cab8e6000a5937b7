"""`--workers N`: N processes serving one set of listening sockets, sharing one Redis store.

The parent binds the sockets and builds the app once (so the banner and a bad setting are said
once, before anything is served), then forks the workers: each runs its own event loop, opens its
own Redis connections (none is opened before the fork) and checks every answer against the
contract as a single process does. The kernel spreads connections over the workers. SIGINT and
SIGTERM to the parent are passed on to the workers; the parent exits when they all have, with
the first failing worker's exit code.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


def serve_workers(count: int, serve: Callable[[], None]) -> int:
    children: list[int] = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # a worker: serve until told to stop
            code = 0
            try:
                serve()
            except BaseException:  # noqa: BLE001 - a worker's crash is its exit code, not the parent's
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        children.append(pid)

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            try:
                os.kill(child, signum)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    worst = 0
    for child in children:
        _, status = os.waitpid(child, 0)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, -signal.SIGTERM, -signal.SIGINT) and worst == 0:
            worst = code if code > 0 else 1
    return worst
