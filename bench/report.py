"""What a bench run prints and saves: the tables, the machine it ran on, the commit it measured."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.servers import BENCH, ROOT


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join("{:>" + str(w) + "}" for w in widths)
    out = [line.format(*headers), line.format(*("-" * w for w in widths))]
    out += [line.format(*map(str, row)) for row in rows]
    return "\n".join(out)


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def throughput_table(scenarios: dict[str, dict[str, Any]]) -> str:
    servers = ("mock", "prism", "mockoon", "bare")
    headers = ["scenario", *(f"{n} rps" for n in servers), "mock p50", *(f"{n} p99" for n in servers)]
    headers += ["mock/prism", "mock/mockoon", "mock/bare"]
    rows = [
        [
            name,
            *(_num(s.get(f"{n}_rps")) for n in servers),
            _num(s.get("mock_p50_ms"), 2) + " ms",
            *(_num(s.get(f"{n}_p99_ms"), 2) + " ms" for n in servers),
            *(_num(s.get(f"ratio_mock_{n}"), 2) for n in servers[1:]),
        ]
        for name, s in scenarios.items()
    ]
    return table(headers, rows)


def store_table(scenarios: dict[str, dict[str, Any]]) -> str:
    """The mock on its memory store beside the mock on Redis, one process and two workers."""
    servers = ("mock", "redis", "redis2")
    headers = ["scenario", "memory rps", "redis rps", "redis x2 rps", "memory p99", "redis p99", "redis x2 p99"]
    headers += ["redis/memory", "redis x2/redis"]
    rows = [
        [
            name,
            *(_num(s.get(f"{n}_rps")) for n in servers),
            *(_num(s.get(f"{n}_p99_ms"), 2) + " ms" for n in servers),
            _num(s.get("ratio_redis_memory"), 2),
            _num(s.get("ratio_redis2_redis1"), 2),
        ]
        for name, s in scenarios.items()
    ]
    return table(headers, rows)


def streams_table(result: dict[str, dict[str, Any]]) -> str:
    headers = ["streams", "completed", "first frame p50", "p99", "bare p99", "frames/s", "bare frames/s"]
    headers += ["mock/bare", "mock CPU", "bare CPU", "mock µs/frame", "bare µs/frame", "client CPU"]
    rows = []
    for count, s in result.items():
        mock, bare = s.get("mock") or {}, s.get("bare") or {}
        rows.append(
            [
                f"{int(count):,}",
                f"{mock.get('completed', 0):,}/{int(count):,}" if mock else "-",
                _num(mock.get("first_frame_p50_ms"), 2) + " ms",
                _num(mock.get("first_frame_p99_ms"), 2) + " ms",
                _num(bare.get("first_frame_p99_ms"), 2) + " ms",
                _num(mock.get("frames_per_s")),
                _num(bare.get("frames_per_s")),
                _num(s.get("ratio_frames_bare"), 2),
                _percent(mock.get("server_cpu_share")),
                _percent(bare.get("server_cpu_share")),
                _num(mock.get("server_cpu_us_per_frame"), 1),
                _num(bare.get("server_cpu_us_per_frame"), 1),
                _percent(max(mock.get("client_cpu_share") or 0, bare.get("client_cpu_share") or 0) or None),
            ]
        )
    return table(headers, rows)


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def list_latency_table(result: dict[str, Any]) -> str:
    rows = [
        [
            f"{s['messages']:,}",
            f"{s['fill_s']:.1f} s",
            str(s["requests"]),
            f"{s['p50_ms']:.2f} ms",
            f"{s['p99_ms']:.2f} ms",
            f"{s['asc']['p50_ms']:.2f} / {s['desc']['p50_ms']:.2f} ms",
        ]
        for s in result["sizes"].values()
    ]
    headers = ["messages", "filled in", "requests", "p50", "p99", "p50 asc / desc"]
    ratio = (
        f"largest/smallest: p50 x{result['ratio_p50_largest_smallest']}, p99 x{result['ratio_p99_largest_smallest']}"
    )
    return table(headers, rows) + "\n" + ratio


def _first_line(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _package_version(folder: Path) -> str | None:
    package = folder / "package.json"
    return json.loads(package.read_text())["version"] if package.exists() else None


def machine_info() -> dict[str, Any]:
    modules = BENCH / "node_modules"
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],  # other work on the machine skews numbers
        "python": platform.python_version(),
        "node": _first_line(["node", "--version"]),
        "wrk": _first_line(["wrk", "-v"]),
        "prism": _package_version(modules / "@stoplight" / "prism-cli"),
        "mockoon": _package_version(modules / "@mockoon" / "cli"),
    }


def git_commit(root: Path = ROOT) -> str | None:
    """HEAD's commit, read from .git's files (the bench runs no git command). In a worktree `.git`
    is a file naming its git directory, whose `commondir` holds the branches."""
    git = root / ".git"
    try:
        if git.is_file():
            git = (root / git.read_text().split(":", 1)[1].strip()).resolve()
        common = (git / (git / "commondir").read_text().strip()).resolve() if (git / "commondir").exists() else git
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        for folder in dict.fromkeys((git, common)):
            if (folder / ref).exists():
                return (folder / ref).read_text().strip()
        for line in (common / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except (OSError, IndexError):
        pass
    return None


def save(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
