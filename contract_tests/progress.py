"""Progress on stderr while a run goes: against a real server a run takes minutes (it may verify a
bcrypt hash on every request), and a silent terminal reads as a hung one. Stdout stays the summary.

On a terminal, one live line: the phase, a bar where the total is known (operations done of those
selected), the requests so far, the seconds, and the operation last answered. Elsewhere (CI logs),
one plain line when a phase starts and one when it ends:

    contract_tests: workflows: started
    contract_tests: workflows: finished in 12.3 s, 187 requests
    contract_tests: schemathesis: examples: started (51 operations)
    contract_tests: schemathesis: examples: finished in 4.6 s, 51/51 operations, 320 requests

`--quiet` turns it off."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

PREFIX = "contract_tests: "
BAR_WIDTH = 24
REFRESH = 0.1  # seconds between two redraws of the live line


class Progress:
    def __init__(
        self, stream: TextIO, *, live: bool, enabled: bool = True, clock: Callable[[], float] = time.monotonic
    ):
        self.stream, self.live, self.enabled, self.clock = stream, live, enabled, clock
        self._lock = threading.Lock()
        self._phase: str | None = None
        self._total: int | None = None
        self._unit = ""
        self._done = self._requests = 0
        self._current = ""
        self._started = self._drawn = 0.0

    @classmethod
    def to(cls, stream: TextIO, *, quiet: bool) -> Progress:
        isatty = getattr(stream, "isatty", None)
        return cls(stream, live=bool(isatty and isatty()), enabled=not quiet)

    @contextlib.contextmanager
    def phase(self, name: str, total: int | None = None, unit: str = "operations") -> Iterator[None]:
        self.start(name, total, unit)
        try:
            yield
        finally:
            self.finish()

    def start(self, name: str, total: int | None = None, unit: str = "operations") -> None:
        if not self.enabled:
            return
        with self._lock:
            self._phase, self._total, self._unit = name, total, unit
            self._done = self._requests = 0
            self._current = ""
            self._started = self.clock()
            of = f" ({total} {unit})" if total else ""
            self._line(f"{PREFIX}{name}: started{of}")

    def step(self, current: str = "", requests: int = 0, done: int = 0) -> None:
        """`requests` more were answered, `done` more of the total are finished; `current` was last."""
        if not self.enabled or self._phase is None:
            return
        with self._lock:
            self._requests += requests
            self._done += done
            self._current = current or self._current
            now = self.clock()
            if self.live and now - self._drawn >= REFRESH:
                self._drawn = now
                self._draw(now)

    def finish(self) -> None:
        if not self.enabled or self._phase is None:
            return
        with self._lock:
            seconds = self.clock() - self._started
            counts = f"{self._done}/{self._total} {self._unit}, " if self._total else ""
            self._line(f"{PREFIX}{self._phase}: finished in {seconds:.1f} s, {counts}{_requests(self._requests)}")
            self._phase = None

    def _draw(self, now: float) -> None:
        parts = [f"{self._phase}"]
        if self._total:
            filled = min(BAR_WIDTH, BAR_WIDTH * self._done // self._total)
            parts.append(f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self._done}/{self._total}")
        parts.append(_requests(self._requests))
        parts.append(f"{now - self._started:.0f} s")
        if self._current:
            parts.append(self._current)
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r\x1b[2K" + " · ".join(parts)[:width])
        self.stream.flush()

    def _line(self, text: str) -> None:
        # On a terminal, a finished or started line replaces the live one and stays above it.
        self.stream.write(("\r\x1b[2K" if self.live else "") + text + "\n")
        self.stream.flush()


def _requests(count: int) -> str:
    return f"{count} request{'' if count == 1 else 's'}"
