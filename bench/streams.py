"""Streams under load: N concurrent streamed completions at a model's pace, the mock against a bare
Starlette SSE endpoint sending the same frames (bench/bare_streams.py).

For each N (100, 500, 1,000 by default): the mock gets N runs, each on a thread of its own with one
user message that a rule answers with a reply of `tokens` words (so every stream is `tokens` + 4
frames: started, the words, processing, complete, `[DONE]`); then a client process of its own
(bench/sse_client.py) opens the N streams evenly over `ramp` seconds and reads them to the end
(after a warm-up of 100 streams per server).
Per server: streams opened (200) and completed (`[DONE]`), time to first frame (p50, p99) and the
frames per second delivered, every frame received over the window from the first connect to the
last end. The mock streams with full response validation (each frame against `StreamEvent`) at
`--tokens-per-second 20` and `--max-connections 2000` (its default, 1,000, counts every open
connection: 1,000 streams and a setup connection would get a 503); uvicorn's backlog is 2,048.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench import latency, servers
from bench.bare_streams import reply_text
from bench.servers import ADMIN_KEY, HEADERS, MOCK_READY_PATH, Server
from contract_tests.sdk_bodies import message_body, run_body

COUNTS = (100, 500, 1_000)
TOKENS_PER_SECOND = 20.0
MAX_CONNECTIONS = 2_000
MODEL = "hyperbolic/deepseek-ai/DeepSeek-V3"
ASSISTANT = "asst_DemoWeatherAssistant01"  # mock_server/fixtures/default.yaml
QUESTION = "Please stream the bench reply."
SETUP_CONCURRENCY = 8
WARMUP_STREAMS = 100


def stream_servers(tokens: int) -> dict[str, Server]:
    pace = ["--tokens-per-second", f"{TOKENS_PER_SECOND:g}", "--max-connections", str(MAX_CONNECTIONS)]
    # No seed: a seeded clock moves a second per reading, and 1,000 runs' turns read it past the
    # first runs' expiry (an hour on), so their completions would be 409s.
    mock = servers.mock_server(*pace, seed=None)
    port = servers.free_port()
    command = [sys.executable, "-m", "bench.bare_streams", "--port", str(port), "--tokens", str(tokens), *pace]
    return {"mock": mock, "bare": Server("bare streams", command, port)}


def completion_body(thread_id: str, message_id: str, run_id: str) -> dict[str, Any]:
    """A completion as the SDK's stream sends it (contract_tests/world.py turn_body)."""
    return {
        "model": MODEL,
        "api_key": "bench-provider-key",
        "thread_id": thread_id,
        "message_id": message_id,
        "run_id": run_id,
        "assistant_id": ASSISTANT,
    }


async def _prepare_runs(url: str, count: int) -> list[dict[str, Any]]:
    """`count` runs on the mock, each on a new thread holding the question: their completion bodies."""
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=30.0) as client:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = await client.post(path, json=body)
            if response.status_code != 200:
                raise RuntimeError(f"mock: POST {path}: {response.status_code} {response.text[:300]}")
            return response.json()

        async def one() -> dict[str, Any]:
            async with limit:
                thread_id = (await post("/v1/threads", {"meta_data": {}}))["id"]
                message_id = (await post("/v1/messages", message_body(thread_id, ASSISTANT, QUESTION)))["id"]
                run_id = (await post("/v1/runs", run_body(ASSISTANT, thread_id)))["id"]
                return completion_body(thread_id, message_id, run_id)

        return await asyncio.gather(*(one() for _ in range(count)))


def reply_rules(tokens: int) -> dict[str, Any]:
    """The rule that answers the question with the bare endpoint's reply."""
    return {"rules": [{"match": "stream the bench reply", "reply": reply_text(tokens)}]}


def script_reply(url: str, tokens: int) -> None:
    response = httpx.put(f"{url}/__mock__/rules", json=reply_rules(tokens), headers=HEADERS, timeout=10)
    if response.status_code != 200:
        raise RuntimeError(f"mock: PUT /__mock__/rules: {response.status_code} {response.text[:300]}")


def bodies_for(name: str, server: Server, count: int) -> list[dict[str, Any]]:
    if name == "mock":
        return asyncio.run(_prepare_runs(server.url, count))
    # The bare endpoint reads only run_id; the body is the mock's shape all the same.
    return [completion_body("thread_bare", "message_bare", f"run_bare{n}") for n in range(count)]


def run_client(url: str, bodies: list[dict[str, Any]], ramp: float, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-streams-") as tmp:
        path = Path(tmp) / "bodies.json"
        path.write_text(json.dumps(bodies))
        command = [sys.executable, "-m", "bench.sse_client", "--url", url, "--key", ADMIN_KEY, "--bodies", str(path)]
        command += ["--ramp", str(ramp), "--timeout", str(timeout)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout + ramp + 60, cwd=servers.ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"bench.sse_client exited with {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def cpu_seconds(stat: str) -> float:
    """A process's user + system CPU seconds from its /proc/PID/stat line (fields 14 and 15; the
    command name, field 2, may hold spaces and parentheses, so count from its closing one)."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(server: Server) -> float | None:
    try:
        return cpu_seconds(Path(f"/proc/{server.process.pid}/stat").read_text())  # type: ignore[union-attr]
    except (OSError, AttributeError, ValueError):
        return None


def summarize(client: dict[str, Any], expected_frames: int, server_cpu_s: float | None = None) -> dict[str, Any]:
    """One server's streams: how many opened and completed (every frame, then [DONE]), first-frame
    times, and frames per second over the client's window."""
    streams = client["streams"]
    first_ms = [s["first_frame_s"] * 1000 for s in streams if s["first_frame_s"] is not None]
    frames = sum(s["frames"] for s in streams)
    errors: dict[str, int] = {}
    for s in streams:
        if s["error"]:
            errors[s["error"]] = errors.get(s["error"], 0) + 1
    return {
        "opened": sum(1 for s in streams if s["opened"]),
        "completed": sum(1 for s in streams if s["completed"] and s["frames"] == expected_frames),
        "first_frame_p50_ms": round(latency.percentile(first_ms, 50), 2) if first_ms else None,
        "first_frame_p99_ms": round(latency.percentile(first_ms, 99), 2) if first_ms else None,
        "first_frame_max_ms": round(max(first_ms), 2) if first_ms else None,
        "frames": frames,
        "window_s": client["window_s"],
        "frames_per_s": round(frames / client["window_s"], 1) if client["window_s"] else 0.0,
        "errors": errors,
        # Shares of one core over the window: the server's work per frame, and the client's headroom.
        "server_cpu_share": round(server_cpu_s / client["window_s"], 3)
        if server_cpu_s and client["window_s"]
        else None,
        "server_cpu_us_per_frame": round(server_cpu_s / frames * 1e6, 1) if server_cpu_s and frames else None,
        "client_cpu_share": round(client["client_cpu_s"] / client["window_s"], 3) if client["window_s"] else None,
    }


def combine(by_server: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One N's entry: the mock's figures at the top level (the issue's keys), each server's below."""
    mock, bare = by_server.get("mock"), by_server.get("bare")
    out: dict[str, Any] = {}
    if mock is not None:
        keys = ("first_frame_p50_ms", "first_frame_p99_ms", "completed", "opened", "frames_per_s")
        out.update({k: mock[k] for k in keys})
    if mock is not None and bare is not None and bare["frames_per_s"]:
        out["ratio_frames_bare"] = round(mock["frames_per_s"] / bare["frames_per_s"], 3)
    return {**out, **by_server}


def streams_under_load(
    counts: list[int], tokens: int, ramp: float, names: tuple[str, ...] = ("mock", "bare")
) -> tuple[dict[str, Any], list[str]]:
    """The scenario for every N; its problems are streams that did not open or complete."""
    expected = tokens + 4
    timeout = tokens / TOKENS_PER_SECOND * 4 + 30
    running = {name: server for name, server in stream_servers(tokens).items() if name in names}
    results: dict[str, Any] = {}
    problems: list[str] = []
    with servers.running(*running.values()):
        for name, server in running.items():
            path, statuses = (MOCK_READY_PATH, (200,)) if name == "mock" else ("/", (404,))
            print(f"  streams: {name} ready on {server.url} ({server.wait_ready(path, HEADERS, 90, statuses):.1f} s)")
        if "mock" in running:
            script_reply(running["mock"].url, tokens)
        for name, server in running.items():  # a warm-up, as the throughput scenarios have
            run_client(server.url, bodies_for(name, server, WARMUP_STREAMS), ramp, timeout)
        for count in counts:
            by_server: dict[str, Any] = {}
            for name, server in running.items():
                bodies = bodies_for(name, server, count)
                cpu_before = server_cpu(server)
                client = run_client(server.url, bodies, ramp, timeout)
                cpu_after = server_cpu(server)
                used = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
                by_server[name] = summary = summarize(client, expected, used)
                print(
                    f"  streams {count:>5,}  {name:<5} completed {summary['completed']:>5,}/{count:,}  first frame "
                    f"p50 {summary['first_frame_p50_ms']} ms p99 {summary['first_frame_p99_ms']} ms  "
                    f"{summary['frames_per_s']:>9,.0f} frames/s",
                    flush=True,
                )
                if summary["completed"] != count:
                    problems.append(
                        f"streams {count} {name}: {summary['completed']} of {count} completed {summary['errors']}"
                    )
            results[str(count)] = combine(by_server)
    return results, problems
