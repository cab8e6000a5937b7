"""Run wrk (keep-alive load, `--latency`) and parse what it prints."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.M)
_SOCKET_ERRORS = re.compile(r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M)
SOCKET_ERROR_KINDS = ("connect", "read", "write", "timeout")


class WrkError(RuntimeError):
    """wrk failed, or printed something the parser does not understand."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int = 0  # wrk's "Non-2xx or 3xx responses" (status >= 400)
    socket_errors: int = 0  # connect + read + write errors and timeouts
    socket_error_kinds: dict[str, int] = field(default_factory=dict)  # the same, by kind (when any)

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.non_2xx == 0 and self.socket_errors == 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def to_ms(value: str, unit: str) -> float:
    return float(value) * TIME_UNITS_MS[unit]


def parse(output: str) -> WrkResult:
    """wrk's report (with --latency) -> WrkResult."""
    requests, rps = _REQUESTS.search(output), _RPS.search(output)
    percentiles = {int(p): to_ms(v, u) for p, v, u in _PERCENTILE.findall(output)}
    if requests is None or rps is None or set(percentiles) != {50, 75, 90, 99}:
        raise WrkError(f"cannot parse wrk's output:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET_ERRORS.search(output)
    return WrkResult(
        requests=int(requests.group(1)),
        seconds=to_ms(requests.group(2), requests.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
        socket_error_kinds=dict(zip(SOCKET_ERROR_KINDS, map(int, socket_errors.groups()), strict=True))
        if socket_errors
        else {},
    )


def lua_script(method: str, headers: dict[str, str], body: Any = None) -> str:
    """A wrk script that sends every request with this method, these headers and this JSON body."""
    lines = [f"wrk.method = {json.dumps(method)}"]
    lines += [f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}" for name, value in headers.items()]
    if body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        # A Lua long string holds the JSON as is; the level of `=` signs keeps it closed.
        text = json.dumps(body, separators=(",", ":"))
        level = "=" * next(n for n in range(1, 10) if f"]{'=' * n}]" not in text)
        lines.append(f"wrk.body = [{level}[{text}]{level}]")
    return "\n".join(lines) + "\n"


def run(
    url: str,
    *,
    seconds: float,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: Any = None,
    connections: int = 16,
    threads: int = 2,
) -> WrkResult:
    """One wrk run against `url`; bounded by its duration (plus a margin) and wrk's own timeout."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "request.lua"
        script.write_text(lua_script(method, headers or {}, body))
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            str(script),
            url,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        except subprocess.TimeoutExpired as error:
            raise WrkError(f"wrk did not finish: {' '.join(command)}") from error
    if done.returncode != 0:
        raise WrkError(f"wrk exited with {done.returncode}: {done.stderr or done.stdout}")
    return parse(done.stdout)
