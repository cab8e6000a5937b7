"""`make profile`: where the mock's time goes under load, sampled with py-spy.

    python -m bench.profile [--scenario list_messages|...|streams] [--seconds 8] [--rate 250] [--top 30]

Starts the mock as `make bench` does, prepares the same data, warms it up, then records it with
py-spy (attached to the running process, so start-up and warm-up stay out of the profile) while
wrk loads it exactly as in the bench (`streams`: the stream mock under 1,000 paced streams, as
bench/streams.py opens them; sampling 100 times a second keeps the profiler from slowing it).
Writes the collapsed stacks to bench/results/profile-<scenario>.txt (speedscope.app and inferno
read them) and prints the functions that take the most time, counting what they call
(inclusive) and on their own (self).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench import servers, streams, wrk
from bench.run import SCENARIOS, prepare, request_for
from bench.servers import HEADERS, MOCK_READY_PATH

PY_SPY = Path(sys.executable).with_name("py-spy")
STREAMS = "streams"
_LINE = re.compile(r":\d+\)$")


@dataclass(frozen=True)
class Profile:
    samples: int
    inclusive: Counter[str]  # function -> samples with it anywhere on the stack
    own: Counter[str]  # function -> samples with it on top of the stack

    def table(self, which: str, top: int) -> str:
        """The `top` functions by inclusive or self time; the entry frames, on every sample, left out."""
        counts = self.inclusive if which == "inclusive" else self.own
        ranked = [(name, n) for name, n in counts.most_common() if n < self.samples or which == "self"]
        rows = [f"{100 * n / self.samples:6.1f}%  {name}" for name, n in ranked[:top]]
        return "\n".join([f"{which} ({self.samples:,} samples)", *rows])


def summarize(collapsed: Iterable[str]) -> Profile:
    """py-spy's raw output (`frame;frame;... count` per line, outermost first) by function: a
    function's lines are counted together, and a recursive function once per sample."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    samples = 0
    for line in collapsed:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    return Profile(samples, inclusive, own)


def record(args: argparse.Namespace) -> Path:
    output = args.output or servers.BENCH / "results" / f"profile-{args.scenario}.txt"
    output.parent.mkdir(parents=True, exist_ok=True)
    if args.scenario == STREAMS:
        return record_streams(args, output)
    with servers.running(servers.mock_server()) as (mock,):
        mock.wait_ready(MOCK_READY_PATH, HEADERS, timeout=60)
        request = request_for(args.scenario, prepare(mock))
        url = mock.url + request.path

        def load(seconds: float) -> wrk.WrkResult:
            return wrk.run(url, seconds=seconds, method=request.method, headers=HEADERS, body=request.body)

        load(2)  # warm-up
        assert mock.process is not None
        command = [str(PY_SPY), "record", "-p", str(mock.process.pid), "-d", str(args.seconds)]
        command += ["-r", str(args.rate), "-f", "raw", "-o", str(output)]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        result = load(args.seconds + 2)  # the load outlasts the sampling on both ends
        _, error = spy.communicate(timeout=60)
    if spy.returncode != 0:
        raise SystemExit(f"py-spy failed ({spy.returncode}): {error.strip()}\n{_PTRACE_HINT}")
    print(f"{args.scenario}: {result.rps:,.0f} rps under the profiler (it slows the mock down)")
    return output


def record_streams(args: argparse.Namespace, output: Path, count: int = 1_000, tokens: int = 100) -> Path:
    mock = streams.stream_servers(tokens)["mock"]
    with servers.running(mock):
        mock.wait_ready(MOCK_READY_PATH, HEADERS, timeout=60)
        streams.script_reply(mock.url, tokens)
        timeout = tokens / streams.TOKENS_PER_SECOND * 4 + 30
        streams.run_client(mock.url, streams.bodies_for("mock", mock, streams.WARMUP_STREAMS), 1.0, timeout)
        bodies = streams.bodies_for("mock", mock, count)
        assert mock.process is not None
        command = [str(PY_SPY), "record", "-p", str(mock.process.pid), "-d", str(args.seconds)]
        command += ["-r", str(args.rate), "-f", "raw", "-o", str(output)]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        summary = streams.summarize(streams.run_client(mock.url, bodies, 1.0, timeout), tokens + 4)
        _, error = spy.communicate(timeout=args.seconds + 60)
    if spy.returncode != 0:
        raise SystemExit(f"py-spy failed ({spy.returncode}): {error.strip()}\n{_PTRACE_HINT}")
    print(
        f"streams: {summary['completed']:,}/{count:,} completed, first frame p99 {summary['first_frame_p99_ms']} ms, "
        f"{summary['frames_per_s']:,.0f} frames/s under the profiler"
    )
    return output


_PTRACE_HINT = (
    "py-spy attaches with ptrace: in a container it needs the SYS_PTRACE capability, and on Linux "
    "/proc/sys/kernel/yama/ptrace_scope at 0 (or running as root)."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=(*SCENARIOS, STREAMS), default="list_messages")
    parser.add_argument("--seconds", type=int, default=8, help="seconds of sampling (default 8)")
    parser.add_argument("--rate", type=int, help="samples per second (default 250; streams 100)")
    parser.add_argument("--top", type=int, default=30, help="functions per table (default 30)")
    parser.add_argument("--output", type=Path, help="collapsed stacks (default bench/results/profile-<scenario>.txt)")
    args = parser.parse_args(argv)
    args.rate = args.rate or (100 if args.scenario == STREAMS else 250)
    servers.ensure_wrk()
    if shutil.which(str(PY_SPY)) is None:
        raise SystemExit("bench.profile: py-spy is not installed (pip install -e '.[dev]', or run `make profile`)")
    output = record(args)
    profile = summarize(output.read_text().splitlines())
    print(profile.table("inclusive", args.top), profile.table("self", args.top), sep="\n\n")
    print(f"\nWrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
