"""`make bench`: the mock (full validation) against Prism, Mockoon and a bare Starlette ceiling, and
on Redis (one process, and two workers) against its memory store.

    python -m bench.run [--rounds 3] [--duration 5] [--warmup 2] [--scenarios list_messages,...]

Throughput and latency under keep-alive load (wrk, 16 connections) for three scenarios, rounds
alternating the servers; then N concurrent streamed completions (bench/streams.py), list latency
on a thread of 1k/100k/1M messages, the mock's start-up time, and the memory a stored message
costs (bench/memory.py). Prints tables and writes bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import latency, memory, report, servers, streams, wrk
from bench.servers import HEADERS, MOCK_READY_PATH, Server
from contract_tests.sdk_bodies import message_body, run_body

SERVERS = ("mock", "prism", "mockoon", "bare", "redis", "redis2")
# The Redis-backed mock, one process and two workers, each on its own database of one redis-server.
REDIS_MOCKS = {"redis": (1, 1), "redis2": (2, 2)}  # name -> (database, workers)
SCENARIOS = ("list_messages", "create_message", "retrieve_run")
THREAD_MESSAGES = 25
DEMO_ASSISTANT = "asst_DemoWeatherAssistant01"  # mock_server/fixtures/default.yaml
# Prism and Mockoon answer the contract's examples: these are the ids they use.
EXAMPLE_SERVERS = ("prism", "mockoon")
PRISM_TARGET = {
    "thread_id": "thread_Zx8Pq2Lm5Nv7Bc3Kd9Rt4W",
    "run_id": "run_Bn4Kx7Qw2Er9Ty5Ui1Op3A",
    "assistant_id": "asst_7HkQ2mZp4VxN9cLs3RtYb1",
}


QUESTION = "What's the weather in Paris?"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None


def request_for(scenario: str, target: dict[str, str]) -> Request:
    if scenario == "list_messages":
        return Request("GET", f"/v1/threads/{target['thread_id']}/messages?limit=20&order=asc")
    if scenario == "create_message":
        return Request("POST", "/v1/messages", message_body(target["thread_id"], target["assistant_id"], QUESTION))
    if scenario == "retrieve_run":
        return Request("GET", f"/v1/runs/{target['run_id']}")
    raise ValueError(scenario)


def prepare(server: Server) -> dict[str, str]:
    """The same HTTP calls on the mock and the bare app: a thread of 25 messages and a run on it."""
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=10.0) as client:

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = client.post(path, json=body)
            if response.status_code != 200:
                raise RuntimeError(f"{server.name}: POST {path}: {response.status_code} {response.text[:300]}")
            return response.json()

        thread_id = post("/v1/threads", {"meta_data": {}})["id"]
        for _ in range(THREAD_MESSAGES):
            post("/v1/messages", message_body(thread_id, DEMO_ASSISTANT, QUESTION))
        run_id = post("/v1/runs", run_body(DEMO_ASSISTANT, thread_id))["id"]
    return {"thread_id": thread_id, "run_id": run_id, "assistant_id": DEMO_ASSISTANT}


def smoke_check(server: Server, scenario: str, request: Request) -> None:
    """One request as wrk will send it: it must answer 2xx (and a list a full page of 20)."""
    response = httpx.request(request.method, server.url + request.path, headers=HEADERS, json=request.body, timeout=10)
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{server.name} {scenario}: {response.status_code} {response.text[:300]}")
    if scenario == "list_messages" and server.name not in EXAMPLE_SERVERS and len(response.json()["data"]) != 20:
        raise RuntimeError(f"{server.name} list_messages: expected a page of 20 messages")


def load(server: Server, request: Request, seconds: float, args: argparse.Namespace) -> wrk.WrkResult:
    try:
        return wrk.run(
            server.url + request.path,
            seconds=seconds,
            method=request.method,
            headers=HEADERS,
            body=request.body,
            connections=args.connections,
            threads=args.threads,
        )
    except wrk.WrkError as error:
        code = server.process.poll() if server.process else None
        state = "still running" if code is None else f"exited with {code}"  # -N: killed by signal N
        raise RuntimeError(f"{server.name} ({state}): {error}\n{server.output()}") from None


def throughput(running: dict[str, Server], targets: dict[str, dict[str, str]], args: argparse.Namespace):
    """Each scenario: a warm-up per server, then rounds alternating the servers (rotated each round)."""
    scenarios: dict[str, Any] = {}
    problems: list[str] = []
    names = list(running)
    for scenario in args.scenarios:
        requests = {name: request_for(scenario, targets[name]) for name in names}
        for name in names:
            smoke_check(running[name], scenario, requests[name])
            warm = load(running[name], requests[name], args.warmup, args)
            if not warm.ok:
                problems.append(
                    f"{scenario} warm-up {name}: {warm.non_2xx} non-2xx, {warm.socket_errors} socket errors "
                    f"{warm.socket_error_kinds or ''}"
                )
        rounds: dict[str, list[wrk.WrkResult]] = {name: [] for name in names}
        for n in range(args.rounds):
            for name in names[n % len(names) :] + names[: n % len(names)]:
                result = load(running[name], requests[name], args.duration, args)
                rounds[name].append(result)
                print(f"  {scenario:<15} round {n + 1}  {name:<5} {result.rps:>9,.0f} rps  p99 {result.p99_ms:.2f} ms")
                if not result.ok:
                    problems.append(
                        f"{scenario} round {n + 1} {name}: {result.requests} requests, {result.non_2xx} non-2xx, "
                        f"{result.socket_errors} socket errors {result.socket_error_kinds or ''}"
                    )
        scenarios[scenario] = summarize(rounds)
    return scenarios, problems


def summarize(rounds: dict[str, list[wrk.WrkResult]]) -> dict[str, Any]:
    """Medians over the rounds, the ratios of the medians, and every round as measured."""
    out: dict[str, Any] = {}
    for name, results in rounds.items():
        out[f"{name}_rps"] = round(statistics.median(r.rps for r in results), 1)
        out[f"{name}_p50_ms"] = round(statistics.median(r.p50_ms for r in results), 3)
        out[f"{name}_p99_ms"] = round(statistics.median(r.p99_ms for r in results), 3)
    for other in ("prism", "mockoon", "bare"):
        if "mock" in rounds and other in rounds:
            out[f"ratio_mock_{other}"] = round(out["mock_rps"] / out[f"{other}_rps"], 3)
    if "mock" in rounds and "redis" in rounds:
        out["ratio_redis_memory"] = round(out["redis_rps"] / out["mock_rps"], 3)
    if "redis" in rounds and "redis2" in rounds:
        out["ratio_redis2_redis1"] = round(out["redis2_rps"] / out["redis_rps"], 3)
    out["rounds"] = {name: [r.as_dict() for r in results] for name, results in rounds.items()}
    return out


def start_servers(names: list[str], store: Server | None) -> dict[str, Server]:
    """The servers to load, not started yet; the Redis-backed mocks on `store`'s redis-server."""
    makers = {
        "mock": servers.mock_server,
        "prism": servers.prism_server,
        "mockoon": servers.mockoon_server,
        "bare": servers.bare_server,
    }
    for name, (database, workers) in REDIS_MOCKS.items():
        if store is not None:
            url = f"redis://{servers.HOST}:{store.port}/{database}"
            makers[name] = lambda name=name, url=url, workers=workers: servers.mock_on_redis(name, url, workers)
    return {name: makers[name]() for name in names}


def wait_all(running: dict[str, Server]) -> None:
    ready = {
        "mock": (MOCK_READY_PATH, (200,)),
        "bare": ("/v1/runs/run_NoSuchRun0000000000000000", (404,)),  # its store answers: it is up
        "prism": (f"/v1/runs/{PRISM_TARGET['run_id']}", (200,)),
        "mockoon": (f"/v1/runs/{PRISM_TARGET['run_id']}", (200,)),
        "redis": (MOCK_READY_PATH, (200,)),
        "redis2": (MOCK_READY_PATH, (200,)),
    }
    for name, server in running.items():
        path, statuses = ready[name]
        seconds = server.wait_ready(path, HEADERS, timeout=90, statuses=statuses)
        print(f"  {name} ready on {server.url} ({seconds:.1f} s)", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per scenario (default 3)")
    parser.add_argument("--duration", type=float, default=5, help="seconds of load per server per round (default 5)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up load per server (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--scenarios", type=_names(SCENARIOS), default=list(SCENARIOS), help="comma-separated")
    parser.add_argument("--servers", type=_names(SERVERS), default=list(SERVERS), help="comma-separated")
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[1_000, 100_000, 1_000_000],
        help="list latency thread sizes (default 1k,100k,1M)",
    )
    parser.add_argument("--list-requests", type=int, default=300, help="timed list requests per size (default 300)")
    parser.add_argument("--startup-runs", type=int, default=3, help="start-up time samples (default 3)")
    parser.add_argument("--skip-sizes", action="store_true", help="skip the list-latency-by-size measure")
    parser.add_argument("--skip-startup", action="store_true", help="skip the start-up time measure")
    parser.add_argument(
        "--streams", type=_sizes, default=list(streams.COUNTS), help="concurrent streams per run (default 100,500,1k)"
    )
    parser.add_argument("--stream-tokens", type=int, default=100, help="content frames per stream (default 100)")
    parser.add_argument("--stream-ramp", type=float, default=1.0, help="seconds the streams open over (default 1)")
    parser.add_argument("--skip-streams", action="store_true", help="skip the streams-under-load measure")
    parser.add_argument("--skip-memory", action="store_true", help="skip the bytes-per-message measure")
    parser.add_argument(
        "--memory-messages",
        type=lambda text: _sizes(text)[0],
        default=1_000_000,
        help="messages for the memory measure (default 1M)",
    )
    parser.add_argument("--output", type=Path, default=servers.BENCH / "results" / "latest.json")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or args.warmup < 1:
        parser.error("--rounds, --duration and --warmup must be at least 1")
    if args.stream_tokens < 1 or args.stream_ramp < 0:
        parser.error("--stream-tokens must be at least 1 and --stream-ramp 0 or more")
    return args


def _names(allowed: tuple[str, ...]):
    def parse(text: str) -> list[str]:
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = set(names) - set(allowed)
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}")
        return [n for n in allowed if n in names]  # in the canonical order

    return parse


def _sizes(text: str) -> list[int]:
    units = {"k": 1_000, "m": 1_000_000}
    sizes = [int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s) for s in text.lower().split(",")]
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("sizes are positive counts, e.g. 1k,100k,1m")
    return sizes


def _stop_on_sigterm(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every `running` block


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    servers.ensure_tools()
    started = time.monotonic()
    result: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": report.git_commit(),
        "machine": report.machine_info(),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
    }
    print(f"bench: {', '.join(args.servers)} x {', '.join(args.scenarios)}; {args.rounds} x {args.duration:g} s")
    store = servers.redis_store() if set(REDIS_MOCKS) & set(args.servers) else None
    running = start_servers(args.servers, store)
    with servers.running(*([store] if store is not None else [])), servers.running(*running.values()):
        wait_all(running)
        targets = {name: PRISM_TARGET if name in EXAMPLE_SERVERS else prepare(s) for name, s in running.items()}
        result["scenarios"], problems = throughput(running, targets, args)
    stream_servers = tuple(name for name in ("mock", "bare") if name in args.servers)  # the peers do not stream
    if stream_servers and not args.skip_streams:
        result["streams"], stream_problems = streams.streams_under_load(
            args.streams, args.stream_tokens, args.stream_ramp, stream_servers
        )
        problems += stream_problems
    if not args.skip_sizes:
        result["list_latency"] = latency.list_latency(args.sizes, args.list_requests)
    if not args.skip_startup:
        result["startup"] = latency.startup_time(args.startup_runs)
    if not args.skip_memory:
        result["memory"] = memory.memory(args.memory_messages)
    result["problems"] = problems
    result["seconds"] = round(time.monotonic() - started, 1)
    report.save(result, args.output)

    print(f"\nThroughput (wrk -t{args.threads} -c{args.connections}, median of {args.rounds} rounds)")
    print(report.throughput_table(result["scenarios"]))
    if set(REDIS_MOCKS) & set(args.servers):
        print("\nThe store: memory against Redis (one process, and two workers), same run")
        print(report.store_table(result["scenarios"]))
    if "streams" in result:
        pace = (
            f"{streams.TOKENS_PER_SECOND:g} tokens/s, {args.stream_tokens} tokens, opened over {args.stream_ramp:g} s"
        )
        print(f"\nStreams under load ({pace})")
        print(report.streams_table(result["streams"]))
    if "list_latency" in result:
        print(f"\nList latency (limit=20, asc and desc, {args.list_requests} sequential requests per size)")
        print(report.list_latency_table(result["list_latency"]))
    if "startup" in result:
        runs = ", ".join(f"{ms:.0f}" for ms in result["startup"]["runs_ms"])
        print(f"\nMock start-up to first served request: {result['startup']['median_ms']:.0f} ms (runs: {runs})")
    if "memory" in result:
        print(f"\nMemory: {memory.memory_line(result['memory'])}")
    for problem in problems:
        print(f"WARNING: not every answer was 2xx: {problem}", file=sys.stderr)
    print(f"\nWrote {args.output}  ({result['seconds']:.0f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench: interrupted; every server was stopped", file=sys.stderr)
        sys.exit(130)
